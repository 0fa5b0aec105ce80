/**
 * npm run gradcheck -- <graph spec or model config> [--tolerance 1e-3]
 * Compares backprop against numerical gradients for every input (graph) or parameter (model) and
 * prints the max relative error per tensor. Exit 0 within tolerance, 1 above it, 2 on bad input.
 */
import { UserError, runCli } from '../errors.ts';
import { gradcheck } from '../gradcheck/check.ts';
import { loadSubject } from '../gradcheck/load.ts';
import { formatReport, worstError } from '../gradcheck/table.ts';
import { parseCliArgs } from './args.ts';

const USAGE = 'npm run gradcheck -- <graph spec or model config> [--tolerance 1e-3]';

await runCli(async () => {
  const { values, positionals } = parseCliArgs(
    process.argv.slice(2),
    { tolerance: { type: 'string', default: '1e-3' } },
    USAGE,
  );
  const tolerance = Number(values.tolerance);
  if (values.tolerance.trim() === '' || !(tolerance >= 0)) {
    throw new UserError(`✖ tolerance must be a number ≥ 0, got "${values.tolerance}" → at --tolerance`);
  }
  if (positionals.length !== 1)
    throw new UserError(`✖ expected one file, got ${positionals.length}\n✖ usage: ${USAGE}`);

  const { subject } = loadSubject(positionals[0]);
  const reports = gradcheck(subject);
  process.stdout.write(formatReport(reports, tolerance));
  if (worstError(reports) > tolerance) process.exitCode = 1;
});
