/**
 * A trained model in the standard tfjs-layers layout: `model.json` (topology + weights manifest)
 * and one `weights.bin`, loadable with `tf.loadLayersModel` by any TensorFlow.js program.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { formatZodIssues } from '../util/errors.js';

export const WEIGHTS_FILE = 'weights.bin';

export interface SavedModel {
  /** the content of model.json */
  modelJson: tf.io.ModelJSON;
  weights: Buffer;
}

/**
 * A weights file named by model.json: a plain file name in the model's own folder. A path that
 * leaves the folder (`../../etc/passwd`, an absolute path) makes the model unreadable, never a
 * way to read another file.
 */
const WeightsFileSchema = z
  .string()
  .regex(/^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/, { message: 'a weights file is a plain file name in the model folder' });

const ModelJsonSchema = z.looseObject({
  modelTopology: z.record(z.string(), z.unknown()),
  format: z.string().optional(),
  weightsManifest: z
    .array(
      z.looseObject({
        paths: z.array(WeightsFileSchema).length(1, { message: 'one weights file, as best --export writes it' }),
        weights: z.array(z.looseObject({ name: z.string(), shape: z.array(z.number()), dtype: z.string() })),
      }),
    )
    .length(1),
});

/**
 * TensorFlow.js is imported by the two functions that need it, not by this module: reading and
 * writing model folders (`best --export`, artifact stores) must not load the model stack.
 */
const loadTf = () => import('@tensorflow/tfjs');

export async function saveModel(model: tf.LayersModel): Promise<SavedModel> {
  const tf = await loadTf();
  let saved: SavedModel | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const data = artifacts.weightData ?? new ArrayBuffer(0);
      saved = {
        modelJson: {
          modelTopology: artifacts.modelTopology as object,
          format: 'layers-model',
          generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
          convertedBy: null,
          weightsManifest: [{ paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs ?? [] }],
        },
        weights: Buffer.from(tf.io.concatenateArrayBuffers(data)),
      };
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return saved!;
}

export async function loadModel(saved: SavedModel): Promise<tf.LayersModel> {
  const tf = await loadTf();
  const json = ModelJsonSchema.parse(saved.modelJson);
  const weights = saved.weights;
  const data = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer;
  // One ModelArtifacts argument: the multi-argument form prints a deprecation warning.
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest[0]!.weights as tf.io.WeightsManifestEntry[],
      weightData: data,
    }),
  );
}

/** The files of a model folder, name and content: what writeModelDir writes and a model download zips. */
export function modelDirFiles(saved: SavedModel): { name: string; data: Buffer }[] {
  return [
    { name: 'model.json', data: Buffer.from(JSON.stringify(saved.modelJson)) },
    { name: WEIGHTS_FILE, data: saved.weights },
  ];
}

export async function writeModelDir(dir: string, saved: SavedModel): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const file of modelDirFiles(saved)) await writeFile(path.join(dir, file.name), file.data);
}

export async function readModelDir(dir: string): Promise<SavedModel> {
  const parsed = ModelJsonSchema.safeParse(JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8')));
  if (!parsed.success) throw new Error(`model.json: ${formatZodIssues(parsed.error)}`);
  const modelJson = parsed.data;
  const root = path.resolve(dir);
  const file = path.resolve(root, modelJson.weightsManifest[0]!.paths[0] ?? WEIGHTS_FILE);
  if (path.dirname(file) !== root) throw new Error(`model.json names a weights file outside ${root}`);
  const weights = await readFile(file);
  return { modelJson: modelJson as unknown as tf.io.ModelJSON, weights };
}
