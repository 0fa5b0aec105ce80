import type { ModelConfig } from '../config/model-schema.ts';
import { referenceKernels } from '../kernels/reference.ts';
import type { TrainingPass } from '../layers/layer.ts';
import { ChainModel } from '../model/chain.ts';
import { initParams } from '../model/init.ts';
import { planModel } from '../model/plan.ts';
import { createRng, STREAM } from '../random.ts';
import { heapAllocator, tensor } from '../tensor.ts';
import type { GradcheckSubject } from './check.ts';
import { float64Allocator, widen } from './float64.ts';

export interface ModelCheckOptions {
  readonly seed: number;
  /** Rows of the random batch: a few are enough to exercise the sums over rows. */
  readonly rows?: number;
  /** Input width or per-sample shape: the model config does not fix it (the data does). */
  readonly inputs?: number | readonly number[];
  /** Std of the nudge added to every parameter after init (see below). */
  readonly jitter?: number;
}

/**
 * A chain model from its config, on a seeded random batch of N(0, 1) inputs with class-index
 * targets (one class per output unit), objective the loss SUM of a training forward, checked for
 * every parameter tensor.
 *
 * The parameters start from the config's init and are then nudged by N(0, jitter²): at the init
 * every scale is 1 and every bias 0, and at so symmetric a point a wrong backward can agree with the
 * right one (a Scale whose dx forgot the scale passes when the scale is 1).
 */
export function modelSubject(config: ModelConfig, options: ModelCheckOptions): GradcheckSubject {
  const { seed, rows = 4, inputs = 5, jitter = 0.1 } = options;
  const plan = planModel(config, inputs);
  const values = new Float32Array(plan.paramCount);
  initParams(plan, values, seed);
  const rng = createRng(seed, STREAM.synthetic);
  for (let i = 0; i < values.length; i++) values[i] += jitter * rng.normal();
  const x = tensor(
    [rows, ...plan.inputShape],
    Float32Array.from({ length: rows * plan.inputs }, () => rng.normal()),
  );
  const targets = Float32Array.from({ length: rows }, () => rng.int(plan.outputs));
  // A training forward, as the trainer runs one (dropout drops, batch statistics are the batch's):
  // the same pass in both twins gives them the same dropout mask, a constant of the function checked.
  const pass: TrainingPass = { seed, step: 0, samples: Uint32Array.from({ length: rows }, (_, i) => i), first: 0 };

  const model = new ChainModel(plan, values, new Float32Array(plan.paramCount), rows, {
    kernels: referenceKernels,
    alloc: heapAllocator,
  });
  const twinValues = float64Allocator.floats(plan.paramCount);
  twinValues.set(values);
  const twin = new ChainModel(plan, twinValues, float64Allocator.floats(plan.paramCount), rows, {
    kernels: referenceKernels,
    alloc: float64Allocator,
  });
  const twinX = widen(x);
  let region = new Uint8Array(0);

  return {
    tensors: model.params.map((p, k) => ({ name: p.name, value: twin.params[k].value, grad: p.grad })),
    objective() {
      const { lossSum } = twin.forwardLoss(twinX, targets, pass);
      // Every piecewise layer's region, so a step that crosses any kink is noticed.
      region = Uint8Array.from(twin.layers.flatMap((layer) => [...(layer.region?.() ?? [])]));
      return lossSum;
    },
    backprop() {
      model.forwardLoss(x, targets, pass);
      model.backward();
    },
    region: () => region,
  };
}
