/** The lake's public surface: open a lake, write batches, read and query committed files. */
export { openLake, type Lake } from './lake.ts';
export type { BatchWriter, BatchWriterOptions, BatchWriteResult } from './writer.ts';
export { datasetReferences, type QueryDataset, type QueryOptions, type QueryResult } from './query.ts';
export { ValueError } from './input-values.ts';
export type { LakeRow, LakeValue } from './output-values.ts';
export type { FileCheck, FileProblem } from './integrity.ts';
