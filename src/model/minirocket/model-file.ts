/**
 * The fitted MiniRocket classifier as a JSON document (minirocket.json): the transform's
 * parameters, the feature standardisation, the ridge weights and the calibration. Float arrays
 * are base64 of little-endian float32 (as the project's dataset codec and stored predictions).
 * Every length is checked against the others on load, so a tampered or truncated file is refused
 * with the field it gets wrong instead of failing later inside a prediction.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { formatZodIssues } from '../../util/errors.js';
import { KERNEL_COUNT } from './kernels.js';
import { featureCount } from './transform.js';

export const MINIROCKET_FILE = 'minirocket.json';
export const MINIROCKET_FORMAT = 'lstm-sweep/minirocket';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const float32Base64 = z.string().regex(BASE64, { message: 'expected base64 of float32 values' });
const count = z.number().int().min(1);

export const MiniRocketModelSchema = z
  .strictObject({
    format: z.literal(MINIROCKET_FORMAT, { message: `expected format "${MINIROCKET_FORMAT}" (not a MiniRocket model file)` }),
    version: z.literal(1, { message: 'unsupported version: this build reads version 1' }),
    inputShape: z.strictObject({ timesteps: count, features: count }),
    classes: z.number().int().min(2),
    seed: z.number().int(),
    /** ridge penalty chosen by leave-one-out cross-validation */
    alpha: z.number().positive(),
    dilations: z.array(count).min(1),
    /** biases per kernel at each dilation */
    featuresPerDilation: z.array(count).min(1),
    /** per kernel/dilation combination: PPV over all positions (true) or the valid part */
    padding: z.array(z.boolean()),
    /** per combination: number of channels summed */
    channelCounts: z.array(count),
    /** the channels of each combination, concatenated */
    channelIndices: z.array(z.number().int().min(0)),
    biases: float32Base64,
    featureMean: float32Base64,
    featureStd: float32Base64,
    /** one row of weights per ridge target (1 for binary, k otherwise), on standardised features */
    weights: float32Base64,
    intercepts: z.array(z.number()),
    /** probabilities = sigmoid(scale * score) (binary) or softmax(scale * scores) */
    calibration: z.strictObject({ method: z.enum(['sigmoid', 'softmax']), scale: z.number().positive() }),
  })
  .superRefine((m, ctx) => {
    const issue = (field: string, message: string) => ctx.addIssue({ code: 'custom', path: [field], message });
    const combos = m.dilations.length * KERNEL_COUNT;
    if (m.featuresPerDilation.length !== m.dilations.length) {
      issue('featuresPerDilation', `has ${m.featuresPerDilation.length} entries, expected one per dilation (${m.dilations.length})`);
      return;
    }
    if (m.padding.length !== combos)
      issue('padding', `has ${m.padding.length} entries, expected ${combos} (84 kernels x ${m.dilations.length} dilations)`);
    if (m.channelCounts.length !== combos) issue('channelCounts', `has ${m.channelCounts.length} entries, expected ${combos}`);
    const channels = m.channelCounts.reduce((a, b) => a + b, 0);
    if (m.channelIndices.length !== channels)
      issue('channelIndices', `has ${m.channelIndices.length} entries, expected ${channels} (the sum of channelCounts)`);
    if (m.channelIndices.some((c) => c >= m.inputShape.features))
      issue('channelIndices', `names a channel beyond the input's ${m.inputShape.features}`);
    const features = featureCount(m.featuresPerDilation);
    const targets = m.classes === 2 ? 1 : m.classes;
    const arrays: [string, string, number][] = [
      ['biases', m.biases, features],
      ['featureMean', m.featureMean, features],
      ['featureStd', m.featureStd, features],
      ['weights', m.weights, targets * features],
    ];
    for (const [field, text, expected] of arrays) {
      const bytes = Buffer.from(text, 'base64').length;
      if (bytes !== expected * 4) issue(field, `holds ${bytes / 4} float32 values, expected ${expected}`);
      else if (!decodeFloat32(text).every(Number.isFinite)) issue(field, 'holds a value that is not a finite number');
    }
    if (m.intercepts.length !== targets) issue('intercepts', `has ${m.intercepts.length} entries, expected ${targets}`);
    const method = m.classes === 2 ? 'sigmoid' : 'softmax';
    if (m.calibration.method !== method) issue('calibration', `method must be ${method} for ${m.classes} classes`);
  });

export type MiniRocketModel = z.infer<typeof MiniRocketModelSchema>;

export function encodeFloat32(values: ArrayLike<number>): string {
  const a = Float32Array.from(values);
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

export function decodeFloat32(text: string): Float32Array {
  const bytes = Buffer.from(text, 'base64');
  const out = new Float32Array(bytes.length >> 2);
  for (let i = 0; i < out.length; i++) out[i] = bytes.readFloatLE(i * 4);
  return out;
}

/** Checks a model (e.g. one built in memory or received as JSON); the error names each field. */
export function parseMiniRocketModel(value: unknown, source: string): MiniRocketModel {
  const parsed = MiniRocketModelSchema.safeParse(value);
  if (!parsed.success) throw new Error(`${source}: not a valid MiniRocket model: ${formatZodIssues(parsed.error)}`);
  return parsed.data;
}

/** The text of minirocket.json: what saveMiniRocket writes and the dashboard's baseline download zips. */
export function miniRocketJson(model: MiniRocketModel): string {
  parseMiniRocketModel(model, 'saveMiniRocket');
  return JSON.stringify(model);
}

/** Writes <dir>/minirocket.json atomically (temporary file, then rename). */
export async function saveMiniRocket(dir: string, model: MiniRocketModel): Promise<void> {
  const text = miniRocketJson(model);
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, MINIROCKET_FILE);
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, file);
}

/** Reads and validates <dir>/minirocket.json; errors name the file and the field. */
export async function loadMiniRocket(dir: string): Promise<MiniRocketModel> {
  const file = path.join(dir, MINIROCKET_FILE);
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: cannot read a MiniRocket model (${(err as Error).message})`, { cause: err });
  }
  return parseMiniRocketModel(json, file);
}
