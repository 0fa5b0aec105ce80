/**
 * The forward pass of a trained model, on the code training runs: the same ChainModel, built by the
 * same layer registry, on the same kernels (src/kernels/select.ts), in a WebAssembly.Memory of its
 * own laid out like a training thread's scratch (64-byte aligned buffers after the kernels' reserved
 * bytes). Rows go through in blocks of at most `blockRows`, so any number of rows needs memory for
 * one block only. A row's outputs do not depend on the block it is in: the products compute each
 * output from its own row alone, in a fixed order.
 */
import { referenceKernels } from '../kernels/reference.ts';
import { selectKernels } from '../kernels/select.ts';
import type { Kernels } from '../kernels/types.ts';
import { WASM_RESERVED_BYTES } from '../kernels/wasm.ts';
import { ChainModel } from '../model/chain.ts';
import type { ModelPlan } from '../model/plan.ts';
import type { Allocator, Tensor } from '../tensor.ts';
import { bumpAllocator, countingAllocator } from '../train/arena.ts';
import { UserError } from '../errors.ts';

export type KernelName = 'wasm' | 'reference';

const PAGE_BYTES = 65536;
const MAX_PAGES = 65536; // 4 GiB: wasm32 addresses

/** Rows per block by default: big enough to keep the products busy, small enough to stay in cache. */
export const DEFAULT_BLOCK_ROWS = 256;

export class ForwardEngine {
  readonly kernels: KernelName;
  private readonly model: ChainModel;
  private readonly input: Float32Array;
  private readonly targets: Float32Array;

  constructor(
    readonly plan: ModelPlan,
    params: Float32Array,
    kernels: KernelName,
    readonly blockRows: number = DEFAULT_BLOCK_ROWS,
    /** Regression: targets are rows × outputs values (mse), not class indices. */
    private readonly regression = false,
    /** Batch norm's running statistics in the plan's buffer layout (default: their starting values). */
    buffers?: Float32Array,
  ) {
    if (!Number.isSafeInteger(blockRows) || blockRows < 1) throw new Error(`blockRows must be ≥ 1, got ${blockRows}`);
    this.kernels = kernels;
    // Measure first (a throwaway build on heap arrays), then build for real in a memory of that size.
    const counter = countingAllocator();
    const targetWidth = regression ? plan.outputs : 1;
    buildInto(plan, blockRows, targetWidth, counter, referenceKernels);
    const bytes = WASM_RESERVED_BYTES + 64 + counter.total * 4;
    const pages = Math.ceil(bytes / PAGE_BYTES);
    if (pages > MAX_PAGES) {
      throw new UserError(
        `✖ blocks of ${blockRows} rows need ${(bytes / 2 ** 30).toFixed(1)} GiB: use fewer rows per block`,
      );
    }
    const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
    const region = new Float32Array(memory.buffer, WASM_RESERVED_BYTES, (pages * PAGE_BYTES - WASM_RESERVED_BYTES) / 4);
    const built = buildInto(plan, blockRows, targetWidth, bumpAllocator(region), selectKernels(kernels, memory));
    built.params.set(params);
    if (buffers) built.model.buffersOf(buffers).forEach((values, i) => built.model.buffers[i].value.set(values));
    this.model = built.model;
    this.input = built.input;
    this.targets = built.targets;
  }

  /** Where the next block's inputs go: rows × features floats, preprocessed. */
  inputOf(rows: number): Float32Array {
    this.checkRows(rows);
    return this.input.subarray(0, rows * this.plan.inputs);
  }

  /** The outputs of the `rows` rows in `inputOf(rows)`; a view, valid until the next call. */
  forward(rows: number): Tensor {
    this.checkRows(rows);
    return this.model.forward({
      shape: [rows, this.plan.inputs],
      data: this.input.subarray(0, rows * this.plan.inputs),
    });
  }

  /**
   * Outputs and the loss SUM over the block — what training's evaluation computes — with
   * class-index targets, or a regressor's rows × outputs target values.
   */
  forwardLoss(rows: number, targets: ArrayLike<number>): { output: Tensor; lossSum: number } {
    this.checkRows(rows);
    const width = this.regression ? this.plan.outputs : 1;
    for (let i = 0; i < rows * width; i++) this.targets[i] = targets[i];
    const x = { shape: [rows, this.plan.inputs], data: this.input.subarray(0, rows * this.plan.inputs) };
    const data = this.targets.subarray(0, rows * width);
    return this.model.forwardLoss(x, this.regression ? { shape: [rows, width], data } : data);
  }

  private checkRows(rows: number): void {
    if (!(rows >= 1 && rows <= this.blockRows))
      throw new Error(`a block holds 1 to ${this.blockRows} rows, not ${rows}`);
  }
}

/** Parameters, (unused) gradients, a block of inputs and targets, then the model's own buffers, in that order. */
function buildInto(plan: ModelPlan, blockRows: number, targetWidth: number, alloc: Allocator, kernels: Kernels) {
  const params = alloc.floats(plan.paramCount);
  const grads = alloc.floats(plan.paramCount);
  const input = alloc.floats(blockRows * plan.inputs);
  const targets = alloc.floats(blockRows * targetWidth);
  const model = new ChainModel(plan, params, grads, blockRows, { kernels, alloc });
  return { params, input, targets, model };
}
