/** What every input reader yields: rows of raw feature values in blocks, with their labels and places. */

export interface InputBlock {
  /** Rows in this block. */
  readonly count: number;
  /** count × features raw values (before the model's preprocessing), row-major. */
  readonly values: Float64Array;
  /** Each row's label as written (a class index or name), when the input has labels. */
  readonly labels: readonly (number | string)[] | null;
  /** A regressor's targets, count × targetColumns.length values, when the input has them. */
  readonly targets: Float64Array | null;
  /** Where row i of the block is, for messages: `data.csv:12`, `images.idx (sample index 7)`. */
  where(i: number): string;
}

export interface ReadOptions {
  /** Features per row the model takes. */
  readonly features: number;
  /** The model's input shape: IDX images must match it when it is an image's [channels, height, width]. */
  readonly shape?: readonly number[];
  readonly blockRows: number;
  /** Whether rows must come with a label (eval), may (predict: a label column is dropped), or not. */
  readonly labels: 'required' | 'optional';
  /** CSV: which column holds the label when a row has one more column than features (index or header name). */
  readonly labelColumn?: number | string;
  /** Labels are class names (the model has them): a label that is not a number is data, not a header. */
  readonly namedLabels?: boolean;
  /** IDX: the labels file (eval). */
  readonly labelsFile?: string;
  /**
   * A regressor's target columns (indices or header names; the model's outputs): CSV rows may
   * hold them besides the features (eval needs them, predict drops them), JSON gives `targets`.
   */
  readonly targetColumns?: readonly (number | string)[];
}

/** Collects rows into blocks of `blockRows`. */
export class BlockBuilder {
  private values: Float64Array;
  private targets: Float64Array;
  private labels: (number | string)[] = [];
  private places: number[] = [];
  private count = 0;

  constructor(
    private readonly options: ReadOptions,
    private readonly placeName: (place: number) => string,
    private readonly withLabels: boolean,
    /** Target values per row (0: none). */
    private readonly targetWidth = 0,
  ) {
    this.values = new Float64Array(options.blockRows * options.features);
    this.targets = new Float64Array(options.blockRows * targetWidth);
  }

  /** Room for the targets of the row being written (targetWidth values). */
  targetRow(): Float64Array {
    const k = this.targetWidth;
    return this.targets.subarray(this.count * k, (this.count + 1) * k);
  }

  /** Room for one more row: its values go to `row()` (features values), then `commit`. */
  row(): Float64Array {
    const f = this.options.features;
    return this.values.subarray(this.count * f, (this.count + 1) * f);
  }

  /** Adds the row just written; returns a full block to yield, or null. */
  commit(place: number, label?: number | string): InputBlock | null {
    this.places.push(place);
    if (this.withLabels) this.labels.push(label as number | string);
    this.count++;
    return this.count === this.options.blockRows ? this.flush() : null;
  }

  /** The rows collected so far as a block (null if none). */
  flush(): InputBlock | null {
    if (this.count === 0) return null;
    const places = this.places;
    const block: InputBlock = {
      count: this.count,
      values: this.values.subarray(0, this.count * this.options.features),
      labels: this.withLabels ? this.labels : null,
      targets: this.targetWidth > 0 ? this.targets.subarray(0, this.count * this.targetWidth) : null,
      where: (i) => this.placeName(places[i]),
    };
    this.values = new Float64Array(this.options.blockRows * this.options.features);
    this.targets = new Float64Array(this.options.blockRows * this.targetWidth);
    this.labels = [];
    this.places = [];
    this.count = 0;
    return block;
  }
}
