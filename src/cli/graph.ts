/**
 * npm run graph -- spec.json [--format json|mermaid|dot]
 * Evaluates a computational graph, backpropagates from its output (dout = 1 for every element) and
 * prints one JSON object {output, values, gradients}, or the graph drawn in Mermaid or DOT with the
 * value and gradient on every edge. A bad spec, a missing file or invalid JSON exits 2.
 */
import { UserError, runCli } from '../errors.ts';
import { toDot, toMermaid } from '../graph/draw.ts';
import { Graph } from '../graph/engine.ts';
import { loadGraphSpec } from '../graph/load.ts';
import { runGraph } from '../graph/result.ts';
import { parseCliArgs } from './args.ts';

const USAGE = 'npm run graph -- <spec.json> [--format json|mermaid|dot]';
const FORMATS = ['json', 'mermaid', 'dot'] as const;

await runCli(async () => {
  const { values, positionals } = parseCliArgs(
    process.argv.slice(2),
    { format: { type: 'string', default: 'json' } },
    USAGE,
  );
  const format = FORMATS.find((f) => f === values.format);
  if (!format)
    throw new UserError(`✖ unknown format "${values.format}": expected one of ${FORMATS.join(', ')} → at --format`);
  if (positionals.length !== 1)
    throw new UserError(`✖ expected one spec file, got ${positionals.length}\n✖ usage: ${USAGE}`);

  const graph = new Graph(loadGraphSpec(positionals[0]));
  const result = runGraph(graph);
  if (format === 'json') process.stdout.write(JSON.stringify(result) + '\n');
  else process.stdout.write(format === 'mermaid' ? toMermaid(graph) : toDot(graph));
});
