/**
 * The reports opened in a real headless Chromium (Debian's `chromium` package, driven by
 * playwright-core; no browser is downloaded). Checks that every chart rendered with the expected
 * lines and points, that the page logged no console error and fetched nothing, and saves
 * screenshots. Without a chromium binary the browser part is skipped (saying why) and only the
 * in-process structure check runs.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { writeComparison } from '../../src/report/compare-report.ts';
import { page as htmlPage } from '../../src/report/html.ts';
import { writeRunReport } from '../../src/report/run-report.ts';
import { CLASSIFIER_CONFIG, CONFUSION, scratchDir, writeRun } from './helpers.ts';

const s = suite('reports in headless Chromium');
const root = scratchDir('browser');

/** $CHROMIUM_PATH, when set, is the only candidate (so a test run can also simulate a machine without one). */
const CANDIDATES = process.env.CHROMIUM_PATH
  ? [process.env.CHROMIUM_PATH]
  : ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];
const chromiumPath = CANDIDATES.find((path) => existsSync(path));

// Started first: loading playwright and starting Chromium overlap with rendering the reports below.
const launching = chromiumPath ? launch(chromiumPath) : null;
launching?.catch(() => {}); // awaited (and so reported) in the browser tests' `before`

async function launch(executablePath: string): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
  return chromium.launch({ executablePath, args: ['--no-sandbox'], timeout: 30_000 });
}

// The run of helpers.ts (3 epochs, 3 classes) and a comparison of three runs of 3, 2 and 4 epochs.
const runDir = writeRun(join(root, 'tiny'), { 'confusion.json': JSON.stringify(CONFUSION) });
const runReport = await writeRunReport(runDir);
const line = (epoch: number, loss: number) =>
  JSON.stringify({ epoch, loss, testLoss: loss + 0.1, trainAccuracy: 1 - loss / 3, samplesPerSec: 900 + 50 * loss });
const epochsOf = { 'lr-0.01': 3, 'lr-0.1': 2, 'lr-1': 4 };
const compareDirs = Object.entries(epochsOf).map(([name, epochs], run) => {
  const config = JSON.parse(JSON.stringify(CLASSIFIER_CONFIG));
  config.train.optimizer.learningRate = Number(name.slice(3));
  return writeRun(join(root, name), {
    'config.json': JSON.stringify(config),
    'metrics.jsonl': Array.from({ length: epochs }, (_, i) => line(i + 1, (2 + 0.5 * run) / (i + 1) - 0.3 * run)).join(
      '\n',
    ),
  });
});
const comparison = await writeComparison(compareDirs, join(root, 'compare.html'));

s('in-process: every chart of both pages is a figure holding one non-empty SVG', () => {
  for (const [file, charts] of [
    [runReport, 4],
    [comparison, 3],
  ] as const) {
    const html = readFileSync(file, 'utf8');
    const figures = html.match(/<figure class="chart"[\s\S]*?<\/figure>/g) ?? [];
    assert.is(figures.length, charts, file);
    for (const figure of figures) {
      assert.is(figure.match(/<svg /g)?.length, 1);
      assert.match(figure, /<svg [^>]*width="[1-9]\d+" height="[1-9]\d+"/);
    }
  }
});

if (!launching && process.env.REQUIRE_CHROMIUM === '1') {
  // CI sets this after installing chromium: there a missing browser is a failure, not a skip.
  s('a chromium binary exists (REQUIRE_CHROMIUM=1)', () => {
    assert.unreachable(`no chromium binary: looked for ${CANDIDATES.join(', ')}`);
  });
} else if (!launching) {
  console.log(
    `[report] browser test skipped: no chromium binary (looked for ${CANDIDATES.join(', ')});` +
      ' apt-get install chromium, or set CHROMIUM_PATH',
  );
} else if (launching) {
  registerBrowserTests(launching);
}
s.run();

function registerBrowserTests(launching: Promise<Browser>) {
  let browser: Browser;
  const shots = join(root, 'screenshots');
  mkdirSync(shots, { recursive: true });

  s.before(async () => {
    browser = await launching;
  });
  s.after(async () => {
    await browser?.close();
  });
  console.log(`[report] screenshots: ${shots}`);

  /** Opens a page and records what must not happen: console errors, page errors, any request but the file itself. */
  async function open(url: string | null, html?: string) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('request', (request) => {
      if (request.url() !== url) problems.push(`request: ${request.url()}`);
    });
    if (url) await page.goto(url);
    else await page.setContent(html!);
    return { page, problems };
  }

  async function lineCharts(page: Page, chart: string) {
    const figure = page.locator(`figure[data-chart="${chart}"]`);
    const box = await figure.locator('svg').boundingBox();
    assert.ok(box && box.width > 300 && box.height > 200, `${chart}: svg drawn at ${JSON.stringify(box)}`);
    const lines = figure.locator('[aria-roledescription="line mark"]');
    // A line through n epochs is one move and n − 1 line segments.
    const vertices: number[] = [];
    for (const path of await lines.all()) vertices.push(((await path.getAttribute('d')) ?? '').split('L').length);
    const points = figure.locator('[aria-roledescription="point"]');
    assert.ok(await points.first().isVisible(), `${chart}: points visible`);
    return { vertices: vertices.sort(), points: await points.count() };
  }

  s('a run report: every chart drawn with one line per series and one point per epoch; no console error', async () => {
    const { page, problems } = await open(pathToFileURL(runReport).href);
    assert.equal(await lineCharts(page, 'loss'), { vertices: [3, 3], points: 6 });
    assert.equal(await lineCharts(page, 'accuracy'), { vertices: [3, 3], points: 6 });
    assert.equal(await lineCharts(page, 'throughput'), { vertices: [3], points: 3 });
    const heatmap = page.locator('figure[data-chart="confusion"]');
    assert.is(await heatmap.locator('[aria-roledescription="rect mark"]').count(), 9);
    assert.ok(await heatmap.getByText('bird', { exact: true }).first().isVisible());
    assert.is(await page.locator('figure.chart').count(), 4);
    assert.is(await page.locator('.network .layer').count(), 5, 'input, 3 layers, loss');
    await page.screenshot({ path: join(shots, 'run-report.png'), fullPage: true });
    assert.equal(problems, []);
    await page.close();
  });

  s('a comparison of three runs: one line per run and series on shared axes, the legend names the runs', async () => {
    const { page, problems } = await open(pathToFileURL(comparison).href);
    // train and test loss of runs of 3, 2 and 4 epochs: lines of 2, 3 and 4 vertices, twice.
    assert.equal(await lineCharts(page, 'loss'), { vertices: [2, 2, 3, 3, 4, 4], points: 18 });
    assert.equal(await lineCharts(page, 'accuracy'), { vertices: [2, 3, 4], points: 9 });
    assert.equal(await lineCharts(page, 'throughput'), { vertices: [2, 3, 4], points: 9 });
    const legend = page.locator('figure[data-chart="loss"] .role-legend');
    for (const name of Object.keys(epochsOf))
      assert.ok(await legend.getByText(name, { exact: true }).isVisible(), name);
    const differences = page.locator('#differences tbody tr');
    assert.is(await differences.count(), 1);
    assert.is(await differences.locator('code').textContent(), 'train.optimizer.learningRate');
    await page.screenshot({ path: join(shots, 'comparison.png'), fullPage: true });
    assert.equal(problems, []);
    await page.close();
  });

  s('negative control: a fetch the page tries is refused by its CSP and caught as a console error', async () => {
    const { page, problems } = await open(null, htmlPage('t', '', '<img src="https://example.invalid/x.png" alt="">'));
    if (problems.length === 0) await page.waitForEvent('console', { timeout: 2000 }).catch(() => {});
    assert.ok(
      problems.some((p) => p.startsWith('console:') && p.includes('Content Security Policy')),
      problems.join('\n'),
    );
    await page.close();
  });
}
