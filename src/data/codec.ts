import { z } from 'zod';
import type { Dataset, Split } from './types.js';
import { sha256Hex } from '../util/hash.js';

/*
 * Layout: "LSDS" magic, uint32 LE header length, UTF-8 JSON header, zero padding to a multiple
 * of 4, then per split (train, then test) x and y as little-endian float32.
 */
const MAGIC = Buffer.from('LSDS', 'ascii');
const VERSION = 1;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

const ShapeSchema = z.strictObject({
  n: z.number().int().min(0),
  timesteps: z.number().int().min(1),
  features: z.number().int().min(1),
});
type Shape = z.infer<typeof ShapeSchema>;

const HeaderSchema = z.strictObject({
  version: z.literal(VERSION),
  train: ShapeSchema,
  test: ShapeSchema.optional(),
});

export function encodeDataset(ds: Dataset): Buffer {
  const splits = ds.test ? [ds.train, ds.test] : [ds.train];
  for (const s of splits) checkLengths(s);
  // keys written in a fixed order so the bytes (and the hash) depend on the data alone
  const header = { version: VERSION, train: shapeOf(ds.train), ...(ds.test ? { test: shapeOf(ds.test) } : {}) };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const headerEnd = align4(8 + json.length);
  const parts: Buffer[] = [MAGIC, uint32(json.length), json, Buffer.alloc(headerEnd - 8 - json.length)];
  for (const s of splits) parts.push(floatBytes(s.x), floatBytes(s.y));
  return Buffer.concat(parts);
}

export function decodeDataset(buf: Buffer): Dataset {
  if (buf.length < 8 || !buf.subarray(0, 4).equals(MAGIC)) {
    throw new Error('not an encoded dataset: the buffer does not start with the LSDS magic bytes');
  }
  const jsonLength = buf.readUInt32LE(4);
  if (8 + jsonLength > buf.length) throw new Error('encoded dataset is truncated inside its header');
  let raw: unknown;
  try {
    raw = JSON.parse(buf.toString('utf8', 8, 8 + jsonLength));
  } catch {
    throw new Error('encoded dataset has a corrupt header: not valid JSON');
  }
  const parsed = HeaderSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`encoded dataset has an invalid header: ${parsed.error.issues[0]?.message}`);
  const header = parsed.data;
  const shapes = header.test ? [header.train, header.test] : [header.train];
  const expected = align4(8 + jsonLength) + shapes.reduce((sum, s) => sum + 4 * (s.n * s.timesteps * s.features + s.n), 0);
  if (buf.length !== expected) {
    throw new Error(`encoded dataset has ${buf.length} bytes but its header describes ${expected}: truncated or corrupt`);
  }
  let offset = align4(8 + jsonLength);
  const read = (count: number): Float32Array => {
    const out = readFloats(buf, offset, count);
    offset += 4 * count;
    return out;
  };
  const splits = shapes.map((s): Split => ({ ...s, x: read(s.n * s.timesteps * s.features), y: read(s.n) }));
  return splits[1] ? { train: splits[0]!, test: splits[1] } : { train: splits[0]! };
}

export function datasetHash(buf: Buffer): string {
  return sha256Hex(buf);
}

function shapeOf(s: Split): Shape {
  return { n: s.n, timesteps: s.timesteps, features: s.features };
}

function checkLengths(s: Split): void {
  if (s.x.length !== s.n * s.timesteps * s.features || s.y.length !== s.n) {
    throw new RangeError(
      `split arrays do not match its shape (n=${s.n}, timesteps=${s.timesteps}, features=${s.features}): ` +
        `x has ${s.x.length} values, y has ${s.y.length}`,
    );
  }
}

function align4(n: number): number {
  return Math.ceil(n / 4) * 4;
}

function uint32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(value);
  return b;
}

function floatBytes(a: Float32Array): Buffer {
  if (LITTLE_ENDIAN) return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  const b = Buffer.alloc(a.length * 4);
  a.forEach((v, i) => b.writeFloatLE(v, i * 4));
  return b;
}

function readFloats(buf: Buffer, offset: number, count: number): Float32Array {
  const out = new Float32Array(count);
  if (LITTLE_ENDIAN) {
    // copy, so the result does not alias (or depend on the alignment of) the input buffer
    new Uint8Array(out.buffer).set(buf.subarray(offset, offset + 4 * count));
  } else {
    for (let i = 0; i < count; i++) out[i] = buf.readFloatLE(offset + 4 * i);
  }
  return out;
}
