import { join } from 'node:path';
import { writeComparison } from '../report/compare-report.ts';
import { formatRanking, rankPoints } from './rank.ts';
import { trialDir, writeResults, type TrialResult } from './results.ts';
import type { Sweep } from './schema.ts';

/** The comparison report overlays this many trials at most (the best ones): more is unreadable. */
export const COMPARE_LIMIT = 12;

export interface SweepReport {
  table: string;
  results: string;
  compare: string | null;
  failed: number;
}

/** Writes results.jsonl and compare.html (the best trials, in rank order) and returns the ranked table. */
export async function finishSweep(sweep: Sweep, results: readonly TrialResult[], outDir: string): Promise<SweepReport> {
  const resultsFile = writeResults(outDir, results);
  const points = rankPoints(results, sweep.rank);
  const best = points
    .flatMap((p) => p.trials)
    .filter((t) => t.status === 'done')
    .slice(0, COMPARE_LIMIT);
  const compare =
    best.length > 0
      ? await writeComparison(
          best.map((t) => trialDir(outDir, t.id)),
          join(outDir, 'compare.html'),
        )
      : null;
  return {
    table: formatRanking(points, sweep.rank, sweep.repeats),
    results: resultsFile,
    compare,
    failed: results.filter((r) => r.status === 'failed').length,
  };
}
