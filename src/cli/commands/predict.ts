import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { Command } from 'commander';
import Table from 'cli-table3';
import { z } from 'zod';
import { displayName, parseDatasetCsv } from '../../data/load.js';
import { DatasetFormatSchema } from '../../data/dataset-spec.js';
import { FeatureStatsSchema, NormalizationSchema, normalizeSplit } from '../../data/normalize.js';
import { UserError, formatZodIssues } from '../../util/errors.js';
import { parseFlags } from '../options.js';
import type { Split } from '../../data/types.js';

const MAX_CLASSES = 1000;

const FlagsSchema = z.object({
  model: z.string().min(1),
  data: z.string().min(1),
  format: DatasetFormatSchema.default('ucr'),
  threshold: z.coerce.number().gt(0).lt(1).default(0.5),
  json: z.boolean().optional(),
});

/** New series usually have no label: a ucr file may leave the label column out. */
function withLabels(text: string): { text: string; labelled: boolean } {
  const firstLine = text.slice(0, text.indexOf('\n') >>> 0).trim();
  if (firstLine.split(',')[0]?.trim() === 'label') return { text, labelled: true };
  const lines = text.split('\n');
  return {
    text: lines.map((line, i) => (i === 0 ? `label,${line}` : line.trim() === '' ? line : `0,${line}`)).join('\n'),
    labelled: false,
  };
}

const TrialFileSchema = z.object({
  normalization: z.object({ mode: NormalizationSchema, stats: FeatureStatsSchema.optional() }).default({ mode: 'none' }),
});

async function readNormalization(dir: string): Promise<z.infer<typeof TrialFileSchema>['normalization']> {
  let text: string;
  try {
    text = await readFile(path.join(dir, 'trial.json'), 'utf8');
  } catch {
    return { mode: 'none' }; // a model exported by another tool: inputs are used as given
  }
  const parsed = TrialFileSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new UserError(`${path.join(dir, 'trial.json')}: ${formatZodIssues(parsed.error)}`);
  return parsed.data.normalization;
}

type Normalization = z.infer<typeof TrialFileSchema>['normalization'];
type ShapeError = (timesteps: unknown, features: unknown) => UserError;

async function isMiniRocketDir(dir: string): Promise<boolean> {
  const { MINIROCKET_FILE } = await import('../../model/minirocket/index.js');
  return stat(path.join(dir, MINIROCKET_FILE)).then(
    (s) => s.isFile(),
    () => false,
  );
}

/** Class probabilities of a MiniRocket model folder (minirocket.json, checked field by field). */
async function predictWithMiniRocket(
  dir: string,
  split: Split,
  normalization: Normalization,
  shapeError: ShapeError,
): Promise<Float32Array> {
  const { loadMiniRocket, predictMiniRocket } = await import('../../model/minirocket/index.js');
  let model;
  try {
    model = await loadMiniRocket(dir);
  } catch (err) {
    throw new UserError(
      `cannot load the MiniRocket model in ${dir}: ${(err as Error).message.split('\n')[0]} (export one with: lstm-sweep best <sweepId> --baseline --export <dir>)`,
    );
  }
  const { timesteps, features } = model.inputShape;
  if (timesteps !== split.timesteps || features !== split.features) throw shapeError(timesteps, features);
  return predictMiniRocket(model, normalizeSplit(split, normalization.mode, normalization.stats));
}

/** Class probabilities of a tfjs-layers model folder (model.json + weights.bin). */
async function predictWithLstm(dir: string, split: Split, normalization: Normalization, shapeError: ShapeError): Promise<Float32Array> {
  const tf = await import('@tensorflow/tfjs');
  const { initBackend } = await import('../../model/index.js');
  const { loadModel, readModelDir } = await import('../../model/saved-model.js');
  await initBackend('auto');
  let saved;
  try {
    saved = await readModelDir(dir);
  } catch (err) {
    throw new UserError(
      `cannot load a model from ${dir}: ${(err as Error).message.split('\n')[0]} (export one with: lstm-sweep best <sweepId> --export <dir>)`,
    );
  }
  let model;
  try {
    model = await loadModel(saved);
  } catch (err) {
    throw new UserError(
      `cannot load the model in ${dir}: ${(err as Error).message.split('\n')[0]} (its weights do not fit its model.json)`,
    );
  }
  const [, timesteps, features] = model.inputs[0]!.shape;
  if (timesteps !== split.timesteps || features !== split.features) {
    model.dispose();
    throw shapeError(timesteps, features);
  }
  // New series get the normalisation the model was trained with (trial.json, from best --export).
  const x = normalizeSplit(split, normalization.mode, normalization.stats).x;
  const probs = tf.tidy(() =>
    (model.predict(tf.tensor3d(x, [split.n, split.timesteps, split.features])) as import('@tensorflow/tfjs').Tensor).dataSync(),
  );
  model.dispose();
  return Float32Array.from(probs);
}

export function predictCommand(): Command {
  return new Command('predict')
    .requiredOption(
      '--model <dir>',
      'folder from best --export (model.json + weights.bin) or best --baseline --export (minirocket.json), with its trial.json',
    )
    .requiredOption('--data <file>', 'CSV of series in the training format (ucr: the label column may be left out)')
    .option('--format <format>', 'ucr | long', 'ucr')
    .option('--threshold <p>', 'probability above which a series is labelled 1', '0.5')
    .option(
      '--json',
      'print [{index, probability, label}] as JSON (probability of the predicted label; multi-class also lists all probabilities)',
    )
    .action(async (raw: Record<string, unknown>) => {
      const flags = parseFlags(FlagsSchema, raw);
      let text: string;
      try {
        text = await readFile(flags.data, 'utf8');
      } catch (err) {
        throw new UserError(`cannot read ${flags.data}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
      }
      const input = flags.format === 'ucr' ? withLabels(text) : { text, labelled: true };
      const split = await parseDatasetCsv(input.text, flags.format, { file: displayName(path.resolve(flags.data)), classes: MAX_CLASSES });

      const normalization = await readNormalization(flags.model);
      const shapeError = (timesteps: unknown, features: unknown) =>
        new UserError(
          `${flags.data} has series of shape (${split.timesteps}, ${split.features}); the model expects (${timesteps}, ${features})`,
        );
      // A sweep's baseline (best --baseline --export) is a MiniRocket model: minirocket.json.
      const probs = (await isMiniRocketDir(flags.model))
        ? await predictWithMiniRocket(flags.model, split, normalization, shapeError)
        : await predictWithLstm(flags.model, split, normalization, shapeError);
      // One sigmoid output (binary, threshold) or a softmax over k classes (argmax).
      const k = probs.length / split.n;
      const rows = Array.from({ length: split.n }, (_, index) => {
        const p = Array.from(probs.subarray(index * k, (index + 1) * k));
        const label = k === 1 ? (p[0]! >= flags.threshold ? 1 : 0) : p.indexOf(Math.max(...p));
        return {
          index,
          probability: k === 1 ? p[0]! : p[label]!,
          ...(k > 1 ? { probabilities: p } : {}),
          label,
          ...(input.labelled ? { trueLabel: split.y[index] } : {}),
        };
      });
      if (flags.json) {
        console.log(JSON.stringify(rows));
        return;
      }
      const table = new Table({
        head: ['#', 'probability', 'label', ...(input.labelled ? ['true'] : [])],
        style: { head: [], border: [] },
      });
      for (const r of rows) table.push([r.index, r.probability.toFixed(4), r.label, ...(input.labelled ? [r.trueLabel] : [])]);
      console.log(table.toString());
      if (input.labelled) {
        const correct = rows.filter((r) => r.label === r.trueLabel).length;
        console.log(`accuracy ${(correct / rows.length).toFixed(4)} (${correct}/${rows.length})`);
      }
    });
}
