/**
 * A trained model in the standard tfjs-layers layout: `model.json` (topology + weights manifest)
 * and one `weights.bin`, loadable with `tf.loadLayersModel` by any TensorFlow.js program.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';

export const WEIGHTS_FILE = 'weights.bin';

export interface SavedModel {
  /** the content of model.json */
  modelJson: tf.io.ModelJSON;
  weights: Buffer;
}

const ModelJsonSchema = z.looseObject({
  modelTopology: z.record(z.string(), z.unknown()),
  format: z.string().optional(),
  weightsManifest: z
    .array(
      z.looseObject({
        paths: z.array(z.string()),
        weights: z.array(z.looseObject({ name: z.string(), shape: z.array(z.number()), dtype: z.string() })),
      }),
    )
    .length(1),
});

export async function saveModel(model: tf.LayersModel): Promise<SavedModel> {
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
  const json = ModelJsonSchema.parse(saved.modelJson);
  const weights = saved.weights;
  const data = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer;
  return tf.loadLayersModel(tf.io.fromMemory(json.modelTopology, json.weightsManifest[0]!.weights as tf.io.WeightsManifestEntry[], data));
}

export async function writeModelDir(dir: string, saved: SavedModel): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'model.json'), JSON.stringify(saved.modelJson));
  await writeFile(path.join(dir, WEIGHTS_FILE), saved.weights);
}

export async function readModelDir(dir: string): Promise<SavedModel> {
  const modelJson = ModelJsonSchema.parse(JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8')));
  const weights = await readFile(path.join(dir, modelJson.weightsManifest[0]!.paths[0] ?? WEIGHTS_FILE));
  return { modelJson: modelJson as unknown as tf.io.ModelJSON, weights };
}
