/**
 * An experiment as a script: sweeps learning rate × hidden units of the bundled MNIST example and
 * prints a table of test accuracies. Run: npm run sweep [-- --epochs N] [--train ROWS] [...]
 */
import { fileURLToPath } from 'node:url';
import { integerFlag, listFlag, numberFlag, parseCommand } from '../cli/args.ts';
import { isScript, runCommand, runScript, type Io } from '../cli/io.ts';
import { plural } from '../cli/words.ts';
import { MAX_WORKERS } from '../config/schema.ts';
import { MNIST_TOTAL } from '../data/schema.ts';
import { loadConfig, train, type RunConfig } from '../index.ts';

const EXAMPLE = fileURLToPath(new URL('../../data/configs/mnist-mlp.json', import.meta.url));

export const command = {
  usage: 'npm run sweep -- [--epochs N] [--train ROWS] [--rates LIST] [--units LIST] [--workers N]',
  about:
    'Trains the bundled MNIST example (data/configs/mnist-mlp.json) once per learning rate and\n' +
    'hidden-layer width, with plain SGD, and prints a table of test accuracies. Nothing is written.',
  flags: {
    epochs: { type: 'string', value: 'N', default: '3', description: 'epochs per run' },
    train: { type: 'string', value: 'ROWS', description: 'training digits (default: the example’s 8000)' },
    rates: { type: 'string', value: 'LIST', default: '0.03,0.1,0.3', description: 'learning rates, comma-separated' },
    units: { type: 'string', value: 'LIST', default: '25,50,100', description: 'hidden units, comma-separated' },
    workers: { type: 'string', value: 'N', description: 'threads computing (default: the example’s)' },
  },
  positionals: { min: 0, max: 0, name: 'argument' },
} as const;

export async function main(argv: string[], io: Io): Promise<number> {
  return runCommand(io, async () => {
    const args = parseCommand(command, argv, io);
    if (!args) return 0;
    const base = loadConfig(EXAMPLE);
    if (base.data.source !== 'mnist') throw new Error(`${EXAMPLE} no longer trains on the bundled digits`);
    const epochs = integerFlag(args.values.epochs, 'epochs')!;
    const rows = integerFlag(args.values.train, 'train', { max: MNIST_TOTAL - base.data.test });
    const data = rows === undefined ? base.data : { ...base.data, train: rows };
    const learningRates = listFlag(args.values.rates, 'rates', (r) => numberFlag(r, 'rates', { positive: true })!);
    const hiddenUnits = listFlag(args.values.units, 'units', (u) => integerFlag(u, 'units')!);
    const workers = integerFlag(args.values.workers, 'workers', { max: MAX_WORKERS });

    const table: string[][] = [];
    for (const units of hiddenUnits) {
      const row = [String(units)];
      for (const learningRate of learningRates) {
        const config = variant({ ...base, data }, { units, learningRate, epochs });
        const { summary } = await train(config, { write: false, workers });
        row.push(summary.testAccuracy?.toFixed(4) ?? 'n/a');
      }
      table.push(row);
    }
    io.stdout.write(`test accuracy after ${plural(epochs, 'epoch')}\n`);
    io.stdout.write(formatTable(['units \\ lr', ...learningRates.map(String)], table));
  });
}

/** The example with another first-layer width, SGD at `learningRate`, for `epochs`. */
function variant(
  base: RunConfig,
  { units, learningRate, epochs }: { units: number; learningRate: number; epochs: number },
): RunConfig {
  const layers = base.model.layers.map((layer, i) =>
    i === 0 && layer.type === 'affine' ? { ...layer, units } : layer,
  );
  return {
    ...base,
    name: `sweep-${units}-${learningRate}`,
    model: { ...base.model, layers },
    train: { ...base.train, epochs, optimizer: { type: 'sgd', learningRate, weightDecay: 0 } },
  };
}

function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i])).join('  ') + '\n';
  return line(header) + rows.map(line).join('');
}

if (isScript(import.meta.url)) await runScript(main);
