import type { Kernels } from '../kernels/types.ts';
import { viewOf, type Tensor } from '../tensor.ts';
import { cached, type ForwardMode, type Layer, type LayerContext } from './layer.ts';

/**
 * Inverted dropout (Srivastava et al. 2014, scaled at training time as in PyTorch and Keras): in a
 * training forward each unit is zeroed with probability `rate` and the survivors are multiplied
 * by 1/(1 − rate), so the expected output equals the input and evaluation needs no rescaling. In
 * evaluation and prediction (a forward without a training pass) the layer is the identity.
 *
 * The mask comes from src/random/dropout-mask.ts, keyed by (seed, step, sample, unit, layer), so it
 * does not depend on the chunking of the batch or on the thread. Backward: dx = dout ⊙ mask.
 */
export class Dropout implements Layer {
  readonly params = [];
  /** The mask of the last forward (0 or 1/(1 − rate) per element), or null when it was the identity. */
  private mask: Float32Array | null = null;
  private shape?: readonly number[];
  private readonly kernels: Kernels;
  private readonly maskBuffer: Float32Array;
  private readonly out: Float32Array;
  private readonly dx: Float32Array;

  constructor(
    /** Elements per sample. */
    readonly units: number,
    readonly rate: number,
    /** This layer's index in the chain: two dropout layers draw different masks. */
    readonly layer: number,
    maxRows: number,
    { kernels, alloc }: LayerContext,
    private readonly mode: ForwardMode,
  ) {
    if (!(rate >= 0 && rate < 1)) throw new Error(`Dropout: rate ${rate} is outside [0, 1)`);
    this.kernels = kernels;
    this.maskBuffer = alloc.floats(maxRows * units);
    this.out = alloc.floats(maxRows * units);
    this.dx = alloc.floats(maxRows * units);
  }

  forward(x: Tensor): Tensor {
    const y = viewOf(this.out, x.shape);
    const len = y.data.length;
    const pass = this.mode.pass;
    this.shape = x.shape;
    if (!pass || this.rate === 0) {
      this.mask = null;
      y.data.set(x.data.subarray(0, len));
      return y;
    }
    const rows = x.shape[0];
    if (len !== rows * this.units) throw new Error(`Dropout: expected ${this.units} units per row, got [${x.shape}]`);
    const mask = viewOf(this.maskBuffer, x.shape).data;
    this.kernels.dropoutMask(
      mask,
      rows,
      this.units,
      this.rate,
      pass.seed,
      pass.step,
      this.layer,
      pass.samples,
      pass.first,
    );
    for (let i = 0; i < len; i++) y.data[i] = x.data[i] * mask[i];
    this.mask = mask;
    return y;
  }

  backward(dout: Tensor): Tensor[] {
    const dx = viewOf(this.dx, cached(this.shape, 'Dropout'));
    const len = dx.data.length;
    const mask = this.mask;
    if (mask === null) dx.data.set(dout.data.subarray(0, len));
    else for (let i = 0; i < len; i++) dx.data[i] = dout.data[i] * mask[i];
    return [dx];
  }
}
