import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { UserError } from '../../src/errors.ts';
import { referenceKernels } from '../../src/kernels/reference.ts';
import { createWasmKernels } from '../../src/kernels/wasm.ts';
import { FMA_ENV, chooseKernelBuild, compileKernelBuild, relaxedSimdAvailable } from '../../src/kernels/wasm-build.ts';
import { createArena } from './wasm-compare.ts';

// Which kernel build runs (plain or FMA, src/kernels/wasm-build.ts), and what the choice changes:
// only the rounding of the products' multiply-adds.
const s = suite('kernel build choice');
const arena = createArena(64);

// a·b over two steps where a fused multiply-add and a rounded one disagree, by hand:
// x·y = (1 + 2⁻²³)(1 − 2⁻²³) = 1 − 2⁻⁴⁶. Step 0 leaves −1; step 1 adds x·y. Rounded first, x·y is
// 1.0 in f32 and the sum is exactly 0; fused, the sum is exactly −2⁻⁴⁶.
const X = 1 + 2 ** -23,
  Y = 1 - 2 ** -23;
const UNFUSED = 0,
  FUSED = -(2 ** -46);
/** Where V8 emits a fused instruction for relaxed_madd (x64 with FMA3, arm64): this machine's answer. */
const cpuFuses =
  process.arch === 'arm64' ||
  (process.arch === 'x64' && process.platform === 'linux' && /\bfma\b/.test(readFileSync('/proc/cpuinfo', 'utf8')));

/** out = a[4×2] · b[2×1], every row [1, X] against b = [−1, Y]: four times the hand-worked sum. */
const CASE = `
  const a = arena.take(8, [1, X, 1, X, 1, X, 1, X]), b = arena.take(2, [-1, Y]), out = arena.take(4);
  kernels.matmul(a, b, out, 4, 2, 1);`;
function product(kernels: { matmul(a: Float32Array, b: Float32Array, out: Float32Array, ...s: number[]): void }) {
  arena.reset();
  const a = arena.take(8, [1, X, 1, X, 1, X, 1, X]),
    b = arena.take(2, [-1, Y]),
    out = arena.take(4);
  kernels.matmul(a, b, out, 4, 2, 1);
  return Array.from(out);
}

s('the plain build rounds the product, then the sum: the hand-derived 0', () => {
  assert.equal(product(createWasmKernels(arena.memory, compileKernelBuild('plain'))), [0, 0, 0, 0]);
});

s('the FMA build fuses them where the CPU can: the hand-derived −2⁻⁴⁶, as the reference gets it', () => {
  // The reference forms each product exactly in f64 before adding: here that is the fused result.
  assert.equal(product(referenceKernels), [FUSED, FUSED, FUSED, FUSED]);
  assert.ok(relaxedSimdAvailable(), 'Node ≥ 20.19 runs relaxed SIMD (by default, or with the flag set in-process)');
  const got = product(createWasmKernels(arena.memory, compileKernelBuild('fma')));
  if (cpuFuses) assert.equal(got, [FUSED, FUSED, FUSED, FUSED]);
  else assert.ok([UNFUSED, FUSED].includes(got[0]) && got.every((x) => x === got[0]), String(got));
});

s(`${FMA_ENV}: off forces the plain build, auto (or unset) picks FMA where it runs; anything else is refused`, () => {
  assert.is(chooseKernelBuild({ [FMA_ENV]: 'off' }), 'plain');
  assert.is(chooseKernelBuild({ [FMA_ENV]: 'auto' }), 'fma');
  assert.is(chooseKernelBuild({}), 'fma');
  assert.throws(
    () => chooseKernelBuild({ [FMA_ENV]: 'on' }),
    (error: Error) => error instanceof UserError && /'on' → at environment variable SHARDPROP_FMA/.test(error.message),
  );
});

s('a process runs the FMA build by default (this one) and the plain kernels when forced off (a fresh one)', () => {
  // This process chose its build from its own environment when it first made kernels; the choice is
  // made once per process, so only a fresh process can show the effect of setting it.
  const here = product(createWasmKernels(arena.memory));
  if (chooseKernelBuild() === 'plain') assert.equal(here, [UNFUSED, UNFUSED, UNFUSED, UNFUSED]);
  else if (cpuFuses) assert.equal(here, [FUSED, FUSED, FUSED, FUSED]);
  const script =
    `import { createWasmKernels } from './src/kernels/wasm.ts';\n` +
    `import { createArena } from './test/kernels/wasm-compare.ts';\n` +
    `const arena = createArena(64), kernels = createWasmKernels(arena.memory), X = ${X}, Y = ${Y};\n` +
    `${CASE}\nconsole.log(JSON.stringify(Array.from(out)));`;
  const run = (env: NodeJS.ProcessEnv) => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: new URL('../..', import.meta.url),
      env: { ...process.env, ...env },
      encoding: 'utf8',
    });
    assert.is(result.status, 0, result.stderr);
    return JSON.parse(result.stdout) as number[];
  };
  assert.equal(run({ [FMA_ENV]: 'off' }), [UNFUSED, UNFUSED, UNFUSED, UNFUSED]);
});

s.run();
