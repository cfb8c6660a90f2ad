/**
 * Classification metrics on plain arrays: binary (labels 0/1, scores or probabilities of class 1:
 * rocAuc, accuracy, binaryCrossEntropy, balancedAccuracy) and k classes (multiclassMetrics on
 * row-major n x k softmax probabilities).
 */
type Num = ArrayLike<number>;

function checkLengths(a: Num, b: Num): void {
  if (a.length !== b.length) throw new Error(`length mismatch: ${a.length} labels vs ${b.length} scores`);
}

/**
 * ROC AUC by the rank-sum (Mann-Whitney U) formula; tied scores get their average rank,
 * i.e. a tie between a positive and a negative counts 1/2.
 * Returns NaN when only one class is present (AUC is undefined, like sklearn's error)
 * and for empty input; callers should treat NaN as "not available".
 */
export function rocAuc(yTrue: Num, yScore: Num): number {
  checkLengths(yTrue, yScore);
  const n = yTrue.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => yScore[i]! - yScore[j]!);
  let nPos = 0;
  let rankSumPos = 0;
  for (let start = 0; start < n;) {
    let end = start + 1;
    while (end < n && yScore[order[end]!] === yScore[order[start]!]) end++;
    const avgRank = (start + 1 + end) / 2; // ranks start+1 .. end, 1-based
    for (let k = start; k < end; k++) {
      if (yTrue[order[k]!]! >= 0.5) {
        nPos++;
        rankSumPos += avgRank;
      }
    }
    start = end;
  }
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) return NaN;
  return (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/** Fraction of samples whose thresholded probability equals the label. */
export function accuracy(yTrue: Num, yProb: Num, threshold = 0.5): number {
  checkLengths(yTrue, yProb);
  if (yTrue.length === 0) return NaN;
  let correct = 0;
  for (let i = 0; i < yTrue.length; i++) {
    if (yProb[i]! >= threshold === yTrue[i]! >= 0.5) correct++;
  }
  return correct / yTrue.length;
}

/** Mean binary cross-entropy; probabilities are clipped to [eps, 1 - eps] like Keras (eps 1e-7). */
export function binaryCrossEntropy(yTrue: Num, yProb: Num, eps = 1e-7): number {
  checkLengths(yTrue, yProb);
  if (yTrue.length === 0) return NaN;
  let sum = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const p = Math.min(Math.max(yProb[i]!, eps), 1 - eps);
    const y = yTrue[i]!;
    sum -= y * Math.log(p) + (1 - y) * Math.log(1 - p);
  }
  return sum / yTrue.length;
}

/**
 * Mean of the per-class recalls (threshold on the positive-class probability): unlike accuracy,
 * a classifier that always predicts the majority class of an imbalanced set scores 0.5. Classes
 * absent from `yTrue` are left out of the mean; NaN when it is empty.
 */
export function balancedAccuracy(yTrue: Num, yProb: Num, threshold = 0.5): number {
  const hits = [0, 0];
  const counts = [0, 0];
  for (let i = 0; i < yTrue.length; i++) {
    const label = yTrue[i]! >= 0.5 ? 1 : 0;
    counts[label]!++;
    if ((yProb[i]! >= threshold ? 1 : 0) === label) hits[label]!++;
  }
  const recalls = [0, 1].filter((c) => counts[c]! > 0).map((c) => hits[c]! / counts[c]!);
  return recalls.length === 0 ? Number.NaN : recalls.reduce((a, b) => a + b, 0) / recalls.length;
}

/** Loss, accuracy, balanced accuracy and macro one-vs-rest ROC AUC of k-class probabilities (row-major n x k). */
export function multiclassMetrics(yTrue: Num, probs: Num, k: number): { loss: number; acc: number; balancedAcc: number; auc: number } {
  const n = yTrue.length;
  let loss = 0;
  let correct = 0;
  const hits = new Array<number>(k).fill(0);
  const counts = new Array<number>(k).fill(0);
  for (let i = 0; i < n; i++) {
    const label = Math.round(yTrue[i]!);
    let best = 0;
    for (let c = 1; c < k; c++) if (probs[i * k + c]! > probs[i * k + best]!) best = c;
    loss -= Math.log(Math.min(1 - 1e-7, Math.max(1e-7, probs[i * k + label]!)));
    counts[label]!++;
    if (best === label) {
      correct++;
      hits[label]!++;
    }
  }
  const present = counts.map((c, cls) => [c, cls] as const).filter(([c]) => c > 0);
  const recalls = present.map(([c, cls]) => hits[cls]! / c);
  const aucs = present
    .map(([, cls]) =>
      rocAuc(
        Array.from(yTrue, (y) => (Math.round(y) === cls ? 1 : 0)),
        Array.from({ length: n }, (_, i) => probs[i * k + cls]!),
      ),
    )
    .filter(Number.isFinite);
  const mean = (xs: number[]) => (xs.length === 0 ? Number.NaN : xs.reduce((a, b) => a + b, 0) / xs.length);
  return { loss: loss / n, acc: correct / n, balancedAcc: mean(recalls), auc: mean(aucs) };
}
