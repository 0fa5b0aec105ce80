import { Worker } from 'node:worker_threads';

/**
 * A worker thread running the module at `moduleUrl` itself (a benchmark that is its own worker).
 * tsx's --import hooks do not reach a worker's .ts entry; its API does.
 */
export function startSelfWorker(moduleUrl: string, workerData: unknown): Worker {
  const self = JSON.stringify(moduleUrl);
  return new Worker(`import('tsx/esm/api').then(({ tsImport }) => tsImport(${self}, ${self}))`, {
    eval: true,
    workerData,
  });
}
