import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { UserError } from '../errors.ts';

/**
 * Which of the two kernel builds a process runs. Both come from the same source (./assembly):
 * `fma` (build/kernels-fma.wasm) computes the products' multiply-adds with relaxed SIMD's
 * f32x4.relaxed_madd, one fused instruction on CPUs with FMA; `plain` (build/kernels.wasm) with a
 * separately rounded multiply and add. The choice changes the last bits of the weights, never
 * between threads of one process: every thread runs the module its main thread compiled.
 */
export type KernelBuild = 'fma' | 'plain';

const BUILD_FILES: Record<KernelBuild, string> = { fma: 'kernels-fma.wasm', plain: 'kernels.wasm' };

/** Set to `off` to run the plain kernels (e.g. to reproduce weights trained before the FMA build). */
export const FMA_ENV = 'SHARDPROP_FMA';

// (module (func (param f32) (result f32) local.get 0 f32x4.splat local.get 0 f32x4.splat
//   local.get 0 f32x4.splat f32x4.relaxed_madd f32x4.extract_lane 0))
const RELAXED_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x06, 0x01, 0x60, 0x01, 0x7d, 0x01, 0x7d, 0x03, 0x02, 0x01,
  0x00, 0x0a, 0x16, 0x01, 0x14, 0x00, 0x20, 0x00, 0xfd, 0x13, 0x20, 0x00, 0xfd, 0x13, 0x20, 0x00, 0xfd, 0x13, 0xfd,
  0x85, 0x02, 0xfd, 0x1f, 0x00, 0x0b,
]);

/**
 * Whether this engine compiles relaxed SIMD. V8 ships it from 11.4 (Node 22); Node 20's V8 11.3
 * has it behind --experimental-wasm-relaxed-simd, which is turned on here, in the process, when
 * the plain check fails: the flag only widens what the wasm decoder accepts, it is set before any
 * relaxed module is compiled, and flags are process-wide, so worker threads see it too. If the
 * engine still refuses (an older V8, a renamed flag), the plain kernels run.
 */
export function relaxedSimdAvailable(): boolean {
  if (WebAssembly.validate(RELAXED_PROBE)) return true;
  try {
    setFlagsFromString('--experimental-wasm-relaxed-simd');
  } catch {
    return false;
  }
  return WebAssembly.validate(RELAXED_PROBE);
}

/** The build to run: FMA where the engine can run it, unless the environment asks for the plain one. */
export function chooseKernelBuild(env: NodeJS.ProcessEnv = process.env): KernelBuild {
  const wish = env[FMA_ENV];
  if (wish === 'off') return 'plain';
  if (wish !== undefined && wish !== 'auto') {
    throw new UserError(`✖ must be 'auto' or 'off', not '${wish}' → at environment variable ${FMA_ENV}`);
  }
  return relaxedSimdAvailable() ? 'fma' : 'plain';
}

/** Reads and compiles one build of the kernels (the FMA build only where the engine runs it). */
export function compileKernelBuild(build: KernelBuild): WebAssembly.Module {
  if (build === 'fma' && !relaxedSimdAvailable()) throw new Error('this engine cannot compile relaxed SIMD');
  const path = fileURLToPath(new URL(`./build/${BUILD_FILES[build]}`, import.meta.url));
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch {
    throw new Error(`WebAssembly kernels are not built (${path} is missing): run \`npm run build:wasm\``);
  }
  return new WebAssembly.Module(bytes);
}
