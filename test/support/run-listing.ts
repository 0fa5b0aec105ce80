/** What a finished run directory holds (sorted), written out by hand for the tests that list one. */
export const RUN_LISTING = [
  'checkpoints',
  'config.json',
  'metrics.jsonl',
  'model.safetensors',
  'run.json',
  'summary.json',
];
