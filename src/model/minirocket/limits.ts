/**
 * The largest train file MiniRocket's leave-one-out ridge takes: it decomposes the n x n Gram
 * matrix, O(n^3) time and O(n^2) memory. Its own module so that `enqueue` can check it without
 * loading the classifier and ml-matrix.
 */
export const MAX_TRAIN_SERIES = 5000;
