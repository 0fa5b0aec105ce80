import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { repoRoot } from '../support/cli.ts';
import { tempDir } from '../support/temp.ts';

/**
 * The README's scripted-use snippet runs as written, in a directory outside the package: the one
 * spawned test of the API. The snippet is read from README.md, so the two cannot drift apart.
 */
const s = suite('README: scripted use');

/** The fenced blocks of README.md's `## Scripted use` section: the shell lines and the script. */
function scriptedUse(): { shell: string; script: string } {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const section = readme.split(/^## /m).find((part) => part.startsWith('Scripted use\n')) ?? '';
  const block = (lang: string) => new RegExp('^```' + lang + '\\n([\\s\\S]*?)^```', 'm').exec(section)?.[1];
  const shell = block('sh');
  const script = block('ts');
  if (!shell || !script) throw new Error('README.md: no ```sh and ```ts block in "## Scripted use"');
  return { shell, script };
}

s('the snippet, saved as the README says, runs with the command the README gives', () => {
  const { shell, script } = scriptedUse();
  const fileName = /^\/\/ (\S+\.m?[jt]s)\b/.exec(script)?.[1];
  assert.ok(fileName, 'the script block starts with a comment naming its file');
  const command = shell
    .split('\n')
    .find((line) => line.startsWith('node '))
    ?.replace(/\s+#.*$/, '');
  assert.is(command, `node --import tsx ${fileName}`);
  assert.match(shell, /^npm install \/path\/to\/shardprop tsx\b/m);

  // What `npm install /path/to/shardprop tsx` leaves: a link to the checkout, and tsx (offline: ours).
  const dir = tempDir('shardprop-snippet-');
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(repoRoot, join(dir, 'node_modules', 'shardprop'), 'dir');
  symlinkSync(join(repoRoot, 'node_modules', 'tsx'), join(dir, 'node_modules', 'tsx'), 'dir');
  writeFileSync(join(dir, fileName!), script);

  const [node, ...args] = command!.split(' ');
  assert.is(node, 'node');
  const env = { ...process.env };
  delete env.INIT_CWD;
  const run = spawnSync(process.execPath, args, { cwd: dir, env, encoding: 'utf8', timeout: 90_000 });
  assert.is(run.status, 0, run.stderr);
  const lines = run.stdout.trimEnd().split('\n');
  assert.match(lines[0], /^epoch 1: test accuracy 0\.\d{4}$/);
  const last = Number(/^epoch 2: test accuracy (0\.\d{4})$/.exec(lines[1])?.[1]);
  assert.ok(last > 0.8, `2 epochs of 2000 digits reach > 0.8 test accuracy, got ${lines[1]}`);
  assert.match(lines[2], /^79510 parameters, \d+ worker\(s\), [\d.]+ s$/);
});

s.run();
