/** What a finished run directory holds (sorted), written out by hand for the tests that list one. */
export const RUN_LISTING = [
  'checkpoints',
  'config.json',
  'confusion.json',
  'metrics.jsonl',
  'model.json',
  'model.safetensors',
  'run.json',
  'summary.json',
];

/** The same for a run of `npm run batch`, which also writes report.html. */
export const BATCH_RUN_LISTING = [...RUN_LISTING, 'report.html'].sort();
