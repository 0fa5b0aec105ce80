/**
 * The bundled regression example, data/regression.csv: made here, deterministically, from a known
 * function plus Gaussian noise, so a regressor's R² can be judged against the noise floor.
 *
 *   x1, x2, x3 ~ U(−1, 1)
 *   y = 3·x1 − 2·x2 + x1·x3 + 0.5         + ε₁,  ε₁ ~ N(0, 0.1²)
 *   z = sin(π·x1) + 0.5·x2² − 0.25         + ε₂,  ε₂ ~ N(0, 0.05²)
 *
 * 1,000 rows from createRng(2026, 11) (src/random.ts), values with 6 decimals. The noise alone
 * leaves an R² of about 0.995 for y and 0.99 for z to a perfect model. Regenerate with
 * `node --import tsx src/data/bundled-regression.ts` (writes data/regression.csv);
 * test/data/bundled.test.ts checks that the file is exactly what this gives.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRng } from '../random.ts';

export const REGRESSION_ROWS = 1000;

export function regressionCsv(rows = REGRESSION_ROWS): string {
  const rng = createRng(2026, 11);
  const uniform = () => 2 * rng.next() - 1;
  const lines = ['x1,x2,x3,y,z'];
  for (let i = 0; i < rows; i++) {
    const [x1, x2, x3] = [uniform(), uniform(), uniform()];
    const y = 3 * x1 - 2 * x2 + x1 * x3 + 0.5 + 0.1 * rng.normal();
    const z = Math.sin(Math.PI * x1) + 0.5 * x2 * x2 - 0.25 + 0.05 * rng.normal();
    lines.push([x1, x2, x3, y, z].map((v) => v.toFixed(6)).join(','));
  }
  return lines.join('\n') + '\n';
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const path = fileURLToPath(new URL('../../data/regression.csv', import.meta.url));
  writeFileSync(path, regressionCsv());
  console.log(`wrote ${path}`);
}
