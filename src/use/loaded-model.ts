/**
 * A trained model, loaded back (see load.ts): predictions, probabilities and evaluation on the
 * forward pass training runs (engine.ts), with the model's stored preprocessing applied to raw rows.
 */
import { copyInputs, inputLength } from '../data/inputs.ts';
import { UserError } from '../errors.ts';
import type { NamedTensor } from '../io/safetensors.ts';
import type { ModelPlan } from '../model/plan.ts';
import type { Tensor } from '../tensor.ts';
import { DEFAULT_BLOCK_ROWS, ForwardEngine, type KernelName } from './engine.ts';
import { classIndices, EvaluationAccumulator, type Evaluation } from './evaluation.ts';
import { argmaxInto, classLabels, softmaxInto } from './metrics.ts';
import type { ModelDescription } from './model-json.ts';
import { preprocessInto } from './preprocess.ts';
import { evaluateInParallel, threadsFor } from './parallel-eval.ts';
import { evaluateRegressor } from './regression-data.ts';
import { targetLabels, type RegressionEvaluation } from './regression-evaluation.ts';
import type { EvaluationData } from './evaluation-data.ts';
import { rowSource, type Rows } from './rows.ts';

export type { EvaluationData, PreparedSplit } from './evaluation-data.ts';

export interface EvaluateOptions {
  /**
   * Rows per loss partial sum. The loss sum of a block is added to the total in block order, so
   * the loss equals training's `testLoss` to the bit when this is training's evaluation chunk
   * (ceil(min(batchSize, train rows) / chunks)). Predictions do not depend on it.
   */
  readonly blockRows?: number;
}

export class LoadedModel {
  readonly features: number;
  /** Width of the last layer (the number of classes of a classifier). */
  readonly outputWidth: number;
  readonly task: ModelDescription['task'];
  /** Class names in index order: the model's names, else "0", "1", … */
  readonly classes: readonly string[];
  /** A regressor's output names: model.json's targets, else "output" or "output_0", "output_1", … */
  readonly targets: readonly string[];
  private readonly engines = new Map<number, ForwardEngine>();

  constructor(
    readonly description: ModelDescription,
    private readonly plan: ModelPlan,
    private readonly params: Float32Array,
    private readonly kernels: KernelName,
    private readonly blockRows = DEFAULT_BLOCK_ROWS,
    /** Batch norm's running statistics (the plan's buffer vector): what evaluation mode normalizes with. */
    private readonly buffers: Float32Array = new Float32Array(plan.bufferCount),
  ) {
    this.features = plan.inputs;
    this.outputWidth = plan.outputs;
    this.task = description.task;
    this.classes = classLabels(description.classes, plan.outputs);
    this.targets = targetLabels(description.targets, plan.outputs);
  }

  /** The last layer's outputs for raw rows (logits of a softmax classifier), count × outputWidth. */
  forward(rows: Rows): Float32Array {
    const source = rowSource(rows, this.features);
    const out = new Float32Array(source.count * this.outputWidth);
    for (let start = 0; start < source.count; start += this.blockRows) {
      const count = Math.min(this.blockRows, source.count - start);
      this.prepare(source.block(start, count), count);
      out.set(this.run(count).data, start * this.outputWidth);
    }
    return out;
  }

  /** A classifier's class index per row (the largest output; ties to the lower index); a regressor's outputs. */
  predict(rows: Rows): Int32Array | Float32Array {
    const outputs = this.forward(rows);
    if (this.task === 'regression') return outputs;
    const count = outputs.length / this.outputWidth;
    const classes = new Int32Array(count);
    argmaxInto(outputs, count, this.outputWidth, classes);
    return classes;
  }

  /** softmax of the logits, count × classes (float64 arithmetic, stored as float32). */
  predictProba(rows: Rows): Float32Array {
    this.requireLogits();
    const outputs = this.forward(rows);
    const count = outputs.length / this.outputWidth;
    const probabilities = new Float32Array(outputs.length);
    softmaxInto(outputs, count, this.outputWidth, probabilities);
    return probabilities;
  }

  /**
   * A classifier's loss, accuracy, confusion matrix and per-class precision, recall and F1; a
   * regressor's loss, mse, mae and R² (overall and per target).
   */
  evaluate(data: EvaluationData, options: EvaluateOptions = {}): Evaluation | RegressionEvaluation {
    const blockRows = options.blockRows ?? this.blockRows;
    if (this.task === 'regression') return evaluateRegressor(this, data, blockRows);
    const accumulator = new EvaluationAccumulator(this.classes);
    const targets = new Float32Array(blockRows);
    if ('targets' in data && 'rows' in data) {
      throw new UserError('✖ a classifier is evaluated on labels (class indices or names), not targets → at targets');
    }
    if ('rows' in data) {
      const source = rowSource(data.rows, this.features);
      if (data.labels.length !== source.count) {
        throw new UserError(`✖ ${data.labels.length} labels for ${source.count} rows → at labels`);
      }
      for (let start = 0; start < source.count; start += blockRows) {
        const count = Math.min(blockRows, source.count - start);
        const named = this.description.classes !== null;
        classIndices(data.labels, start, count, this.classes, named, (i) => `labels[${i}]`, targets);
        const engine = this.engine(blockRows);
        preprocessInto(this.description.preprocessing, source.block(start, count), engine.inputOf(count));
        const { output, lossSum } = engine.forwardLoss(count, targets);
        accumulator.add(output.data, targets, count, lossSum);
      }
      return accumulator.result();
    }
    const split = 'test' in data ? data.test : data;
    if (!split) throw new UserError('✖ the dataset has no test split to evaluate → at test');
    if (inputLength(split.inputs) !== split.count * this.features) {
      const width = inputLength(split.inputs) / split.count;
      throw new UserError(`✖ the split's rows have ${width} features, the model takes ${this.features} → at inputs`);
    }
    for (let start = 0; start < split.count; start += blockRows) {
      const count = Math.min(blockRows, split.count - start);
      const engine = this.engine(blockRows);
      copyInputs(split.inputs, start * this.features, (start + count) * this.features, engine.inputOf(count));
      classIndices(split.targets, start, count, this.classes, false, (i) => `targets[${i}]`, targets);
      const { output, lossSum } = engine.forwardLoss(count, targets);
      accumulator.add(output.data, targets, count, lossSum);
    }
    return accumulator.result();
  }

  /**
   * Block by block, for callers that stream rows from a file: puts `count` ≤ rowsPerBlock raw rows
   * (count × features values, row-major) through the preprocessing into the model's input and
   * returns that input (a view, valid until the next call); then `run` or `runWithLoss`.
   */
  prepare(raw: ArrayLike<number>, count: number): Float32Array {
    const input = this.engine(this.blockRows).inputOf(count);
    preprocessInto(this.description.preprocessing, raw, input);
    return input;
  }

  /** The outputs of the `count` rows last prepared; a view, valid until the next call. */
  run(count: number): Tensor {
    return this.engine(this.blockRows).forward(count);
  }

  /** As run, with the loss sum of the block for class-index `targets`. */
  runWithLoss(count: number, targets: ArrayLike<number>): { output: Tensor; lossSum: number } {
    return this.engine(this.blockRows).forwardLoss(count, targets);
  }

  /** Copies of every parameter tensor, named as in model.safetensors (`layers.0.weight` [in, out], …). */
  tensors(): Record<string, NamedTensor> {
    const copy =
      (flat: Float32Array) => (p: { name: string; shape: readonly number[]; offset: number; size: number }) =>
        [p.name, { shape: [...p.shape], data: flat.slice(p.offset, p.offset + p.size) }] as const;
    return Object.fromEntries([
      ...this.plan.params.map(copy(this.params)),
      ...this.plan.buffers.map(copy(this.buffers)),
    ]);
  }

  /**
   * evaluate, on several threads for a large prepared split or dataset (PARALLEL_MIN_ROWS rows or
   * more; `threads` default: the cores): the same result, bit for bit, as evaluate. Raw rows, and
   * smaller splits, are evaluated on this thread.
   */
  async evaluateAsync(
    data: EvaluationData,
    options: EvaluateOptions & { threads?: number } = {},
  ): Promise<Evaluation | RegressionEvaluation> {
    const split = 'rows' in data ? null : 'test' in data ? data.test : data;
    if (!split) return this.evaluate(data, options);
    const threads = options.threads === undefined ? threadsFor(split.count) : threadsFor(split.count, options.threads);
    if (threads === 1) return this.evaluate(data, options);
    const blockRows = options.blockRows ?? this.blockRows;
    return evaluateInParallel(this, split, { blockRows, threads });
  }

  /** The kernels this model computes on. */
  get kernelName(): KernelName {
    return this.kernels;
  }

  /** A copy of the flat parameter vector (the plan's layout). */
  flatParams(): Float32Array {
    return this.params.slice();
  }

  /** A copy of the flat buffer vector (batch norm's running statistics; empty without batch norm). */
  flatBuffers(): Float32Array {
    return this.buffers.slice();
  }

  /** The forward engine for blocks of `blockRows` rows (one per size, kept). */
  engine(blockRows: number): ForwardEngine {
    let engine = this.engines.get(blockRows);
    if (!engine) {
      const regression = this.task === 'regression';
      engine = new ForwardEngine(this.plan, this.params, this.kernels, blockRows, regression, this.buffers);
      this.engines.set(blockRows, engine);
    }
    return engine;
  }

  /** The most rows `prepare` takes at once. */
  get rowsPerBlock(): number {
    return this.blockRows;
  }

  /** Throws unless the outputs are logits (softmax-cross-entropy): softmax of anything else means nothing. */
  requireLogits(): void {
    this.requireClassifier();
    if (this.description.loss !== 'softmax-cross-entropy') {
      throw new UserError(
        `✖ the model was trained with the ${this.description.loss} loss: its outputs are not logits, so ` +
          'softmax probabilities would mean nothing; use the predicted class',
      );
    }
  }

  private requireClassifier(): void {
    if (this.task !== 'classification') {
      throw new UserError('✖ the model is a regressor: it has outputs, not classes or probabilities');
    }
  }
}
