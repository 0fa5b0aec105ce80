import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { UserError } from '../../src/errors.ts';
import { parseSweep } from '../../src/sweep/load.ts';
import { noStack, scratchDir, sweepCli, tinyBase, writeJson } from './helpers.ts';

const s = suite('sweep file: validation and its errors');
const dir = scratchDir('file');

/** The message of the UserError that parsing `input` throws. */
function errorOf(input: unknown, file = 'sweep.json'): string {
  try {
    parseSweep(input, file, () => join(dir, 'out'));
  } catch (error) {
    assert.instance(error, UserError, String((error as Error).stack));
    assert.is((error as UserError).exitCode, 2);
    return (error as UserError).message;
  }
  assert.unreachable('expected the sweep to be refused');
  return '';
}

const sweep = (extra: Record<string, unknown>) => ({ name: 'x', base: tinyBase(), ...extra });

s('fills the defaults: one repeat, rank by testAccuracy (max); a loss ranks min', () => {
  const { sweep: parsed, trials } = parseSweep(sweep({}), 'sweep.json', () => 'out');
  assert.is(parsed.repeats, 1);
  assert.equal(parsed.rank, { metric: 'testAccuracy', direction: 'max' });
  assert.is(trials.length, 1, 'no search space: the base config alone');
  const byLoss = parseSweep(sweep({ rank: { metric: 'testLoss' } }), 'sweep.json', () => 'out');
  assert.equal(byLoss.sweep.rank, { metric: 'testLoss', direction: 'min' });
  for (const [metric, direction] of [
    ['validationLoss', 'min'],
    ['validationAccuracy', 'max'],
  ]) {
    const validated = { ...tinyBase(), data: { source: 'synthetic', kind: 'spiral', n: 200, validation: 0.2 } };
    const byValidation = parseSweep(sweep({ base: validated, rank: { metric } }), 'sweep.json', () => 'out');
    assert.equal(byValidation.sweep.rank, { metric, direction });
    assert.is(
      errorOf(sweep({ rank: { metric } })),
      `✖ invalid sweep sweep.json: rank.metric ${metric} needs a validation split in every trial: set ` +
        'data.validation in the base config (a share such as 0.1, or a file)\n  → at rank.metric',
    );
  }
});

s('unknown keys, bad paths, empty value lists and bad ranges name their place in the file', () => {
  const message = errorOf(
    sweep({
      bogus: 1,
      grid: { 'train..epochs': [1], 'train.epochs': [] },
      random: { count: 2, params: { 'train.batchSize': { uniform: [4, 2] }, seed: { int: [1, 2], choice: [1] } } },
      repeats: 0,
      rank: { metric: 'accuracy' },
    }),
  );
  const lines = message.split('\n');
  assert.is(lines[0], '✖ invalid sweep file sweep.json:');
  assert.ok(lines.includes('✖ Unrecognized key: "bogus"'), message);
  assert.match(message, /✖ a config path is keys and array indices joined by dots.* → at grid\["train\.\.epochs"\]/);
  assert.match(message, /✖ Too small: expected array to have >=1 items → at grid\["train\.epochs"\]/);
  assert.match(
    message,
    /✖ a range is \[low, high\] with low < high → at random\.params\["train\.batchSize"\]\.uniform/,
  );
  assert.match(message, /✖ give exactly one of uniform, logUniform, int or choice → at random\.params\.seed/);
  assert.match(message, /✖ Too small: expected number to be >=1 → at repeats/);
  assert.match(message, /→ at rank\.metric/);
});

s('a path set twice, or inside a path applied later, is refused', () => {
  const twice = errorOf(sweep({ set: { 'train.epochs': 1 }, grid: { 'train.epochs': [1, 2] } }));
  assert.match(twice, /✖ train\.epochs is already set in set → at grid\["train\.epochs"\]/);
  const inside = errorOf(
    sweep({ set: { 'train.optimizer.learningRate': 0.1 }, list: [{ 'train.optimizer': { type: 'sgd' } }] }),
  );
  assert.match(inside, /✖ train\.optimizer would replace train\.optimizer\.learningRate \(set in set\).* → at list/);
});

s('a value the trainer refuses names the sweep entry that set it (and each problem once)', () => {
  const message = errorOf(
    sweep({ grid: { 'train.optimizer.learningRate': [0.1, -1], 'model.layers.0.units': [4, 8] } }),
  );
  const lines = message.split('\n');
  assert.is(lines[0], '✖ invalid sweep sweep.json:');
  assert.equal(lines.slice(1), [
    '✖ Too small: expected number to be >0 → at grid["train.optimizer.learningRate"][1] ' +
      '(train.optimizer.learningRate = -1)',
  ]);
});

s('an unknown key set by the sweep names that key, not the object holding it', () => {
  const message = errorOf(sweep({ grid: { 'train.optimizer.beta1': [0.5], 'train.epochs': [1, 2] } }));
  assert.match(message, /✖ Unrecognized key: "beta1" → at grid\["train\.optimizer\.beta1"\]\[0\]/);
  assert.is(message.split('\n').length, 2, 'reported once for both epochs');
});

s('a path that cannot be set: an array index past the end, a key inside a number', () => {
  const past = errorOf(sweep({ grid: { 'model.layers.5.units': [4] } }));
  assert.match(past, /✖ cannot set model\.layers\.5\.units: model\.layers has 3 items: there is no item 5/);
  assert.match(past, /→ at grid\["model\.layers\.5\.units"\]\[0\]/);
  const number = errorOf(sweep({ set: { 'seed.x': 1 } }));
  assert.match(number, /✖ cannot set seed\.x: seed is 7, not an object: it has no x → at set\["seed\.x"\]/);
});

s('an invalid base config is named as the base; a base file as its path', () => {
  const inline = errorOf({ name: 'x', base: { ...tinyBase(), train: { epochs: 0 } } });
  assert.match(inline, /✖ Too small: expected number to be >=1 → at base\.train\.epochs/);
  const file = writeJson(join(dir, 'base.json'), { ...tinyBase(), seed: -1 });
  const fromFile = errorOf({ name: 'x', base: 'base.json' }, join(dir, 'sweep.json'));
  assert.match(fromFile, new RegExp(`→ at ${file.replace(/[.]/g, '\\.')}: seed`));
  const missing = errorOf({ name: 'x', base: 'nowhere.json' }, join(dir, 'sweep.json'));
  assert.match(missing, /✖ base config \(from .*sweep\.json\) not found → at .*nowhere\.json/);
});

s('two points that give the same config are refused (the same trial twice)', () => {
  const message = errorOf(sweep({ list: [{ 'train.epochs': 2 }, { 'train.epochs': 3 }, { 'train.epochs': 2 }] }));
  assert.match(
    message,
    /✖ trials 1 \(train\.epochs=2, seed=7\) and 3 \(train\.epochs=2, seed=7\) have the same config/,
  );
});

s('the CLI: a bad sweep file → ✖ lines on stderr, exit 2, no stack, nothing written', async () => {
  writeJson(join(dir, 'bad.json'), sweep({ grid: { 'train.epochs': [0] } }));
  const result = await sweepCli(dir, 'bad.json', '--out', 'never');
  assert.is(result.code, 2);
  assert.match(result.stderr, /✖ Too small: expected number to be >=1 → at grid\["train\.epochs"\]\[0\]/);
  assert.ok(noStack(result.stderr), result.stderr);
  assert.not.ok(existsSync(join(dir, 'never')), 'no sweep directory');
  writeFileSync(join(dir, 'broken.json'), '{ "name": ');
  const broken = await sweepCli(dir, 'broken.json');
  assert.is(broken.code, 2);
  assert.match(broken.stderr, /✖ sweep file is not valid JSON: .* → at .*broken\.json/);
  const flags = await sweepCli(dir, 'bad.json', '--concurrent', 'two');
  assert.is(flags.code, 2);
  assert.match(flags.stderr, /✖ --concurrent must be a whole number ≥ 1, got "two" → at --concurrent/);
  const unknown = await sweepCli(dir, 'bad.json', '--bogus');
  assert.is(unknown.code, 2);
  assert.match(unknown.stderr, /bogus/);
});

s.run();
