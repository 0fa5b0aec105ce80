import { z } from 'zod';
import { windowGeometry, type Pair, type WindowGeometry } from '../kernels/window.ts';

/**
 * The shape side of the image layers (conv2d, maxpool, avgpool): their config's sizes, and the
 * window geometry they take from the per-sample input shape. An input they cannot take throws a
 * ShapeMismatch saying what they need; the model plan names the layer and both shapes.
 */
export class ShapeMismatch extends Error {
  constructor(readonly needs: string) {
    super(needs);
    this.name = 'ShapeMismatch';
  }
}

/** Largest kernel, stride or padding accepted (a window wider than any image would need is a typo). */
const MAX_SIZE = 1 << 16;

/**
 * A size given as one number for both axes or as [height, width]. A value of neither form would
 * get zod's bare "Invalid input": the message says which forms are taken and what was given.
 */
export const sizePair = (min: number) => {
  const size = () => z.int().min(min).max(MAX_SIZE);
  return z.union([size(), z.tuple([size(), size()])], {
    error: (issue) =>
      issue.code === 'invalid_union'
        ? `expected a whole number from ${min} to ${MAX_SIZE} or [height, width] of two, ` +
          `got ${JSON.stringify(issue.input)}`
        : undefined,
  });
};

export type SizePair = number | readonly [number, number];

const pair = (size: SizePair): Pair => (typeof size === 'number' ? [size, size] : size);
const times = ([h, w]: Pair) => `${h}×${w}`;

/** The window of a layer of type `layer` on `input`, which must be [channels, height, width]. */
export function windowOn(
  layer: string,
  input: readonly number[],
  kernel: SizePair,
  stride: SizePair,
  padding: SizePair,
): WindowGeometry {
  if (input.length !== 3) throw new ShapeMismatch(`${layer} takes [channels, height, width] images`);
  const g = windowGeometry(input, pair(kernel), pair(stride), pair(padding));
  if (!g) {
    const padded = typeof padding === 'number' && padding === 0 ? '' : ` padded by ${times(pair(padding))}`;
    throw new ShapeMismatch(`${layer}'s ${times(pair(kernel))} window needs images of at least that size${padded}`);
  }
  return g;
}
