/**
 * `npm run graph -- spec.json [--format json|mermaid|dot] [--precision f32|f64]`: evaluates a computational graph,
 * backpropagates from its output (dout = 1 for every element) and prints one JSON object
 * {output, values, gradients}, or the graph drawn in Mermaid or DOT with the value and gradient on
 * every edge. A bad spec, a missing file or invalid JSON exits 2.
 */
import { toDot, toMermaid } from '../graph/draw.ts';
import { loadGraphSpec } from '../graph/load.ts';
import { graphIn, PRECISIONS } from '../graph/precision.ts';
import { runGraph } from '../graph/result.ts';
import { choiceFlag, parseCommand } from './args.ts';
import { isScript, runCommand, runScript, userPath, type Io } from './io.ts';

const FORMATS = ['json', 'mermaid', 'dot'] as const;

export const command = {
  usage: 'npm run graph -- <spec.json> [--format json|mermaid|dot] [--precision f32|f64]',
  about:
    'Evaluates a computational graph, backpropagates from its output (gradient 1 for every element)\n' +
    'and prints {"output", "values", "gradients"} as one JSON object, or draws the graph with the\n' +
    'value and the gradient on every edge.',
  flags: {
    format: {
      type: 'string',
      value: 'FORMAT',
      default: 'json',
      description: 'json, mermaid or dot',
    },
    precision: {
      type: 'string',
      value: 'P',
      default: 'f32',
      description: 'f32 (as training computes) or f64 (to reproduce a float64 textbook example)',
    },
  },
  positionals: { min: 1, max: 1, name: 'spec file' },
} as const;

export async function main(argv: string[], io: Io): Promise<number> {
  return runCommand(io, async () => {
    const args = parseCommand(command, argv, io);
    if (!args) return 0;
    const format = choiceFlag(args.values.format, 'format', FORMATS);
    const precision = choiceFlag(args.values.precision, 'precision', PRECISIONS);
    const graph = graphIn(loadGraphSpec(userPath(io, args.positionals[0])), precision);
    const result = runGraph(graph, precision); // forward and backward: the drawings show both
    if (format === 'json') io.stdout.write(JSON.stringify(result) + '\n');
    else io.stdout.write(format === 'mermaid' ? toMermaid(graph, precision) : toDot(graph, precision));
  });
}

if (isScript(import.meta.url)) await runScript(main);
