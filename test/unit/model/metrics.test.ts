import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { accuracy, binaryCrossEntropy, rocAuc } from '../../../src/model/metrics.js';

const close = (a: number, b: number, eps = 1e-9) => assert.ok(Math.abs(a - b) < eps, `${a} != ${b}`);

describe('rocAuc', () => {
  test('perfect, reversed and sklearn example', () => {
    assert.equal(rocAuc([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9]), 1);
    assert.equal(rocAuc([0, 0, 1, 1], [0.9, 0.8, 0.2, 0.1]), 0);
    close(rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]), 0.75);
  });
  test('ties count one half', () => {
    assert.equal(rocAuc([0, 1], [0.5, 0.5]), 0.5);
    close(rocAuc([0, 0, 1, 1], [0.1, 0.5, 0.5, 0.9]), 0.875);
    assert.equal(rocAuc([1, 0, 1, 0, 1], [0.3, 0.3, 0.3, 0.3, 0.3]), 0.5);
  });
  test('order of samples does not matter; Float32Array input', () => {
    const y = new Float32Array([1, 0, 0, 1, 0, 1]);
    const s = new Float32Array([0.7, 0.2, 0.7, 0.9, 0.1, 0.3]);
    // pairs (pos, neg): 0.7:{>0.2, =0.7, >0.1} 0.9:{3} 0.3:{>0.2, <0.7, >0.1} -> (2.5 + 3 + 2) / 9
    close(rocAuc(y, s), 7.5 / 9);
  });
  test('single class or empty gives NaN', () => {
    assert.ok(Number.isNaN(rocAuc([1, 1, 1], [0.2, 0.5, 0.9])));
    assert.ok(Number.isNaN(rocAuc([0, 0], [0.2, 0.5])));
    assert.ok(Number.isNaN(rocAuc([], [])));
  });
  test('length mismatch throws', () => {
    assert.throws(() => rocAuc([0, 1], [0.5]), /length mismatch/);
  });
});

describe('accuracy', () => {
  test('threshold 0.5 inclusive, custom threshold', () => {
    assert.equal(accuracy([1, 0, 1, 0], [0.6, 0.4, 0.4, 0.5]), 0.5);
    assert.equal(accuracy([1, 0, 1, 0], [0.6, 0.4, 0.4, 0.5], 0.55), 0.75);
    assert.equal(accuracy([1, 1], [0.9, 0.99]), 1);
  });
});

describe('binaryCrossEntropy', () => {
  test('known value', () => {
    close(binaryCrossEntropy([1, 0], [0.9, 0.2]), -(Math.log(0.9) + Math.log(0.8)) / 2);
    close(binaryCrossEntropy([1, 1, 0, 0], [0.5, 0.5, 0.5, 0.5]), Math.log(2));
  });
  test('clips like Keras (eps 1e-7), stays finite', () => {
    close(binaryCrossEntropy([1], [0]), -Math.log(1e-7));
    close(binaryCrossEntropy([0], [1]), -Math.log(1e-7), 1e-6);
    close(binaryCrossEntropy([1], [1]), -Math.log(1 - 1e-7));
  });
  test('NaN probabilities propagate', () => {
    assert.ok(Number.isNaN(binaryCrossEntropy([1], [NaN])));
  });
});

describe('balanced accuracy', () => {
  test('mean of per-class recalls; the majority-class predictor scores 0.5', async () => {
    const { balancedAccuracy } = await import('../../../src/model/metrics.js');
    const y = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1];
    assert.equal(
      balancedAccuracy(
        y,
        y.map(() => 0.1),
      ),
      0.5,
    );
    // class 0: 7/8 right, class 1: 1/2 right
    assert.equal(balancedAccuracy(y, [0.9, 0, 0, 0, 0, 0, 0, 0, 0.8, 0.3]), (7 / 8 + 1 / 2) / 2);
    assert.equal(balancedAccuracy([1, 1], [0.9, 0.2]), 0.5, 'only the classes present count');
    assert.ok(Number.isNaN(balancedAccuracy([], [])));
  });
});

describe('multi-class metrics', () => {
  test('loss, accuracy, balanced accuracy and macro one-vs-rest AUC', async () => {
    const { multiclassMetrics } = await import('../../../src/model/metrics.js');
    const y = [0, 1, 2, 2];
    const probs = [0.8, 0.1, 0.1, /**/ 0.2, 0.7, 0.1, /**/ 0.1, 0.2, 0.7, /**/ 0.5, 0.3, 0.2];
    const m = multiclassMetrics(y, probs, 3);
    close(m.acc, 3 / 4);
    close(m.balancedAcc, (1 + 1 + 0.5) / 3);
    close(m.loss, -(Math.log(0.8) + Math.log(0.7) + Math.log(0.7) + Math.log(0.2)) / 4);
    // class 0: scores [.8,.2,.1,.5] vs y==0 -> 1; class 1: [.1,.7,.2,.3] -> 1; class 2: [.1,.1,.7,.2] pos {.7,.2} neg {.1,.1} -> 1
    close(m.auc, 1);
  });
});
