/**
 * The names of the dataset formats, apart from their parsers (formats.ts) so that validating a
 * spec or a stored sweep does not load the CSV parsers (the light CLI commands read sweeps).
 */
export const FORMAT_NAMES = ['ucr', 'long'] as const;
export type DatasetFormat = (typeof FORMAT_NAMES)[number];
