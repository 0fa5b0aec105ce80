/**
 * `npm run export -- runs/x --format pytorch [--out FILE]`: the run's weights as a PyTorch state
 * dict in safetensors (`0.weight` [out, in], `0.bias`, … with nn.Sequential indices; see
 * src/use/export-pytorch.ts), written whole or not at all, and the Python lines that load it.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.ts';
import { writeFileAtomic } from '../io/atomic-write.ts';
import { encodeSafetensors } from '../io/safetensors.ts';
import { choiceFlag, parseCommand } from './args.ts';
import { isScript, runCommand, runScript, userPath, type Io } from './io.ts';
import { pytorchStateDict } from '../use/export-pytorch.ts';
import { loadModel } from '../use/load.ts';
import { describePreprocessing } from '../use/preprocess.ts';

export const PYTORCH_FILE = 'model.pytorch.safetensors';

export const command = {
  usage: 'npm run export -- <run-dir> [--format pytorch] [--out FILE]',
  about:
    "Writes the run's weights for another framework. pytorch: a state dict for nn.Sequential in\n" +
    'safetensors, Linear weights as [out, in]; the command prints the Python lines that load it.',
  flags: {
    format: { type: 'string', value: 'FORMAT', default: 'pytorch', description: 'pytorch' },
    out: { type: 'string', value: 'FILE', description: `where to write it (default: <run-dir>/${PYTORCH_FILE})` },
  },
  positionals: { min: 1, max: 1, name: 'run directory' },
} as const;

export async function main(argv: string[], io: Io): Promise<number> {
  return runCommand(io, async () => {
    const args = parseCommand(command, argv, io);
    if (!args) return 0;
    choiceFlag(args.values.format, 'format', ['pytorch'] as const);
    const runDir = userPath(io, args.positionals[0]);
    const out = args.values.out === undefined ? join(runDir, PYTORCH_FILE) : userPath(io, args.values.out);
    if (statSync(out, { throwIfNoEntry: false })?.isDirectory()) {
      throw new UserError(`✖ --out is a directory; give a file name → at ${out}`);
    }
    const model = loadModel(runDir);
    const { tensors, sequential } = pytorchStateDict(model);
    const metadata = { format: 'pt', layout: 'out,in', source: 'shardprop', module: sequential };
    writeFileAtomic(out, encodeSafetensors(tensors, metadata));
    io.stdout.write(`export: wrote ${out}\n\n${pythonLines(out, sequential, model.description)}`);
  });
}

/** The Python that loads the export and gives what `npm run predict` gives. */
export function pythonLines(
  file: string,
  sequential: string,
  description: {
    preprocessing: Parameters<typeof describePreprocessing>[0];
    loss: string;
    input: { shape: readonly number[] };
  },
): string {
  const preprocessing = description.preprocessing;
  const shape = description.input.shape;
  const input =
    !preprocessing || preprocessing.kind === 'none'
      ? '# x: a float32 tensor of rows, as the training data (no preprocessing)'
      : preprocessing.kind === 'divide'
        ? `x = x / ${preprocessing.divisor}  # the model's preprocessing (model.json)`
        : `# x: apply the model's preprocessing first (${describePreprocessing(preprocessing)}, see model.json)`;
  const output =
    description.loss === 'softmax-cross-entropy'
      ? 'probabilities = torch.softmax(model(x), dim=1)  # classes: model(x).argmax(dim=1)'
      : 'outputs = model(x)';
  return [
    'import torch, torch.nn as nn',
    'from safetensors.torch import load_file',
    `model = ${sequential}`,
    `model.load_state_dict(load_file(${JSON.stringify(file)}))`,
    'model.eval()  # dropout off, batch norm on its running statistics',
    input,
    ...(shape.length > 1 ? [`x = x.reshape(-1, ${shape.join(', ')})  # rows as [channels, height, width] images`] : []),
    output,
    '',
  ].join('\n');
}

if (isScript(import.meta.url)) await runScript(main);
