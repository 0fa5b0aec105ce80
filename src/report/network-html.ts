import { escapeHtml, formatNumber, table } from './html.ts';
import type { NetworkView } from './network.ts';

/**
 * The network drawn as a row of boxes (input → layers → loss), one per layer with its widths and
 * parameter count, then the table of its parameter tensors. Plain HTML and CSS: boxes and text
 * need no plotting library, and the page stays readable when zoomed or printed.
 */
export function networkHtml(network: NetworkView): string {
  const width = (n: number | null) => (n === null ? '?' : formatNumber(n));
  const box = (className: string, kind: string, lines: string[]) =>
    `<div class="layer ${escapeHtml(className)}"><div class="kind">${escapeHtml(kind)}</div>${lines.join('')}</div>`;
  const arrow = (n: number | null) => `<div class="arrow" aria-hidden="true">→<small>${width(n)}</small></div>`;

  // An image is drawn as its channels×height×width; a flat row as its width.
  const image = (shape: readonly number[] | null) => (shape && shape.length > 1 ? shape.join('×') : null);
  const inputImage = image(network.inputShape);
  const input = inputImage ? `${inputImage} (${width(network.inputs)} values)` : `${width(network.inputs)} features`;
  const boxes = [box('io', 'input', [`<div class="shape">${input}</div>`])];
  for (const layer of network.layers) {
    boxes.push(arrow(layer.inputs));
    const shape =
      layer.type === 'affine'
        ? `${width(layer.inputs)} → ${width(layer.outputs)}`
        : (image(layer.outputShape) ?? `${width(layer.outputs)}`);
    const lines = [`<div class="shape">${shape}</div>`];
    if (layer.detail) lines.push(`<div class="detail">${escapeHtml(layer.detail)}</div>`);
    lines.push(`<div class="params">${layer.parameters ? formatNumber(layer.parameters) : 'no'} parameters</div>`);
    boxes.push(box(layer.type, `${layer.index}. ${layer.type}`, lines));
  }
  const last = network.layers.length ? network.layers[network.layers.length - 1].outputs : network.inputs;
  boxes.push(arrow(last), box('io', network.loss ?? 'output', [`<div class="shape">${width(last)} outputs</div>`]));

  const rows = network.layers.flatMap((layer) =>
    layer.tensors.map((t) => [
      escapeHtml(`layers.${layer.index}.${t.name}`),
      escapeHtml(t.shape.join(' × ')),
      t.learned ? formatNumber(t.count) : `${formatNumber(t.count)} <span class="note">(not learned)</span>`,
    ]),
  );
  rows.push(['<strong>total</strong>', '', `<strong>${formatNumber(network.parameters)}</strong>`]);
  return (
    `<div class="network" data-layers="${network.layers.length}">${boxes.join('')}</div>` +
    table(['tensor', 'shape', 'parameters'], rows, 'numbers tensors')
  );
}
