/**
 * An experiment as a script: sweeps learning rate × hidden units on the bundled MNIST digits and
 * prints a table of test accuracies. Run: npm run sweep [-- --epochs N] [--train ROWS]
 */
import { parseArgs } from 'node:util';
import { loadConfig, train } from '../index.ts';

const { values } = parseArgs({ options: { epochs: { type: 'string', default: '3' }, train: { type: 'string' } } });
const base = loadConfig(new URL('../../data/configs/mnist-mlp.json', import.meta.url).pathname);
const data = values.train ? { ...base.data, train: Number(values.train) } : base.data;
const learningRates = [0.03, 0.1, 0.3];
const hiddenUnits = [25, 50, 100];

const rows: string[][] = [];
for (const units of hiddenUnits) {
  const row = [String(units)];
  for (const learningRate of learningRates) {
    const layers = base.model.layers.map((layer, i) =>
      i === 0 && layer.type === 'affine' ? { ...layer, units } : layer,
    );
    const { summary } = await train(
      {
        ...base,
        data,
        name: `sweep-${units}-${learningRate}`,
        model: { ...base.model, layers },
        train: {
          ...base.train,
          epochs: Number(values.epochs),
          optimizer: { type: 'sgd', learningRate, weightDecay: 0 },
        },
      },
      { write: false },
    );
    row.push(summary.testAccuracy?.toFixed(4) ?? 'n/a');
  }
  rows.push(row);
}
const header = ['units \\ lr', ...learningRates.map(String)];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i])).join('  ');
console.log(`test accuracy after ${values.epochs} epochs`);
console.log(line(header));
for (const row of rows) console.log(line(row));
