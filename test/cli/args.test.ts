import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { integerFlag, listFlag, numberFlag, parseCommand } from '../../src/cli/args.ts';
import { userErrorOf } from '../support/errors.ts';
import { fakeIo } from '../support/cli.ts';

/** The argument parser every command shares, on a made-up command. */
const s = suite('argument parser');

const command = {
  usage: 'demo <file>... [--size N] [--dry]',
  about: 'A demo.',
  flags: {
    size: { type: 'string', value: 'N', default: '3', description: 'how many' },
    name: { type: 'string', value: 'NAME', description: 'what to call it' },
    dry: { type: 'boolean', description: 'change nothing' },
  },
  positionals: { min: 1, max: Infinity, name: 'file' },
} as const;

const parse = (...argv: string[]) => parseCommand(command, argv, fakeIo().io);
const errorOf = (...argv: string[]) => userErrorOf(() => parse(...argv)).message;

s('fills defaults: a string flag its default (or undefined), a boolean flag false', () => {
  const parsed = parse('a', 'b');
  assert.equal(parsed, { values: { size: '3', dry: false }, positionals: ['a', 'b'] });
  assert.equal(parse('a', '--size=7', '--dry', '--name', 'x')?.values, { size: '7', name: 'x', dry: true });
});

s('names the flag in every mistake, with the usage on the next line', () => {
  assert.is(
    errorOf('a', '--szie', '2'),
    '✖ unknown flag (did you mean --size?) → at --szie\n✖ usage: ' + command.usage,
  );
  assert.match(errorOf('a', '--colour'), /^✖ unknown flag → at --colour\n/);
  assert.match(errorOf('a', '-x'), /^✖ unknown flag → at -x\n/);
  assert.match(errorOf('a', '--size'), /^✖ --size needs a value → at --size\n/);
  assert.match(errorOf('a', '--size', '-1'), /^✖ --size needs a value; for one starting with "-" write --size=VALUE/);
  assert.match(errorOf('a', '--dry=no'), /^✖ --dry takes no value → at --dry\n/);
  assert.match(errorOf(), /^✖ expected at least 1 file, got 0\n✖ usage: demo/);
});

s('--help and -h print the usage, the flags with their defaults, and the exit codes; nothing is parsed further', () => {
  const { io, stdout } = fakeIo();
  assert.is(parseCommand(command, ['-h'], io), null);
  assert.is(
    stdout(),
    'usage: demo <file>... [--size N] [--dry]\n\nA demo.\n\nflags:\n' +
      '  --size N     how many (default 3)\n' +
      '  --name NAME  what to call it\n' +
      '  --dry        change nothing\n' +
      '  -h, --help   print this help and exit\n\n' +
      'exit codes: 0 done, 1 failed (see the message), 2 bad input (a ✖ line says what and where)\n',
  );
});

s('integerFlag: whole numbers in range, else a ✖ line naming the flag and the value', () => {
  assert.is(integerFlag(undefined, 'n'), undefined);
  assert.is(integerFlag(' 12 ', 'n'), 12);
  assert.is(integerFlag('0', 'n', { min: 0 }), 0);
  for (const bad of ['abc', '', '1.5', '1e3', '0', '0x10', '9'])
    assert.match(userErrorOf(() => integerFlag(bad, 'n', { max: 8 })).message, `got "${bad}" → at --n`);
  assert.match(userErrorOf(() => integerFlag('0', 'n')).message, '✖ --n must be a whole number ≥ 1');
  assert.match(userErrorOf(() => integerFlag('9', 'n', { max: 8 })).message, 'a whole number from 1 to 8');
});

s('numberFlag: finite, ≥ 0 or > 0; listFlag: no empty items', () => {
  assert.is(numberFlag('1e-3', 'x'), 0.001);
  assert.is(numberFlag('0', 'x'), 0);
  for (const bad of ['', ' ', 'lots', '-1', 'Infinity', 'NaN'])
    assert.match(userErrorOf(() => numberFlag(bad, 'x')).message, `✖ --x must be a number ≥ 0, got "${bad}"`);
  assert.match(userErrorOf(() => numberFlag('0', 'x', { positive: true })).message, 'must be a number > 0');
  assert.equal(
    listFlag('1, 2,3', 'l', (item) => Number(item)),
    [1, 2, 3],
  );
  assert.match(
    userErrorOf(() => listFlag('1,', 'l', Number)).message,
    '✖ --l must be a comma-separated list, got "1,"',
  );
});

s.run();
