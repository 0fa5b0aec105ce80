/**
 * `npm run gradcheck -- <graph spec or model config> [--tolerance 1e-3]`: compares backprop against
 * numerical gradients for every input (graph) or parameter (model) and prints the max relative
 * error per tensor. Exit 0 within tolerance, 1 above it, 2 on bad input.
 */
import { gradcheck } from '../gradcheck/check.ts';
import { loadSubject } from '../gradcheck/load.ts';
import { formatReport, worstError } from '../gradcheck/table.ts';
import { numberFlag, parseCommand } from './args.ts';
import { isScript, runCommand, runScript, userPath, type Io } from './io.ts';

export const command = {
  usage: 'npm run gradcheck -- <graph spec | model config> [--tolerance 1e-3]',
  about:
    'Compares backprop (float32, as in training) against central differences of a float64 copy for\n' +
    'every element of every graph input, or every parameter of a model config, and prints the max\n' +
    'relative error per tensor. Exits 1 when an error is above the tolerance.',
  flags: {
    tolerance: { type: 'string', value: 'X', default: '1e-3', description: 'the largest relative error that passes' },
  },
  positionals: { min: 1, max: 1, name: 'file' },
} as const;

export async function main(argv: string[], io: Io): Promise<number> {
  return runCommand(io, async () => {
    const args = parseCommand(command, argv, io);
    if (!args) return 0;
    const tolerance = numberFlag(args.values.tolerance, 'tolerance')!;
    const { subject } = loadSubject(userPath(io, args.positionals[0]));
    const reports = gradcheck(subject);
    io.stdout.write(formatReport(reports, tolerance));
    return worstError(reports) > tolerance ? 1 : 0;
  });
}

if (isScript(import.meta.url)) await runScript(main);
