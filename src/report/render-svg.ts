import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/**
 * vega-lite spec → vega spec → SVG text, headless: a View with no renderer attached renders to a
 * string (`toSVG`), so nothing needs a browser or a canvas. Text widths are estimated, which is
 * what lets it run without the native `canvas` package.
 */
export async function renderSvg(spec: TopLevelSpec, idPrefix: string): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    return prefixIds(await view.toSVG(), idPrefix);
  } finally {
    view.finalize();
  }
}

/**
 * Several SVGs share one HTML document and so one id namespace: gradients and clip paths of one
 * chart (vega numbers them from 1 in every view) must not be found by another's `url(#…)`.
 */
function prefixIds(svg: string, prefix: string): string {
  return svg
    .replace(/\bid="([^"]+)"/g, (_, id: string) => `id="${prefix}-${id}"`)
    .replace(/url\(#([^)]+)\)/g, (_, id: string) => `url(#${prefix}-${id})`)
    .replace(/\bhref="#([^"]+)"/g, (_, id: string) => `href="#${prefix}-${id}"`);
}
