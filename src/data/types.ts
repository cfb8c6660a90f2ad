/** One split of a dataset, stored row-major as (n, timesteps, features). */
export interface Split {
  n: number;
  timesteps: number;
  features: number;
  /** length n * timesteps * features */
  x: Float32Array;
  /** length n, integer class labels stored as floats */
  y: Float32Array;
}

export interface Dataset {
  train: Split;
  test?: Split;
}

/** What a trial trains on after the train/validation split. */
export interface TrainingData {
  train: Split;
  validation: Split;
  test?: Split;
}
