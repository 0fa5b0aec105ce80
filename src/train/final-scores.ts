import type { RunConfig } from '../config/schema.ts';
import type { Dataset } from '../data/types.ts';
import type { Coordinator, PhaseStats } from './coordinator.ts';
import type { LoopResult } from './epochs.ts';

/** The test scores of a run's summary that were not logged per epoch. */
export interface FinalScores {
  testAccuracy?: number | null;
  testLoss?: number | null;
  bestTestAccuracy?: number | null;
  bestTestLoss?: number | null;
}

/**
 * With a validation split (and no train.testEveryEpoch) the test split was not scored during the
 * run, so that model selection never saw it: it is scored once here, with the final weights and,
 * with early stopping, with the best epoch's weights (model.best.safetensors). Without a validation
 * split the last epoch's metrics already hold the test scores: nothing to add.
 */
export async function finalScores(
  config: RunConfig,
  dataset: Dataset,
  validating: boolean,
  coordinator: Coordinator,
  loop: LoopResult,
): Promise<FinalScores> {
  if (!dataset.test) return {};
  const scores: FinalScores = {};
  if (validating && config.train.testEveryEpoch !== true) {
    Object.assign(scores, named(await coordinator.evaluate('test'), 'test'));
  }
  const best = loop.selection?.best;
  if (best) Object.assign(scores, named(await coordinator.evaluateWeights(best, 'test'), 'bestTest'));
  return scores;
}

function named(stats: PhaseStats, prefix: 'test' | 'bestTest'): FinalScores {
  return { [`${prefix}Accuracy`]: stats.correct / stats.count, [`${prefix}Loss`]: stats.lossSum / stats.count };
}
