import { test } from 'node:test';
import assert from 'node:assert/strict';
import { coordinates, JointParzen } from '../../../src/search/joint-parzen.js';
import type { Dimension } from '../../../src/search/space.js';
import { createRng } from '../../../src/util/rng.js';

const space: Dimension[] = [
  { kind: 'float', name: 'x', min: 0, max: 1, log: false },
  { kind: 'int', name: 'k', min: 1, max: 8, log: true },
  { kind: 'categorical', name: 'c', values: ['a', 'b', 'c'] },
];
const observed = [
  { x: 0.2, k: 2, c: 'a' },
  { x: 0.25, k: 3, c: 'a' },
  { x: 0.9, k: 8, c: 'c' },
].map((a) => coordinates(space, a)!);

test('joint parzen: a normalized density over a mixed space (integral over x, sum over k and c)', () => {
  const p = new JointParzen(space, observed);
  let total = 0;
  const steps = 2000;
  for (let k = 1; k <= 8; k++) {
    for (let c = 0; c < 3; c++) {
      for (let i = 0; i < steps; i++) total += Math.exp(p.logDensity([(i + 0.5) / steps, Math.log(k), c])) / steps;
    }
  }
  assert.ok(Math.abs(total - 1) < 2e-3, `total probability ${total}`);
});

test('joint parzen: draws are legal and keep the dependence between dimensions', () => {
  const p = new JointParzen(space, observed);
  const rng = createRng(4);
  let nearLowA = 0;
  let nearHighC = 0;
  let crossed = 0;
  for (let i = 0; i < 4000; i++) {
    const a = p.sample(rng);
    const x = coordinates(space, a);
    assert.ok(x, `legal draw ${JSON.stringify(a)}`);
    assert.ok(Number.isInteger(a.k));
    if ((a.x as number) < 0.4 && a.c === 'a') nearLowA++;
    if ((a.x as number) > 0.7 && a.c === 'c') nearHighC++;
    if ((a.x as number) > 0.7 && a.c === 'a') crossed++;
  }
  // each observation's kernel keeps its x with its category: low x goes with 'a', high x with 'c'
  // (high x with 'a' comes from the prior and the smoothing of the 'c' kernel's category only)
  assert.ok(nearLowA > 2 * crossed && nearHighC > crossed, `${nearLowA} ${nearHighC} vs crossed ${crossed}`);
  // the density is highest near the two close observations
  assert.ok(p.logDensity(coordinates(space, { x: 0.22, k: 2, c: 'a' })!) > p.logDensity(coordinates(space, { x: 0.6, k: 5, c: 'b' })!));
});

test('coordinates: undefined for an assignment outside the space', () => {
  assert.equal(coordinates(space, { x: 2, k: 2, c: 'a' }), undefined);
  assert.equal(coordinates(space, { x: 0.5, k: 2, c: 'z' }), undefined);
  assert.deepEqual(coordinates(space, { x: 0.5, k: 4, c: 'b' }), [0.5, Math.log(4), 1]);
});
