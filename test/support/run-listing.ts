/** What a finished run directory holds (sorted), written out by hand for the tests that list one. */
export const RUN_LISTING = [
  'checkpoints',
  'config.json',
  'metrics.jsonl',
  'model.safetensors',
  'run.json',
  'summary.json',
];

/** A run made by `npm run batch` also holds its report. */
export const CLI_RUN_LISTING = [...RUN_LISTING, 'report.html'].sort();
