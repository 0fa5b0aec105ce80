/** What LoadedModel.evaluate takes (loaded-model.ts, regression-data.ts). */
import type { Inputs } from '../data/types.ts';
import type { Rows } from './rows.ts';

/** Rows as a data loader gives them: preprocessed inputs (float32, or bytes with their values), class-index targets. */
export interface PreparedSplit {
  readonly inputs: Inputs;
  readonly targets: ArrayLike<number>;
  readonly count: number;
}

/**
 * What evaluate takes: a loaded split or dataset (its test split), or raw rows with their labels
 * (a classifier) or their targets (a regressor: rows × outputs values, flat or one array per row).
 */
export type EvaluationData =
  | PreparedSplit
  | { readonly test: PreparedSplit | null }
  | { readonly rows: Rows; readonly labels: ArrayLike<number | string> }
  | { readonly rows: Rows; readonly targets: ArrayLike<number> | ArrayLike<ArrayLike<number>> };
