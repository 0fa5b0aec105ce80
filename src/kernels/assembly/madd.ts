// The multiply-add every product's inner loop runs, chosen when the module is compiled: the
// default build (`--enable threads,simd`) rounds the product and then the sum, as a scalar f32
// loop; the FMA build (kernels-fma.wasm, `--enable ...,relaxed-simd`) uses relaxed_madd, which
// V8 runs as one fused instruction where the CPU has one. Every product path (dense tiles,
// zero-skipping tiles, the scalar fallback) goes through these two helpers, so within one build
// all paths still give the same bits.

/** acc + a·b, lane by lane. */
// @ts-ignore: decorator
@inline export function madd(acc: v128, a: v128, b: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, acc);
  return f32x4.add(acc, f32x4.mul(a, b));
}

/** acc + a·b on one float, rounded exactly as one lane of `madd`. */
// @ts-ignore: decorator
@inline export function maddScalar(acc: f32, a: f32, b: f32): f32 {
  if (ASC_FEATURE_RELAXED_SIMD) {
    return f32x4.extract_lane(f32x4.relaxed_madd(f32x4.splat(a), f32x4.splat(b), f32x4.splat(acc)), 0);
  }
  return acc + a * b;
}
