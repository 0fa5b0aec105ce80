/**
 * Runs every `*.test.ts` under test/ in its own child process (tsx loader) and totals the results.
 * uvu prints a summary per process; we parse it so that a file that registers no test, or forgets
 * `.run()`, FAILS the run instead of passing silently. Ends with the line `N passed, N failed`.
 * Usage: node --import tsx test/run.ts [filter-substring ...]
 */
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const testDir = fileURLToPath(new URL('.', import.meta.url));
const filters = process.argv.slice(2);

function findTestFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return name === 'fixtures' ? [] : findTestFiles(path);
      return name.endsWith('.test.ts') ? [path] : [];
    });
}

interface FileResult {
  file: string;
  passed: number;
  failed: number;
  output: string;
  code: number | null;
}

function runFile(file: string): Promise<FileResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file], {
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('close', (code) => {
      const total = Number(/Total:\s+(\d+)/.exec(output)?.[1] ?? 0);
      const passed = Number(/Passed:\s+(\d+)/.exec(output)?.[1] ?? 0);
      // A crash, a non-zero exit or an empty file all count as (at least one) failure.
      let failed = total - passed;
      if (code !== 0 || total === 0) failed = Math.max(failed, 1);
      resolve({ file: relative(testDir, file), passed, failed, output, code });
    });
  });
}

const files = findTestFiles(testDir).filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)));
let passed = 0;
let failed = 0;
for (const file of files) {
  const started = Date.now();
  const result = await runFile(file);
  passed += result.passed;
  failed += result.failed;
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`${result.failed ? 'FAIL' : 'ok  '} ${result.file}  ${result.passed} passed  (${seconds}s)`);
  // Measurements a passing file wants shown (e.g. throughput), marked by a leading `[report]`.
  if (!result.failed)
    for (const line of result.output.match(/^\[report\].*$/gm) ?? []) console.log(`    ${line.slice(9)}`);
  if (result.failed) {
    const why =
      result.passed + result.failed === 1 && !/Total:/.test(result.output)
        ? '  (no uvu summary: the file registered no test, never called .run(), or crashed)\n'
        : '';
    console.log(why + result.output.replace(/^/gm, '    '));
  }
}
if (files.length === 0) failed = 1;
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
