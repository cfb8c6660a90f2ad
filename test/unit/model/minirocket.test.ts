import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Matrix, solve } from 'ml-matrix';
import type { Split } from '../../../src/data/types.js';
import { loadDataset } from '../../../src/data/load.js';
import { createRng } from '../../../src/util/rng.js';
import {
  MINIROCKET_FILE,
  decisionMiniRocket,
  fitMiniRocket,
  loadMiniRocket,
  predictMiniRocket,
  saveMiniRocket,
} from '../../../src/model/minirocket/index.js';
import { dilationPlan, featureQuantiles, paddingFlags } from '../../../src/model/minirocket/kernels.js';
import { fitTransform, transformRange } from '../../../src/model/minirocket/transform.js';
import { fitRidgeCv } from '../../../src/model/minirocket/ridge-cv.js';
import { crossEntropy, fitScale, probabilities } from '../../../src/model/minirocket/calibration.js';

const datasetsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../shared/datasets');

/** n series of `classes` shapes (a bump whose place, and channel when F > 1, depends on the class) plus noise. */
function synthetic(n: number, timesteps: number, features: number, classes: number, seed: number): Split {
  const rng = createRng(seed);
  const x = new Float32Array(n * timesteps * features);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const label = i % classes;
    y[i] = label;
    const centre = ((label + 1) * timesteps) / (classes + 1);
    for (let t = 0; t < timesteps; t++) {
      for (let f = 0; f < features; f++) {
        const bump = f === label % features ? Math.exp(-(((t - centre) / 4) ** 2)) * 3 : 0;
        x[(i * timesteps + t) * features + f] = bump + (rng() - 0.5);
      }
    }
  }
  return { n, timesteps, features, x, y };
}

const argmax = (row: ArrayLike<number>) => Array.from(row).reduce((best, v, i, a) => (v > a[best]! ? i : best), 0);

describe('MiniRocket ridge: efficient leave-one-out', () => {
  test('equals refitting without each series, for every alpha', async () => {
    const n = 13; // not a multiple of the Gram matrix blocks
    const p = 30;
    const t = 2;
    const rng = createRng(7);
    const z = Float32Array.from({ length: n * p }, () => rng() * 2 - 1);
    const y = Float64Array.from({ length: n * t }, () => (rng() < 0.5 ? -1 : 1));
    for (const alpha of [0.01, 1, 30]) {
      const fit = await fitRidgeCv(z, n, p, y, t, [alpha]);
      // Brute force: ridge with an unpenalised intercept on the other n - 1 series, penalty alpha * n
      // (the Gram matrix is divided by n, as RidgeClassifierCV(normalize=True) scaled features by 1/sqrt(n)).
      let sse = 0;
      for (let left = 0; left < n; left++) {
        const rows = [...Array(n).keys()].filter((i) => i !== left);
        const { w, b } = primalRidge(z, p, y, t, rows, alpha * n);
        for (let c = 0; c < t; c++) {
          let pred = b[c]!;
          for (let j = 0; j < p; j++) pred += w.get(j, c) * z[left * p + j]!;
          assert.ok(
            Math.abs(pred - fit.looDecision[left * t + c]!) < 1e-6,
            `alpha ${alpha} series ${left}: ${pred} vs ${fit.looDecision[left * t + c]}`,
          );
          sse += (y[left * t + c]! - pred) ** 2;
        }
      }
      assert.ok(Math.abs(sse / (n * t) - fit.looMse[0]!) < 1e-6);
      // The final weights are the primal solution on all series.
      const full = primalRidge(z, p, y, t, [...Array(n).keys()], alpha * n);
      for (let c = 0; c < t; c++) {
        assert.ok(Math.abs(full.b[c]! - fit.intercepts[c]!) < 1e-6);
        for (let j = 0; j < p; j++) assert.ok(Math.abs(full.w.get(j, c) - fit.weights[c * p + j]!) < 1e-6);
      }
    }
  });

  test('picks the alpha with the smallest leave-one-out error', async () => {
    const n = 20;
    const p = 50;
    const rng = createRng(3);
    const z = Float32Array.from({ length: n * p }, () => rng() * 2 - 1);
    const y = Float64Array.from({ length: n }, (_, i) => (z[i * p]! + 0.3 * (rng() - 0.5) > 0 ? 1 : -1));
    const alphas = [0.001, 0.1, 10, 1000];
    const fit = await fitRidgeCv(z, n, p, y, 1, alphas);
    assert.equal(fit.looMse.length, 4);
    assert.equal(fit.alpha, alphas[fit.looMse.indexOf(Math.min(...fit.looMse))]);
  });
});

function primalRidge(z: Float32Array, p: number, y: Float64Array, t: number, rows: number[], penalty: number): { w: Matrix; b: number[] } {
  const m = rows.length;
  const zm = new Array<number>(p).fill(0);
  const ym = new Array<number>(t).fill(0);
  for (const i of rows) {
    for (let j = 0; j < p; j++) zm[j]! += z[i * p + j]! / m;
    for (let c = 0; c < t; c++) ym[c]! += y[i * t + c]! / m;
  }
  const zc = new Matrix(rows.map((i) => Array.from({ length: p }, (_, j) => z[i * p + j]! - zm[j]!)));
  const yc = new Matrix(rows.map((i) => Array.from({ length: t }, (_, c) => y[i * t + c]! - ym[c]!)));
  const w = solve(zc.transpose().mmul(zc).add(Matrix.eye(p).mul(penalty)), zc.transpose().mmul(yc));
  const b = ym.map((mean, c) => mean - zm.reduce((s, v, j) => s + v * w.get(j, c), 0));
  return { w, b };
}

describe('MiniRocket calibration', () => {
  test('the scale minimises the leave-one-out cross-entropy; separable scores stay short of 0/1', () => {
    const decision = [-1.2, -0.8, -0.1, 0.3, 0.9, 1.1, 0.2, -0.4];
    const labels = [0, 0, 1, 1, 1, 1, 0, 0];
    const scale = fitScale(decision, labels, 2);
    const best = crossEntropy(decision, labels, 2, scale);
    for (const other of [scale * 0.8, scale * 1.25]) assert.ok(crossEntropy(decision, labels, 2, other) > best);
    // All right: Platt's targets (N + 1) / (N + 2) keep the scale finite instead of at its bound.
    const separable = fitScale([-1, -0.9, 0.8, 1.1], [0, 0, 1, 1], 2);
    assert.ok(separable < 100, `scale ${separable}`);
    const p = probabilities([-1, 1], 2, 2, separable);
    assert.ok(p[0]! > 0.01 && p[1]! < 0.99);
    const soft = probabilities([1, 0, -1, 0, 2, 0.5], 2, 3, 2);
    assert.ok(Math.abs(soft[0]! + soft[1]! + soft[2]! - 1) < 1e-6 && soft[0]! > soft[1]! && soft[4]! > soft[5]!);
  });
});

describe('MiniRocket transform', () => {
  test('9,996 PPV features in [0, 1], both padding kinds, quantiles in (0, 1)', () => {
    const split = synthetic(6, 60, 1, 2, 1);
    const plan = dilationPlan(60);
    assert.deepEqual(plan.dilations, [1, 2, 3, 4, 5, 6, 7]);
    assert.equal(plan.featuresPerDilation.reduce((a, b) => a + b, 0) * 84, 9996);
    const padding = paddingFlags(plan.dilations.length);
    assert.ok(padding.includes(true) && padding.includes(false));
    const params = fitTransform(split, { ...plan, padding }, createRng(0));
    assert.equal(params.biases.length, 9996);
    const out = new Float32Array(6 * 9996);
    transformRange(params, split, 0, 6, out);
    assert.ok(out.every((v) => v >= 0 && v <= 1));
    // Biases are quantiles of real outputs, so the features are not all 0 or all 1.
    assert.ok(out.some((v) => v > 0 && v < 1));
    assert.ok(featureQuantiles(100).every((q) => q > 0 && q < 1));
  });
});

describe('MiniRocket classifier', () => {
  const train = synthetic(30, 80, 1, 3, 11);
  const test2 = synthetic(20, 80, 1, 3, 12);

  test('same seed, same model; another seed, other biases', async () => {
    const a = await fitMiniRocket(train, { seed: 5, classes: 3 });
    const b = await fitMiniRocket(train, { seed: 5, classes: 3 });
    const c = await fitMiniRocket(train, { seed: 6, classes: 3 });
    assert.deepEqual(a.model, b.model);
    assert.notEqual(a.model.biases, c.model.biases);
    assert.equal(a.features, 9996);
  });

  test('probabilities: rows sum to 1, argmax is the ridge decision, validation figures in range', async () => {
    const fit = await fitMiniRocket(train, { seed: 1, classes: 3 });
    const probs = predictMiniRocket(fit.model, test2);
    const decision = decisionMiniRocket(fit.model, test2);
    assert.equal(probs.length, 20 * 3);
    let correct = 0;
    for (let i = 0; i < 20; i++) {
      const row = probs.subarray(i * 3, i * 3 + 3);
      assert.ok(Math.abs(row[0]! + row[1]! + row[2]! - 1) < 1e-5);
      assert.equal(argmax(row), argmax(decision.subarray(i * 3, i * 3 + 3)));
      if (argmax(row) === test2.y[i]) correct++;
    }
    assert.ok(correct >= 18, `easy synthetic task: ${correct}/20`);
    const v = fit.validation;
    for (const value of [v.acc, v.auc, v.balancedAcc]) assert.ok(value >= 0 && value <= 1);
    assert.ok(v.loss > 0 && Number.isFinite(v.loss));
  });

  test('binary: P(class 1) >= 0.5 exactly when the decision is positive', async () => {
    const bin = synthetic(24, 50, 1, 2, 4);
    const fit = await fitMiniRocket(bin, { seed: 2, classes: 2 });
    const other = synthetic(16, 50, 1, 2, 9);
    const probs = predictMiniRocket(fit.model, other);
    const decision = decisionMiniRocket(fit.model, other);
    assert.equal(probs.length, 16);
    for (let i = 0; i < 16; i++) assert.equal(probs[i]! >= 0.5, decision[i]! > 0);
  });

  test('multivariate: channel combinations, learns which channel carries the class', async () => {
    const mtrain = synthetic(24, 40, 3, 3, 21);
    const mtest = synthetic(15, 40, 3, 3, 22);
    const fit = await fitMiniRocket(mtrain, { seed: 0, classes: 3 });
    const { channelCounts, channelIndices } = fit.model;
    assert.ok(channelCounts.every((c) => c >= 1 && c <= 3));
    assert.ok(channelCounts.some((c) => c > 1));
    assert.ok(channelIndices.every((c) => c >= 0 && c < 3));
    const probs = predictMiniRocket(fit.model, mtest);
    let correct = 0;
    for (let i = 0; i < 15; i++) if (argmax(probs.subarray(i * 3, i * 3 + 3)) === mtest.y[i]) correct++;
    assert.ok(correct >= 13, `${correct}/15`);
    assert.throws(() => predictMiniRocket(fit.model, synthetic(2, 40, 2, 3, 1)), /40 time steps x 3 features, got 40 x 2/);
  });

  test('save/load round trip predicts the same; tampered files are refused by field', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'lsw-minirocket-'));
    try {
      const fit = await fitMiniRocket(train, { seed: 3, classes: 3 });
      await saveMiniRocket(dir, fit.model);
      const loaded = await loadMiniRocket(dir);
      assert.deepEqual(predictMiniRocket(loaded, test2), predictMiniRocket(fit.model, test2));
      const file = path.join(dir, MINIROCKET_FILE);
      const original = JSON.parse(await readFile(file, 'utf8'));

      const shortBiases = Buffer.from(original.biases, 'base64').subarray(4).toString('base64');
      await writeFile(file, JSON.stringify({ ...original, biases: shortBiases }));
      await assert.rejects(
        loadMiniRocket(dir),
        (err: Error) => err.message.includes(MINIROCKET_FILE) && /biases: holds 9995 float32 values, expected 9996/.test(err.message),
      );

      await writeFile(file, JSON.stringify({ ...original, format: 'lstm-sweep/model' }));
      await assert.rejects(loadMiniRocket(dir), /minirocket\.json: .*format: expected format "lstm-sweep\/minirocket"/);

      await writeFile(file, JSON.stringify({ ...original, padding: original.padding.slice(1) }));
      await assert.rejects(loadMiniRocket(dir), /padding: has \d+ entries, expected \d+/);

      await writeFile(file, JSON.stringify({ ...original, intercepts: [0] }));
      await assert.rejects(loadMiniRocket(dir), /intercepts: has 1 entries, expected 3/);

      await writeFile(file, '{ not json');
      await assert.rejects(loadMiniRocket(dir), /minirocket\.json: cannot read a MiniRocket model/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('an aborted signal stops the fit', async () => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(fitMiniRocket(train, { seed: 0, classes: 3, signal: controller.signal }), /abort/i);
  });
});

describe('MiniRocket on real UCR data (published: Dempster et al. 2021, default split)', () => {
  const published: Record<string, [number, number]> = { GunPoint: [2, 0.9933], ItalyPowerDemand: [2, 0.9689], ECG200: [2, 0.91] };
  for (const [name, [classes, figure]] of Object.entries(published)) {
    test(`${name}: test accuracy within 0.02 of ${figure}`, async () => {
      const dir = path.join(datasetsDir, name);
      assert.ok(existsSync(dir), `${dir} is missing: the real-data check needs ../shared/datasets`);
      const { train, test } = await loadDataset({ train: 'train.csv', test: 'test.csv', format: 'ucr' } as never, {
        baseDir: dir,
        classes,
      });
      const fit = await fitMiniRocket(train, { seed: 0, classes });
      const probs = predictMiniRocket(fit.model, test!);
      let correct = 0;
      for (let i = 0; i < test!.n; i++) if ((probs[i]! >= 0.5 ? 1 : 0) === test!.y[i]) correct++;
      const acc = correct / test!.n;
      assert.ok(Math.abs(acc - figure) <= 0.02, `${name}: ${acc.toFixed(4)} vs published ${figure}`);
    });
  }
});
