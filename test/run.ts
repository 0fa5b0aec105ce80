/**
 * Runs every `*.test.ts` under test/ and totals the results. Files run a group at a time in one
 * process (test/support/in-process.ts), since starting node with the TypeScript loader and the
 * project's modules costs ~1.3 s of CPU, more than most files' tests.
 * Each file's result is parsed, so a file that registers no test, or forgets `.run()`, FAILS the
 * run instead of passing silently. Prints each file's time and the total wall time, and ends with
 * the line `N passed, N failed`.
 *
 * Jobs run `--jobs` at a time (default 2), but never two that train with worker threads: those
 * spin-wait on each other, and two such files on 2 cores slowed each other 2–3× (faults 80 s →
 * 202 s under load) and broke the timing checks of the fault tests. So one lane runs the threaded
 * files — all in one process too, where each run also reuses the worker threads the last one left
 * (a thread costs ~0.4 s of CPU to start) — and the other lanes the groups of single-threaded
 * files, which fill the cores the threaded files leave idle. Files are ordered slowest first (by
 * their time in the last run, kept in data/.cache/test-times.json), so no long file starts last.
 * Usage: node --import tsx test/run.ts [--jobs N] [--typecheck] [filter-substring ...]
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const testDir = fileURLToPath(new URL('.', import.meta.url));
const timesFile = fileURLToPath(new URL('../data/.cache/test-times.json', import.meta.url));
const { values, positionals: filters } = parseArgs({
  options: {
    jobs: { type: 'string', default: process.env.TEST_JOBS ?? '2' },
    typecheck: { type: 'boolean', default: false },
  },
  allowPositionals: true,
});
const jobs = Number(values.jobs);
if (!Number.isInteger(jobs) || jobs < 1) {
  console.error(`✖ --jobs must be a whole number ≥ 1, got "${values.jobs}" → at --jobs`);
  process.exit(2);
}

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
  seconds: number;
}

interface ProcessResult {
  output: string;
  code: number | null;
  seconds: number;
}

const FILE_TIMEOUT_SECONDS = 600;
const inProcess = join(testDir, 'support/in-process.ts');

function runProcess(args: string[], timeoutSeconds: number, loader = ['--import', 'tsx']): Promise<ProcessResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...loader, ...args], {
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    // A file that hangs fails instead of holding the whole run (and CI) until it is killed.
    const timer = setTimeout(() => {
      output += `\n(killed after ${timeoutSeconds} s: a hang)\n`;
      child.kill('SIGKILL');
    }, timeoutSeconds * 1000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ output, code, seconds: (performance.now() - started) / 1000 });
    });
  });
}

/** One file in its own process, judged by uvu's summary and the exit code. */
async function runAlone(file: string): Promise<FileResult[]> {
  const { output, code, seconds } = await runProcess([file], FILE_TIMEOUT_SECONDS);
  const total = Number(/Total:\s+(\d+)/.exec(output)?.[1] ?? 0);
  const passed = Number(/Passed:\s+(\d+)/.exec(output)?.[1] ?? 0);
  // A crash, a non-zero exit or an empty file all count as (at least one) failure.
  let failed = total - passed;
  if (code !== 0 || total === 0) failed = Math.max(failed, 1);
  return [{ file: relative(testDir, file), passed, failed, output, seconds }];
}

/**
 * A group of files in one process: each `[file]` line closes that file's part of the output. Files
 * the process never reported (it crashed or hung) run again alone, so the failure has a name.
 */
async function runGroup(files: string[]): Promise<FileResult[]> {
  // Each file has FILE_TIMEOUT_SECONDS inside the group (in-process.ts stops the group on a hang).
  const { output, code } = await runProcess([inProcess, ...files], FILE_TIMEOUT_SECONDS * files.length);
  const results: FileResult[] = [];
  let from = 0;
  for (const match of output.matchAll(/^\[file\] (\S+) (\d+) (\d+) ([\d.]+)$/gm)) {
    const [, file, passed, total, seconds] = match;
    const failed = Number(total) - Number(passed) || (Number(total) === 0 ? 1 : 0);
    results.push({ file, passed: Number(passed), failed, output: output.slice(from, match.index), seconds: +seconds });
    from = match.index + match[0].length;
  }
  const reported = new Set(results.map((r) => r.file));
  const missing = files.filter((f) => !reported.has(relative(testDir, f)));
  for (const file of missing) results.push(...(await runAlone(file)));
  if (code !== 0 && missing.length === 0) {
    const rest = output.slice(from);
    results.push({
      file: `(group of ${files.length} files, exit code ${code})`,
      passed: 0,
      failed: 1,
      output: rest,
      seconds: 0,
    });
  }
  return results;
}

function report(result: FileResult): void {
  const mark = result.failed ? 'FAIL' : 'ok  ';
  console.log(`${mark} ${result.file}  ${result.passed} passed  (${result.seconds.toFixed(1)}s)`);
  // Measurements a passing file wants shown, marked by a leading `[report]`.
  if (!result.failed)
    for (const line of result.output.match(/^\[report\].*$/gm) ?? []) console.log(`    ${line.slice(9)}`);
  if (result.failed) {
    const why =
      !result.file.startsWith('(') && result.passed + result.failed === 1 && !/Total:|✘|FAIL/.test(result.output)
        ? '  (no test result: the file registered no test, never called .run(), or crashed)\n'
        : '';
    console.log(why + result.output.replace(/^/gm, '    '));
  }
}

/** tsc, incremental: a repeated run re-checks only what changed since (~5 s instead of ~20 s here). */
async function typecheck(): Promise<FileResult[]> {
  const tsc = join(testDir, '../node_modules/typescript/bin/tsc');
  const buildInfo = join(dirname(timesFile), 'tsbuildinfo.json');
  const args = [tsc, '--noEmit', '-p', join(testDir, '..'), '--incremental', '--tsBuildInfoFile', buildInfo];
  const { output, code, seconds } = await runProcess(args, FILE_TIMEOUT_SECONDS, []);
  return [
    { file: '(typecheck: tsc --noEmit)', passed: code === 0 ? 1 : 0, failed: code === 0 ? 0 : 1, output, seconds },
  ];
}

function readTimes(): Record<string, number> {
  try {
    return JSON.parse(readFileSync(timesFile, 'utf8'));
  } catch {
    return {}; // first run, or a damaged file: every file counts as unknown
  }
}

const started = performance.now();
// Filters match the path below test/ (e.g. `train/cli`), not the checkout's own path.
const files = findTestFiles(testDir).filter(
  (f) => filters.length === 0 || filters.some((s) => relative(testDir, f).includes(s)),
);
const times = readTimes();
const timeOf = (file: string) => times[relative(testDir, file)] ?? Infinity;
// Unknown files first (they may be slow), then the slowest known ones.
const order = [...files].sort((a, b) => timeOf(b) - timeOf(a));
/** Files that keep more than one core busy: training with worker threads, threaded kernels, a browser. */
const THREADED = [
  'train/',
  'bench/',
  'kernels/wasm.threads',
  'report/browser',
  'io/cli',
  'io/run-lock',
  'sweep/local',
  'sweep/redis',
  'use/parallel-eval',
  'use/bundled',
];
/** Under a threaded prefix, yet single-threaded: the interleaving explorer runs the protocol in one thread. */
const SINGLE = ['train/interleaving'];
const isThreaded = (file: string) => {
  const path = relative(testDir, file);
  return THREADED.some((prefix) => path.startsWith(prefix)) && !SINGLE.some((prefix) => path.startsWith(prefix));
};
/**
 * Files that run in a process of their own: pool-resources counts the process's own threads and
 * descriptors (other files' pools would be counted too); in the faults file the clipped-UPDATE
 * fault never fired in some full runs when other training files had run before it in the same
 * process (cause not found; alone it fired in every run).
 */
const ALONE = ['train/pool-resources', 'train/faults'];
const isAlone = (file: string) => ALONE.some((prefix) => relative(testDir, file).startsWith(prefix));
type Job = () => Promise<FileResult[]>;
const threadedFiles = order.filter((f) => isThreaded(f) && !isAlone(f));
const threaded: Job[] = threadedFiles.length > 0 ? [() => runGroup(threadedFiles)] : [];
/** The single-threaded files, dealt slowest first into GROUPS groups of about equal time. */
const GROUPS = 2;
const groups: string[][] = Array.from({ length: GROUPS }, () => []);
const groupTime = new Array<number>(GROUPS).fill(0);
for (const file of order.filter((f) => !isThreaded(f))) {
  const g = groupTime.indexOf(Math.min(...groupTime));
  groups[g].push(file);
  groupTime[g] += Number.isFinite(timeOf(file)) ? timeOf(file) : 5;
}
const single: Job[] = groups.filter((g) => g.length > 0).map((g) => () => runGroup(g));
// `--typecheck` (npm test): tsc runs as the first job of the single-threaded lane, beside the
// threaded files, instead of before every test; a type error counts as a failed file.
if (values.typecheck) single.unshift(typecheck);
// Files that must run alone are short: last in the other lane, which ends before the threaded group.
single.push(...order.filter(isAlone).map((file) => () => runAlone(file)));
const results = new Map<string, FileResult>();
/** Runs jobs until none is left for it: the first lane takes the threaded files first. */
async function lane(takesThreaded: boolean): Promise<void> {
  const next = () => (takesThreaded ? threaded.shift() : undefined) ?? single.shift();
  for (let job = next(); job !== undefined; job = next())
    for (const result of await job()) {
      results.set(result.file, result);
      report(result);
    }
}
const jobCount = threaded.length + single.length;
await Promise.all(Array.from({ length: Math.min(jobs, jobCount) }, (_, i) => lane(i === 0)));

let passed = 0;
let failed = files.length === 0 ? 1 : 0;
for (const result of results.values()) {
  passed += result.passed;
  failed += result.failed;
  if (!result.file.startsWith('(')) times[result.file] = Math.round(result.seconds * 10) / 10;
}
try {
  mkdirSync(dirname(timesFile), { recursive: true });
  writeFileSync(timesFile, JSON.stringify(times, null, 1) + '\n');
} catch {
  // Only an ordering hint: a read-only checkout runs the files in path order next time.
}
const wall = (performance.now() - started) / 1000;
const parallel = Math.max(1, Math.min(jobs, jobCount));
console.log(`wall time ${wall.toFixed(1)}s, ${parallel} ${parallel === 1 ? 'job' : 'jobs'} at a time`);
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
