// Totals the vitest JSON reports of each package into the one line CI reads:
// "N passed, N failed". A package whose report is missing (it crashed before reporting) counts
// as one failure, so a broken suite can never look green.
import { readFileSync } from 'node:fs';

let passed = 0;
let failed = 0;
for (const pkg of process.argv.slice(2)) {
  const file = `${pkg}/test-results/vitest.json`;
  try {
    const report = JSON.parse(readFileSync(file, 'utf8'));
    passed += report.numPassedTests;
    failed += report.numFailedTests;
    // Files that failed to load report no tests; count each as a failure.
    failed += report.testResults.filter(
      (r) => r.status === 'failed' && r.assertionResults.length === 0,
    ).length;
    console.log(`${pkg}: ${report.numPassedTests} passed, ${report.numFailedTests} failed`);
  } catch (error) {
    failed += 1;
    console.log(`${pkg}: no test report (${error.code ?? error.message})`);
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
