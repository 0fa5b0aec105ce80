/**
 * Runs several uvu test files in ONE process (test/run.ts starts it for the single-threaded files):
 * starting node with the TypeScript loader and the project's modules costs ~1 s per process, more
 * than most of these files' tests. uvu's deferred mode queues each file's suites instead of running
 * them; the queue is then run here file by file, so each file gets its own result line:
 *   [file] <path> <passed> <total> <seconds>
 * followed by uvu's failure text. A file that registers no suite, or never calls `.run()`, reports
 * total 0, which test/run.ts counts as a failure.
 * Usage: node --import tsx test/support/in-process.ts FILE...
 */
import { relative } from 'node:path';
import { pathToFileURL } from 'node:url';

type SuiteRunner = () => Promise<[errors: string | true, passed: number, skipped: number, total: number]>;
const scope = globalThis as unknown as { UVU_DEFER: number; UVU_INDEX: number; UVU_QUEUE: unknown[][] };

scope.UVU_DEFER = 1; // before uvu is first imported: suites queue, nothing runs on its own
await import('uvu');
const testDir = new URL('..', import.meta.url).pathname;
const files = process.argv.slice(2);

const loadSeconds: number[] = [];
for (const [index, file] of files.entries()) {
  const started = performance.now();
  scope.UVU_INDEX = index;
  scope.UVU_QUEUE[index] = [relative(testDir, file)];
  await import(pathToFileURL(file).href);
  loadSeconds.push((performance.now() - started) / 1000);
}

/** A file that runs longer is a hang: the process ends, and test/run.ts runs the unreported files alone. */
const FILE_TIMEOUT_MS = 600_000;

for (const [index, file] of files.entries()) {
  const started = performance.now();
  const hang = setTimeout(() => {
    process.stdout.write(`\n${relative(testDir, file)}: still running after ${FILE_TIMEOUT_MS / 1000} s: stopped\n`);
    process.exit(1);
  }, FILE_TIMEOUT_MS);
  const [, ...runners] = scope.UVU_QUEUE[index] as [string, ...SuiteRunner[]];
  let passed = 0;
  let total = 0;
  for (const runner of runners) {
    const [errors, ran, , count] = await runner();
    passed += ran;
    total += count;
    if (errors !== true) process.stdout.write(`\n${errors}\n`);
  }
  clearTimeout(hang);
  const seconds = loadSeconds[index] + (performance.now() - started) / 1000;
  process.stdout.write(`\n[file] ${relative(testDir, file)} ${passed} ${total} ${seconds.toFixed(2)}\n`);
}
