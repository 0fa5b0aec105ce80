import { availableParallelism, cpus } from 'node:os';

/** The machine a run ran on, for summary.json and the report: speeds mean little without it. */
export interface MachineInfo {
  cpu: string;
  cores: number;
  node: string;
  platform: string;
}

export function machineInfo(): MachineInfo {
  return {
    cpu: cpus()[0]?.model.trim() || 'unknown',
    cores: availableParallelism(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}
