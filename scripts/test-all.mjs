// `npm test`: everything CI runs, in order — typecheck (runtime, renderer, main), lint, the unit and
// integration suite (vitest), then the browser end-to-end suite when it exists. Prints one closing
// line "N passed, N failed" and exits non-zero on any failure.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';

const steps = [];
const run = (name, cmd, args, { report } = {}) => {
  const started = Date.now();
  process.stdout.write(`\n=== ${name} ===\n`);
  const result = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, FORCE_COLOR: process.env.CI ? '0' : process.env.FORCE_COLOR } });
  const ok = result.status === 0;
  const counts = report && existsSync(report) ? JSON.parse(readFileSync(report, 'utf8')) : undefined;
  steps.push({ name, ok, seconds: Math.round((Date.now() - started) / 100) / 10, counts });
  return ok;
};

mkdirSync('test-results', { recursive: true });
run('typecheck: runtime, tests, scripts', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']);
run('typecheck: renderer', 'npx', ['tsc', '-p', 'src-renderer/tsconfig.json', '--noEmit']);
if (existsSync('src-main/tsconfig.json')) run('typecheck: electron main', 'npx', ['tsc', '-p', 'src-main/tsconfig.json', '--noEmit']);
run('lint', 'npx', ['eslint', '.']);
run('unit + integration (vitest)', 'npx', ['vitest', 'run', '--reporter=default', '--reporter=json', '--outputFile.json=test-results/unit.json'], { report: 'test-results/unit.json' });
if (existsSync('e2e/vitest.config.ts')) {
  run('browser end-to-end (Playwright + Chromium)', 'npx', ['vitest', 'run', '--config', 'e2e/vitest.config.ts', '--reporter=default', '--reporter=json', '--outputFile.json=test-results/e2e.json'], { report: 'test-results/e2e.json' });
}

let passed = 0;
let failed = 0;
let skipped = 0;
process.stdout.write('\n=== summary ===\n');
for (const step of steps) {
  const c = step.counts;
  if (c) {
    passed += c.numPassedTests;
    failed += c.numFailedTests;
    skipped += c.numPendingTests + (c.numTodoTests ?? 0);
  } else if (step.ok) passed += 1;
  else failed += 1;
  if (c && !step.ok && c.numFailedTests === 0) failed += 1; // a suite that failed outside a test
  process.stdout.write(`${step.ok ? 'ok  ' : 'FAIL'} ${step.name} (${step.seconds}s)${c ? `: ${c.numPassedTests} passed, ${c.numFailedTests} failed` : ''}\n`);
}
process.stdout.write(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
process.exit(steps.every((s) => s.ok) ? 0 : 1);
