// Limits on dataset files, apart from the parsers so that commands that only read them (config,
// status) do not load csv-parse.

/** Largest dataset file read by default, in MB (`enqueue --max-dataset-mb`, `LSW_MAX_DATASET_MB`). */
export const DEFAULT_MAX_DATASET_MB = 100;
