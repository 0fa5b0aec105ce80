import type { MachineInfo } from './machine.ts';

/** What a run reports: per epoch, per step (progress), and at the end. */

export interface EpochMetrics {
  epoch: number;
  /** Mean training loss over the epoch's samples (as they were seen, during the epoch). */
  loss: number;
  /** Share of the epoch's training samples classified right when they were seen. */
  trainAccuracy: number;
  /** Share of the test split classified right after the epoch (null without a test split). */
  testAccuracy: number | null;
  testLoss: number | null;
  /** On the validation split after the epoch (present only with data.validation). */
  validationLoss?: number;
  validationAccuracy?: number;
  /** The learning rate of the epoch's first step (schedules change it per step). */
  learningRate: number;
  samplesPerSec: number;
  seconds: number;
  workers: number;
}

export interface StepProgress {
  epoch: number;
  step: number;
  steps: number;
  samples: number;
  loss: number;
  seconds: number;
}

export interface TrainSummary {
  name: string;
  /** `interrupted`: stopped by a signal (or options.signal) after writing a checkpoint to resume from. */
  status: 'complete' | 'interrupted';
  epochs: number;
  steps: number;
  /** The global step the run resumed from (absent when it started from scratch). */
  resumedFromStep?: number;
  loss: number | null;
  trainAccuracy: number | null;
  testAccuracy: number | null;
  /** With data.validation, the test split is scored once, here (unless train.testEveryEpoch). */
  testLoss?: number | null;
  /** Early stopping (train.earlyStopping): the best epoch by its metric, and whether it ended the run. */
  bestEpoch?: number | null;
  bestValue?: number | null;
  stoppedEarly?: boolean;
  /** The best epoch's weights (model.best.safetensors) on the test split. */
  bestTestAccuracy?: number | null;
  bestTestLoss?: number | null;
  seconds: number;
  samplesPerSec: number | null;
  workers: number;
  chunks: number;
  kernels: string;
  parameters: number;
  /** CPU model, cores, Node version, platform: speeds mean little without them. */
  machine: MachineInfo;
}
