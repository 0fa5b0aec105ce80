import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { main as batch } from '../../src/cli/batch.ts';
import type { Io, Output } from '../../src/cli/io.ts';
import { main as resume } from '../../src/cli/resume.ts';
import { tempDir } from '../support/temp.ts';
import { FakeTerminal } from './fake-terminal.ts';

/** What `npm run batch` and `npm run resume` print, in-process: on a terminal, into a pipe, --quiet. */
const s = suite('the terminal of a run');
const root = tempDir('shardprop-terminal-');
let runs = 0;

function configFile(): { file: string; out: string } {
  const out = join(root, `run-${++runs}`);
  const file = join(root, `config-${runs}.json`);
  const config = {
    name: 'terminal-test',
    data: { source: 'synthetic', kind: 'spiral', n: 300 },
    model: { layers: [{ type: 'affine', units: 16 }, { type: 'relu' }, { type: 'affine', units: 3 }] },
    train: { epochs: 2, batchSize: 32 },
    output: { dir: out },
  };
  writeFileSync(file, JSON.stringify(config));
  return { file, out };
}

function pipe(): Output & { text: string } {
  return {
    text: '',
    write(text: string) {
      this.text += text;
    },
  };
}

function ioWith(stdout: Output): { io: Io; stderr: Output & { text: string } } {
  const stderr = pipe();
  return { io: { stdout, stderr, cwd: process.cwd(), env: {} }, stderr };
}

s('into a pipe: the start line, one line per epoch, the report and the final line; nothing else', async () => {
  const { file, out } = configFile();
  const stdout = pipe();
  const { io, stderr } = ioWith(stdout);
  assert.is(await batch([file], io), 0, stderr.text);
  const lines = stdout.text.trimEnd().split('\n');
  assert.is(lines.length, 5, stdout.text);
  assert.is(
    lines[0],
    'terminal-test: 2-16-3 relu · 99 parameters · 240 train / 60 test · batch 32 × 2 epochs · ' +
      '1 worker (auto: 19.0 kFLOP per step, too little to share between threads)',
  );
  const metric = String.raw`\d\.\d{4}`;
  assert.match(
    lines[1],
    new RegExp(`^epoch 1/2  loss ${metric}  train acc ${metric}  test acc ${metric}  [\\d,]+ samples/s  `),
  );
  assert.match(lines[2], /^epoch 2\/2 {2}/);
  assert.is(lines[3], `report: ${join(out, 'report.html')}`);
  assert.match(lines[4], new RegExp(`^done: .*run-${runs} — test accuracy \\d\\.\\d{4}, [\\d,]+ samples/s, `));
  assert.not.match(stdout.text, '\r');
});

s('--quiet prints only the final line; with --json only the summary; resume --quiet the same', async () => {
  const { file, out } = configFile();
  const quiet = pipe();
  assert.is(await batch([file, '--quiet'], ioWith(quiet).io), 0);
  assert.match(quiet.text, /^done: [^\n]+\n$/);
  const json = pipe();
  assert.is(await batch([file, '--quiet', '--json', '--force'], ioWith(json).io), 0);
  assert.is(json.text.trimEnd().split('\n').length, 1, json.text);
  assert.is(JSON.parse(json.text).summary.status, 'complete');
  const resumed = pipe();
  assert.is(await resume([out, '--quiet'], ioWith(resumed).io), 0);
  assert.match(resumed.text, /^done: [^\n]+\n$/);
  const terminal = new FakeTerminal(300);
  assert.is(await batch([file, '--quiet', '--force'], ioWith(terminal).io), 0);
  assert.equal(terminal.rows.length, 2, 'no bar on a terminal either');
});

s('on a terminal 40 columns wide: nothing the bar draws wraps, and no stale line stays', async () => {
  const { file } = configFile();
  const terminal = new FakeTerminal(40);
  const { io, stderr } = ioWith(terminal);
  assert.is(await batch([file], io), 0, stderr.text);
  const drawn = terminal.writes.filter((text) => text.startsWith('\r'));
  assert.ok(
    drawn.some((text) => text.includes('[#')),
    'a bar was drawn',
  );
  assert.ok(
    drawn.some((text) => text.includes('loading data…')),
    'the loading stage was shown',
  );
  assert.equal(
    terminal.wrappedBy.filter((text) => text.startsWith('\r')),
    [],
    'only the plain last lines (a long path) may wrap',
  );
  const screen = terminal.rows.join('\n');
  assert.not.match(screen, 'loading data');
  assert.not.match(screen, '[#');
  assert.match(screen, /^terminal-test: 2-16-3 relu/);
  assert.match(screen, /\nepoch 1\/2 [^\n]+\nepoch 2\/2 [^\n]+\nreport: /);
});

s('--workers N is obeyed and --workers auto chooses (here 1: the net is tiny); the start line says which', async () => {
  const { file } = configFile();
  const two = pipe();
  assert.is(await batch([file, '--workers', '2'], ioWith(two).io), 0);
  assert.match(two.text.split('\n')[0], / · 2 workers \(as configured\)$/);
  const auto = pipe();
  assert.is(await batch([file, '--workers', 'auto', '--force'], ioWith(auto).io), 0);
  assert.match(
    auto.text.split('\n')[0],
    / · 1 worker \(auto: 19\.0 kFLOP per step, too little to share between threads\)$/,
  );
  assert.match(auto.text, /\(1 worker\)\n/);
});

s('a resize while training redraws at the new width', async () => {
  const { file } = configFile();
  const terminal = new FakeTerminal(200);
  const write = terminal.write.bind(terminal);
  let resized = false;
  terminal.write = (text: string) => {
    const result = write(text);
    if (!resized && text.includes('[#')) {
      resized = true;
      terminal.resize(40);
    }
    return result;
  };
  assert.is(await batch([file], ioWith(terminal).io), 0);
  const at = terminal.writes.findIndex((text) => text.includes('[#'));
  const next = terminal.writes[at + 1];
  assert.ok(next.startsWith('\r') && next.length < 40 + 4, `redrawn at once, narrower: ${JSON.stringify(next)}`);
  assert.equal(
    terminal.wrappedBy.filter((text) => text.startsWith('\r')),
    [],
  );
});

s.run();
