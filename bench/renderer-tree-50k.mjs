#!/usr/bin/env node
/* global window, document, requestAnimationFrame -- page functions run inside Chromium */
// A 50,000-file workspace in the file tree: 50,000 files in one folder (the worst case for a
// tree: one listing of 50k rows) plus a few others. Headless Chromium opens the Files view,
// expands the big folder and scrolls the virtualized tree from top to bottom; a PerformanceObserver
// for `longtask` (Chromium's performance timeline) records every task over 50 ms in each phase.
// One JSON line.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildAll, launch, makeWorkspace, startRuntime } from './renderer-support.js';
import { round } from './lib.mjs';

const COUNT = Number(process.env.BENCH_FILES ?? 50_000);
buildAll();
const ws = makeWorkspace({ 'README.md': '# big\n', 'src/index.ts': 'export {};\n' });
mkdirSync(join(ws, 'big'));
const t0 = Date.now();
for (let i = 0; i < COUNT; i++) writeFileSync(join(ws, 'big', `file-${String(i).padStart(5, '0')}.txt`), '');
const createMs = Date.now() - t0;

const rt = await startRuntime(['--workspace', ws]);
const context = await launch();
const result = { bench: 'renderer-tree-50k', files: COUNT, create_files_ms: createMs };
try {
  const page = await context.newPage();
  await page.addInitScript(() => {
    window.__longTasks = [];
    window.__phase = 'load';
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longTasks.push({ phase: window.__phase, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  });
  await page.goto(`${rt.url}/?token=${encodeURIComponent(rt.token)}#/files`);
  await page.waitForSelector('[role="treeitem"][data-path="big"]', { timeout: 60_000 });
  result.ms_to_tree = round(await page.evaluate(() => performance.now()), 1);

  await page.evaluate(() => (window.__phase = 'expand'));
  const expandStart = await page.evaluate(() => performance.now());
  await page.click('[role="treeitem"][data-path="big"]');
  await page.waitForSelector('[role="treeitem"][data-path="big/file-00000.txt"]', { timeout: 60_000 });
  result.ms_expand_50k_folder = round((await page.evaluate(() => performance.now())) - expandStart, 1);
  result.rows_in_dom_after_expand = await page.locator('[role="treeitem"]').count();

  // Scroll top → bottom in 60 steps, one per animation frame pair, like a fast wheel.
  await page.evaluate(() => (window.__phase = 'scroll'));
  const scroll = await page.evaluate(async () => {
    const tree = document.querySelector('[role="tree"]');
    const frames = [];
    const start = performance.now();
    const steps = 60;
    for (let i = 1; i <= steps; i++) {
      const t = performance.now();
      tree.scrollTop = (tree.scrollHeight - tree.clientHeight) * (i / steps);
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      frames.push(performance.now() - t);
    }
    return { total: performance.now() - start, maxStep: Math.max(...frames), rows: tree.querySelectorAll('[role="treeitem"]').length, scrollHeight: tree.scrollHeight };
  });
  await page.waitForSelector(`[role="treeitem"][data-path="big/file-${String(COUNT - 1).padStart(5, '0')}.txt"]`, { timeout: 10_000 });
  result.scroll_ms_total = round(scroll.total, 1);
  result.scroll_max_step_ms = round(scroll.maxStep, 1);
  result.rows_in_dom_while_scrolling = scroll.rows;
  result.tree_scroll_height_px = scroll.scrollHeight;
  const tasks = await page.evaluate(() => window.__longTasks);
  for (const phase of ['load', 'expand', 'scroll']) {
    const list = tasks.filter((t) => t.phase === phase).map((t) => t.duration);
    result[`long_tasks_${phase}`] = list.length;
    result[`longest_task_${phase}_ms`] = list.length ? round(Math.max(...list), 1) : 0;
  }
} finally {
  await context.close();
  await rt.stop();
}
console.log(JSON.stringify(result));
