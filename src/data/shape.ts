/**
 * The per-sample shape of the data: [features] for plain rows, [channels, height, width] for
 * images, which the image layers (conv2d, maxpool, avgpool) need. IDX images and the bundled MNIST
 * know theirs ([1, rows, cols] from the header); other sources declare it in `data.shape`.
 */
import { z } from 'zod';
import { UserError } from '../errors.ts';
import type { Dataset } from './types.ts';

export const dataShapeSchema = z
  .array(
    z
      .int()
      .min(1)
      .max(1 << 24),
  )
  .refine((shape) => shape.length === 1 || shape.length === 3, {
    message: 'a shape is [features] or [channels, height, width]',
  })
  .optional();

/** The dataset with `data.shape` applied (if given): its size must be the rows' feature count. */
export function withDeclaredShape(dataset: Dataset, declared: readonly number[] | undefined): Dataset {
  if (!declared) return dataset;
  const size = declared.reduce((a, b) => a * b, 1);
  if (size !== dataset.features) {
    throw new UserError(
      `data.shape [${declared.join(', ')}] holds ${size} values but the rows of ${dataset.name} have ` +
        `${dataset.features} features\n  → at data.shape`,
    );
  }
  return { ...dataset, shape: [...declared] };
}

/** The per-sample shape the model is planned for. */
export const shapeOf = (dataset: Dataset): readonly number[] => dataset.shape ?? [dataset.features];
