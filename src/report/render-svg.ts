import type { TopLevelSpec } from 'vega-lite';

/**
 * vega-lite spec → vega spec → SVG text, headless: a View with no renderer attached renders to a
 * string (`toSVG`), so nothing needs a browser or a canvas. Text widths are estimated, which is
 * what lets it run without the native `canvas` package.
 */
export async function renderSvg(spec: TopLevelSpec, idPrefix: string): Promise<string> {
  // Loaded on first use (~1 s): importing the trainer, which writes a report at the end of a run, stays cheap.
  const [{ parse, View }, { compile }] = await Promise.all([import('vega'), import('vega-lite')]);
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    return prefixIds(await view.toSVG(), idPrefix);
  } finally {
    view.finalize();
  }
}

/**
 * Several SVGs share one HTML document and so one id namespace: gradients and clip paths of one
 * chart must not be found by another's `url(#…)`. Vega numbers them from a process-wide counter,
 * so they are also renumbered per chart, in order of appearance: the same run gives the same page.
 */
function prefixIds(svg: string, prefix: string): string {
  const renamed = new Map<string, string>();
  const rename = (id: string) => {
    if (!renamed.has(id)) renamed.set(id, `${prefix}-${renamed.size + 1}`);
    return renamed.get(id)!;
  };
  return svg
    .replace(/\bid="([^"]+)"/g, (_, id: string) => `id="${rename(id)}"`)
    .replace(/url\(#([^)]+)\)/g, (_, id: string) => `url(#${rename(id)})`)
    .replace(/\bhref="#([^"]+)"/g, (_, id: string) => `href="#${rename(id)}"`);
}
