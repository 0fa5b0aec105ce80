/**
 * Rows from an input file of any kind predict and eval take (CSV, IDX images, JSON; any of them
 * gzipped), in blocks. The kind is told from the file's first bytes.
 */
import { UserError } from '../../errors.ts';
import type { InputBlock, ReadOptions } from './blocks.ts';
import { readCsvBlocks } from './csv.ts';
import { readIdxBlocks } from './idx.ts';
import { readJsonBlocks } from './json.ts';
import { openInput } from './open.ts';

export type { InputBlock, ReadOptions } from './blocks.ts';

export async function* readInputBlocks(path: string, options: ReadOptions): AsyncGenerator<InputBlock> {
  const input = await openInput(path);
  if (options.labelsFile !== undefined && input.kind !== 'idx') {
    throw new UserError(
      `✖ --labels is for IDX images; this ${input.kind.toUpperCase()} file holds its own labels → at --labels`,
    );
  }
  if (input.kind === 'idx' && options.targetColumns && options.labels === 'required') {
    throw new UserError(`✖ IDX images carry no regression targets: give a CSV or JSON file with them → at ${path}`);
  }
  if (input.kind === 'csv') yield* readCsvBlocks(input, options);
  else if (input.kind === 'idx') yield* readIdxBlocks(input, options);
  else yield* readJsonBlocks(input, options);
}
