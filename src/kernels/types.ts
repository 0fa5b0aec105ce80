import type { WindowGeometry } from './window.ts';

/**
 * The numeric kernels every layer and optimizer runs on. Two implementations exist:
 * `reference.ts` (plain TypeScript, the oracle the tests compare against) and `wasm.ts`
 * (WebAssembly SIMD over the run's shared memory). All arrays are row-major Float32Array views;
 * outputs are written in place, never allocated. The WASM implementation requires every array
 * to be a view of the memory it was created with.
 *
 * Products are named after the orientation training needs:
 *   matmul    out[m×n] = a[m×k] · b[k×n]        forward        x · W
 *   matmulAT  out[k×n] = a[m×k]ᵀ · b[m×n]       weight grad    xᵀ · dout
 *   matmulBT  out[m×k] = a[m×n] · b[k×n]ᵀ       input grad     dout · Wᵀ
 * Every product OVERWRITES `out` (no accumulation).
 */
export interface Kernels {
  readonly name: 'reference' | 'wasm';
  matmul(a: Float32Array, b: Float32Array, out: Float32Array, m: number, k: number, n: number): void;
  matmulAT(a: Float32Array, b: Float32Array, out: Float32Array, m: number, k: number, n: number): void;
  matmulBT(a: Float32Array, b: Float32Array, out: Float32Array, m: number, n: number, k: number): void;

  /** out[i,j] += row[j] for an m×n matrix (bias add, broadcast over rows). */
  addRow(out: Float32Array, row: Float32Array, m: number, n: number): void;
  /** out[j] = Σ_i a[i,j] for an m×n matrix (bias gradient). Overwrites `out`. */
  sumRows(a: Float32Array, out: Float32Array, m: number, n: number): void;

  /** Elementwise activations over the first `len` elements. Backward writes dx, never touches dout. */
  reluForward(x: Float32Array, y: Float32Array, len: number): void;
  /** dx = dout where x > 0, else 0 (derivative at 0 is 0). */
  reluBackward(x: Float32Array, dout: Float32Array, dx: Float32Array, len: number): void;
  sigmoidForward(x: Float32Array, y: Float32Array, len: number): void;
  /** dx = dout · y · (1 − y), from the cached output y. */
  sigmoidBackward(y: Float32Array, dout: Float32Array, dx: Float32Array, len: number): void;
  tanhForward(x: Float32Array, y: Float32Array, len: number): void;
  /** dx = dout · (1 − y²), from the cached output y. */
  tanhBackward(y: Float32Array, dout: Float32Array, dx: Float32Array, len: number): void;

  /**
   * Softmax with cross-entropy over m rows of n logits, targets given as class indices stored
   * as floats (exact below 2^24). Writes dlogits = softmax − onehot (the gradient of the loss
   * SUM, undivided) and returns the loss sum Σ_i −log softmax(x_i)[t_i], using log-sum-exp.
   */
  softmaxCrossEntropy(logits: Float32Array, targets: Float32Array, dlogits: Float32Array, m: number, n: number): number;
  /**
   * The same loss with targets as an m×n matrix: one-hot rows, or any distribution over the classes
   * (label smoothing, soft labels). Returns Σ_i Σ_j t_ij·(logsumexp(x_i) − x_ij) and writes its
   * gradient dlogits = (Σ_j t_ij)·softmax(x_i) − t_i, which is softmax − t for rows summing to 1.
   */
  softmaxCrossEntropyDense(
    logits: Float32Array,
    targets: Float32Array,
    dlogits: Float32Array,
    m: number,
    n: number,
  ): number;

  /**
   * softmaxCrossEntropy with a weight per class (`weights`, n floats): row i's loss and gradient are
   * multiplied by weights[t_i]. Returns Σ_i w[t_i]·(logsumexp(x_i) − x_i[t_i]); dlogits = w[t_i]·(softmax − onehot).
   */
  softmaxCrossEntropyWeighted(
    logits: Float32Array,
    targets: Float32Array,
    weights: Float32Array,
    dlogits: Float32Array,
    m: number,
    n: number,
  ): number;
  /**
   * softmaxCrossEntropyDense with a weight per class: the loss Σ_i Σ_j w_j·t_ij·(logsumexp(x_i) − x_ij),
   * gradient (Σ_j w_j·t_ij)·softmax(x_i) − w ⊙ t_i (the dense loss of the targets w ⊙ t).
   */
  softmaxCrossEntropyDenseWeighted(
    logits: Float32Array,
    targets: Float32Array,
    weights: Float32Array,
    dlogits: Float32Array,
    m: number,
    n: number,
  ): number;

  /**
   * Convolution and pooling over `rows` images laid out as in window.ts (channel-major per row).
   * im2col writes the [K, rows·P] matrix whose column r·P + p is window position p = oh·outW + ow
   * of sample r and whose row q = (c·kernelH + i)·kernelW + j is that value of every window:
   * col[q, r·P + p] = x[r, c, oh·strideH − padH + i, ow·strideW − padW + j], 0 in the padding.
   * Then a convolution is one product W[filters, K] · col.
   */
  im2col(x: Float32Array, col: Float32Array, rows: number, g: WindowGeometry): void;
  /** The adjoint of im2col: dx = Σ of the col entries taken from each pixel, added in col's order. Overwrites dx. */
  col2im(col: Float32Array, dx: Float32Array, rows: number, g: WindowGeometry): void;
  /** out[r, f, p] = a[f, r·P + p] + bias[f]: a product's [channels, rows·P] to channel-major images. */
  unpackChannels(
    a: Float32Array,
    bias: Float32Array,
    out: Float32Array,
    rows: number,
    channels: number,
    positions: number,
  ): void;
  /**
   * out[f, r·P + p] = a[r, f, p] (images to the product's layout) and sums[f] = Σ of out's row f,
   * value e into lane e mod 4, each lane in order, then (l0 + l1) + (l2 + l3): the bias gradient.
   */
  packChannels(
    a: Float32Array,
    out: Float32Array,
    sums: Float32Array,
    rows: number,
    channels: number,
    positions: number,
  ): void;
  /**
   * y[r, c, oh, ow] = the largest x in the window (the first one in row-major order on ties); argmax
   * gets its index into x (r·channels·height·width + …), for the backward.
   */
  maxPool(x: Float32Array, y: Float32Array, argmax: Uint32Array, rows: number, g: WindowGeometry): void;
  /** dx[argmax[o]] += dout[o] in output order, dx zeroed first (overlapping windows add up). */
  maxPoolBackward(dout: Float32Array, argmax: Uint32Array, dx: Float32Array, rows: number, g: WindowGeometry): void;
  /** y = the mean of each window (padding counts as zeros in the mean). */
  avgPool(x: Float32Array, y: Float32Array, rows: number, g: WindowGeometry): void;
  /** dx[pixel] = Σ over the windows holding it of dout / (kernelH·kernelW), in output order. Overwrites dx. */
  avgPoolBackward(dout: Float32Array, dx: Float32Array, rows: number, g: WindowGeometry): void;

  /**
   * out[i] = scale · Σ_s slots[s][i] over i < len, summed in slot order (determinism). Returns
   * false when any value written is NaN or ±Inf, so the trainer needs no second pass to check.
   */
  reduceSlots(slots: readonly Float32Array[], out: Float32Array, len: number, scale: number): boolean;

  /** out[r] = source row order[first + r] for r < rows, rows of `width` floats (a batch's samples). */
  gatherRows(
    source: Float32Array,
    order: Uint32Array,
    first: number,
    rows: number,
    width: number,
    out: Float32Array,
  ): void;

  /**
   * gatherRows for inputs stored as bytes (src/data/types.ts ByteInputs): out[r] = source row
   * order[first + r] — or row first + r when order is null — of `width` bytes, each decoded to
   * values[byte] (256 float32 values).
   */
  gatherByteRows(
    source: Uint8Array,
    values: Float32Array,
    order: Uint32Array | null,
    first: number,
    rows: number,
    width: number,
    out: Float32Array,
  ): void;

  /**
   * Dropout's mask (defined in src/random/dropout-mask.ts): for rows i < rows of `units` each, 0 where
   * unit u of sample samples[first + i] is dropped at (seed, step, layer), 1/(1 − rate) where it is
   * kept. A pure function of those numbers, so both backends give the same mask bit for bit.
   */
  dropoutMask(
    mask: Float32Array,
    rows: number,
    units: number,
    rate: number,
    seed: number,
    step: number,
    layer: number,
    samples: Uint32Array,
    first: number,
  ): void;

  /**
   * Optimizer updates over len parameters w with gradient g (already averaged). Each reads w and
   * its state and writes the new values to the *Out arrays, which default to the inputs (in
   * place); an out is its input or does not overlap it. The trainer reads the committed buffers
   * and writes the uncommitted ones, so an update needs no copy first.
   */
  sgd(w: Float32Array, g: Float32Array, len: number, lr: number, weightDecay: number, wOut?: Float32Array): void;
  /** v = μ·v − lr·(g + wd·w); w += v */
  momentum(
    w: Float32Array,
    g: Float32Array,
    v: Float32Array,
    len: number,
    lr: number,
    mu: number,
    weightDecay: number,
    wOut?: Float32Array,
    vOut?: Float32Array,
  ): void;
  /** h += g'²; w −= lr·g' / (√h + eps), g' = g + wd·w */
  adagrad(
    w: Float32Array,
    g: Float32Array,
    h: Float32Array,
    len: number,
    lr: number,
    eps: number,
    weightDecay: number,
    wOut?: Float32Array,
    hOut?: Float32Array,
  ): void;
  /**
   * Adam with bias correction at step t (1-based): m = β1·m + (1−β1)·g', v = β2·v + (1−β2)·g'²,
   * w −= lr · m̂ / (√v̂ + eps), g' = g + wd·w.
   */
  adam(
    w: Float32Array,
    g: Float32Array,
    m: Float32Array,
    v: Float32Array,
    len: number,
    lr: number,
    beta1: number,
    beta2: number,
    eps: number,
    weightDecay: number,
    t: number,
    wOut?: Float32Array,
    mOut?: Float32Array,
    vOut?: Float32Array,
  ): void;
}

/** The convolution and pooling kernels (reference-window.ts, wasm-window.ts). */
export type WindowKernels = Pick<
  Kernels,
  | 'im2col'
  | 'col2im'
  | 'unpackChannels'
  | 'packChannels'
  | 'maxPool'
  | 'maxPoolBackward'
  | 'avgPool'
  | 'avgPoolBackward'
>;
