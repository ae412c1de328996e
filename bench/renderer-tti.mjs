#!/usr/bin/env node
// Time to an interactive file tree: headless Chromium navigates to the standalone runtime's page
// (token hand-over, Files view) and we take the page's own clock (performance.now(), i.e. since
// navigation start) when the first tree row is rendered and clickable. Fresh browser context per
// run (cold cache), median of 5. One JSON line.
import { buildAll, launch, makeWorkspace, startRuntime } from './renderer-support.js';
import { median, round } from './lib.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
buildAll();
const files = { 'README.md': '# bench\n' };
for (let i = 0; i < 200; i++) files[`src/module-${i}/index.ts`] = `export const n${i} = ${i};\n`;
const ws = makeWorkspace(files);
const rt = await startRuntime(['--workspace', ws]);
const context = await launch();
const samples = [];
const navToRequest = [];
try {
  for (let i = 0; i < RUNS; i++) {
    const page = await context.newPage();
    // Cold: no HTTP cache, no sessionStorage carried over.
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.clearBrowserCache');
    await page.goto(`${rt.url}/?token=${encodeURIComponent(rt.token)}#/files`, { waitUntil: 'commit' });
    await page.waitForSelector('[role="treeitem"][data-path="src"]', { timeout: 30_000 });
    const t = await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0];
      return { now: performance.now(), responseEnd: nav ? nav.responseEnd : 0 };
    });
    // Interactive: a click expands the folder.
    await page.click('[role="treeitem"][data-path="src"]');
    await page.waitForSelector('[role="treeitem"][data-path="src/module-0"]');
    samples.push(t.now);
    navToRequest.push(t.responseEnd);
    await page.close();
  }
} finally {
  await context.close();
  await rt.stop();
}
console.log(
  JSON.stringify({
    bench: 'renderer-tti',
    runs: RUNS,
    median_ms_to_interactive_tree: round(median(samples), 1),
    min_ms: round(Math.min(...samples), 1),
    max_ms: round(Math.max(...samples), 1),
    samples_ms: samples.map((s) => round(s, 1)),
    median_html_response_end_ms: round(median(navToRequest), 1),
  }),
);
