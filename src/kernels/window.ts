/**
 * Where a sliding window (a convolution's kernel, a pooling window) falls on each sample's image.
 * Images are stored channel-major per row ([channels, height, width], PyTorch's NCHW), so a chunk
 * of `rows` samples is rows × channels × height × width floats. Plain numbers, so the same object
 * describes the call to either kernel backend.
 */
export interface WindowGeometry {
  readonly channels: number;
  readonly height: number;
  readonly width: number;
  readonly kernelH: number;
  readonly kernelW: number;
  readonly strideH: number;
  readonly strideW: number;
  /** Zeros added on each side (top and bottom, left and right). */
  readonly padH: number;
  readonly padW: number;
  /** Window positions: ⌊(height + 2·padH − kernelH) / strideH⌋ + 1, and the same across. */
  readonly outH: number;
  readonly outW: number;
}

export type Pair = readonly [number, number];

/**
 * The geometry of a window on [channels, height, width] images, or null when the window does not
 * fit once inside the padded image.
 */
export function windowGeometry(
  [channels, height, width]: readonly number[],
  [kernelH, kernelW]: Pair,
  [strideH, strideW]: Pair,
  [padH, padW]: Pair,
): WindowGeometry | null {
  const spanH = height + 2 * padH - kernelH;
  const spanW = width + 2 * padW - kernelW;
  if (spanH < 0 || spanW < 0) return null;
  const outH = Math.floor(spanH / strideH) + 1;
  const outW = Math.floor(spanW / strideW) + 1;
  return { channels, height, width, kernelH, kernelW, strideH, strideW, padH, padW, outH, outW };
}

/** Values of one window over all channels: a row of the im2col matrix. */
export const patchSize = (g: WindowGeometry): number => g.channels * g.kernelH * g.kernelW;
/** Window positions per channel. */
export const positions = (g: WindowGeometry): number => g.outH * g.outW;
/** Floats of one sample's image. */
export const imageSize = (g: WindowGeometry): number => g.channels * g.height * g.width;
