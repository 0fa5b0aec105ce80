import type { OptimizerConfig } from '../config/schema.ts';
import type { Kernels } from '../kernels/types.ts';
import type { ParamPlacement } from '../model/plan.ts';

/** Extra vectors (of the parameters' layout) each optimizer keeps between steps. */
export function optimizerStateCount(config: OptimizerConfig): number {
  return { sgd: 0, momentum: 1, adagrad: 1, adam: 2 }[config.type];
}

/** A range of the parameter vector and of each optimizer-state vector, in one buffer. */
export interface OptimizerVectors {
  params: Float32Array;
  state: Float32Array[];
}

/** Elements [start, end) of a range (range-relative), decayed or not. */
export interface DecayPiece {
  start: number;
  end: number;
  decay: boolean;
}

/**
 * A decay piece with its views cut once (cutPieces): the piece's elements of the vectors a step
 * reads (`from`), writes (`to`) and of the gradient.
 */
export interface CutPiece extends DecayPiece {
  readonly from: OptimizerVectors;
  readonly to: OptimizerVectors;
  readonly grads: Float32Array;
}

/**
 * Which elements of the flat range [start, end) weight decay applies to: all of them, or with
 * `applyTo: "weights"` only those of tensors with two or more dimensions (affine weights); biases,
 * `scale`, `bias`, layer-norm γ and β (every 1-D tensor) are then not decayed. Adjacent pieces of
 * one kind are merged, so the usual case is one piece.
 */
export function decayPieces(
  params: readonly ParamPlacement[],
  config: OptimizerConfig,
  start: number,
  end: number,
): DecayPiece[] {
  if (config.applyTo !== 'weights') return [{ start: 0, end: end - start, decay: true }];
  const pieces: DecayPiece[] = [];
  for (const p of params) {
    const [a, b] = [Math.max(start, p.offset), Math.min(end, p.offset + p.size)];
    if (a >= b) continue;
    const decay = p.shape.length >= 2;
    const last = pieces.at(-1);
    if (last && last.decay === decay && last.end === a - start) last.end = b - start;
    else pieces.push({ start: a - start, end: b - start, decay });
  }
  return pieces;
}

/**
 * The views of each piece of a range, for a step that reads `from` and writes `to`: made when the
 * range is set up (compute-thread.ts), so that a step with decay pieces allocates nothing.
 */
export function cutPieces(
  pieces: readonly DecayPiece[],
  from: OptimizerVectors,
  to: OptimizerVectors,
  grads: Float32Array,
): CutPiece[] {
  const cut = (v: OptimizerVectors, start: number, end: number): OptimizerVectors => ({
    params: v.params.subarray(start, end),
    state: v.state.map((s) => s.subarray(start, end)),
  });
  return pieces.map(({ start, end, decay }) => ({
    start,
    end,
    decay,
    from: cut(from, start, end),
    to: cut(to, start, end),
    grads: grads.subarray(start, end),
  }));
}

const isCut = (pieces: readonly DecayPiece[]): pieces is readonly CutPiece[] =>
  pieces.length > 0 && 'grads' in pieces[0];

/**
 * One update of (a range of) the flat parameter vector from the averaged gradient, reading `from`
 * (the committed buffer) and writing `to` (the uncommitted one, compute-thread.ts runRanges) in one pass.
 * Elementwise, so ranges may be updated by different threads with the same result. `step` is
 * 1-based (Adam's bias correction needs it).
 *
 * Weight decay wd (on the elements `pieces` mark as decayed; the others run with wd = 0):
 * - coupled (default): g ← g + wd·w before the optimizer's own rule (L2 in the loss; the kernels).
 * - `decoupled: true`: the optimizer runs on g alone, then w ← w_new − lr·wd·w, with w the
 *   parameter BEFORE the step and lr the step's (scheduled) rate: AdamW (Loshchilov & Hutter).
 *   lr·wd·w is computed in float64 and the result rounded once to float32. For sgd this equals
 *   the coupled rule up to rounding; for momentum the decay does not enter the velocity; for
 *   adagrad and adam it does not enter the accumulated squares or the moments.
 */
export function applyOptimizer(
  kernels: Kernels,
  config: OptimizerConfig,
  from: OptimizerVectors,
  to: OptimizerVectors,
  grads: Float32Array,
  step: number,
  /** The step's learning rate: learningRate, or what its schedule gives (schedule.ts). */
  learningRate: number,
  /**
   * Range-relative pieces (decayPieces), best cut once for this `from`, `to` and `grads`
   * (cutPieces: else the decayed path cuts them on every call); default: decay on the whole range.
   */
  pieces: readonly DecayPiece[] | readonly CutPiece[] = [{ start: 0, end: from.params.length, decay: true }],
): void {
  const wd = config.weightDecay;
  if (wd === 0 || (pieces.length === 1 && pieces[0].decay && !config.decoupled)) {
    // The common case: one call over the whole range, coupled decay (possibly 0) in the kernel.
    updateRange(kernels, config, from, to, grads, step, learningRate, config.decoupled ? 0 : wd);
  } else {
    for (const piece of isCut(pieces) ? pieces : cutPieces(pieces, from, to, grads)) {
      const coupled = piece.decay && !config.decoupled ? wd : 0;
      updateRange(kernels, config, piece.from, piece.to, piece.grads, step, learningRate, coupled);
    }
  }
  if (config.decoupled && wd !== 0) {
    const rate = learningRate * wd;
    const [w, out] = [from.params, to.params];
    for (const { start, end, decay } of pieces) {
      if (decay) for (let i = start; i < end; i++) out[i] = out[i] - rate * w[i];
    }
  }
}

/** The optimizer's kernel over one range, with coupled weight decay `wd` (0: none). */
function updateRange(
  kernels: Kernels,
  config: OptimizerConfig,
  from: OptimizerVectors,
  to: OptimizerVectors,
  grads: Float32Array,
  step: number,
  learningRate: number,
  wd: number,
): void {
  const { params: w, state } = from;
  const n = w.length;
  switch (config.type) {
    case 'sgd':
      return kernels.sgd(w, grads, n, learningRate, wd, to.params);
    case 'momentum':
      return kernels.momentum(w, grads, state[0], n, learningRate, config.momentum, wd, to.params, to.state[0]);
    case 'adagrad':
      return kernels.adagrad(w, grads, state[0], n, learningRate, config.epsilon, wd, to.params, to.state[0]);
    case 'adam':
      return kernels.adam(
        w,
        grads,
        state[0],
        state[1],
        n,
        learningRate,
        config.beta1,
        config.beta2,
        config.epsilon,
        wd,
        step,
        to.params,
        to.state[0],
        to.state[1],
      );
  }
}
