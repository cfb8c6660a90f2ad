import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { UserError, parseOrThrow } from '../util/errors.js';
import { SweepSpecSchema, type SweepSpec } from './sweep-spec.js';

export interface LoadedSpec {
  spec: SweepSpec;
  /** Folder the spec's relative dataset paths are resolved against. */
  baseDir: string;
  file: string;
}

/** Reads a sweep spec (YAML, or JSON which is YAML too) and validates it. */
export async function loadSpecFile(file: string): Promise<LoadedSpec> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UserError(`cannot read spec file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  return { spec: parseSpecText(text, file), baseDir: path.dirname(path.resolve(file)), file };
}

export function parseSpecText(text: string, source: string): SweepSpec {
  let raw: unknown;
  try {
    raw = parseYaml(text, { prettyErrors: true, uniqueKeys: true });
  } catch (err) {
    const firstLine = String((err as Error).message).split('\n')[0];
    throw new UserError(`${source}: not valid YAML/JSON: ${firstLine}`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new UserError(`${source}: a sweep spec must be a mapping with name, dataset and parameters`);
  }
  return parseOrThrow(SweepSpecSchema, raw, source);
}
