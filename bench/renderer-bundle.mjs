#!/usr/bin/env node
// Renderer bundle size: builds the renderer, then sums the gzip size of the JavaScript the page
// loads before any interaction (the entry and its static imports, from Vite's manifest) and lists
// the chunks loaded on demand, checking that the editor (CodeMirror) and diff view are among them.
// Budget: initial JS ≤ 400 KB gzip. One JSON line.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ROOT, buildAll } from './renderer-support.js';

buildAll();
const dist = join(ROOT, 'dist', 'renderer');
const manifest = JSON.parse(readFileSync(join(dist, '.vite', 'manifest.json'), 'utf8'));
const gz = (file) => gzipSync(readFileSync(join(dist, file)), { level: 9 }).length;

const entryKey = Object.keys(manifest).find((k) => manifest[k].isEntry);
const initial = new Set();
const visit = (key) => {
  const chunk = manifest[key];
  if (!chunk || initial.has(chunk.file)) return;
  initial.add(chunk.file);
  for (const dep of chunk.imports ?? []) visit(dep);
};
visit(entryKey);
const initialCss = [...new Set([...initial].flatMap((f) => Object.values(manifest).find((c) => c.file === f)?.css ?? []))];

const allJs = Object.values(manifest).filter((c) => c.file.endsWith('.js'));
const lazy = allJs.filter((c) => !initial.has(c.file));
const find = (pattern) => Object.entries(manifest).find(([k]) => pattern.test(k))?.[1]?.file;
const editorChunk = find(/features\/files\/code-editor\.tsx$/);
const diffChunk = find(/features\/git\/diff-view\.tsx$/);

/** A lazy chunk plus the static imports it pulls in that the initial load does not have. */
const closureGzip = (key) => {
  const seen = new Set();
  const walk = (k) => {
    const c = manifest[k];
    if (!c || seen.has(c.file) || initial.has(c.file)) return;
    seen.add(c.file);
    for (const dep of c.imports ?? []) walk(dep);
  };
  walk(key);
  return Math.round(([...seen].reduce((n, f) => n + gz(f), 0) / 1024) * 10) / 10;
};
const keyOf = (pattern) => Object.keys(manifest).find((k) => pattern.test(k));

const initialJsGzip = [...initial].reduce((n, f) => n + gz(f), 0);
const result = {
  bench: 'renderer-bundle',
  initial_js_gzip_kb: Math.round((initialJsGzip / 1024) * 10) / 10,
  initial_css_gzip_kb: Math.round((initialCss.reduce((n, f) => n + gz(f), 0) / 1024) * 10) / 10,
  budget_kb: 400,
  within_budget: initialJsGzip <= 400 * 1024,
  initial_files: [...initial],
  editor_on_demand: !!editorChunk && !initial.has(editorChunk),
  diff_on_demand: !!diffChunk && !initial.has(diffChunk),
  editor_with_deps_gzip_kb: editorChunk ? closureGzip(keyOf(/features\/files\/code-editor\.tsx$/)) : null,
  diff_with_deps_gzip_kb: diffChunk ? closureGzip(keyOf(/features\/git\/diff-view\.tsx$/)) : null,
  lazy_js_gzip_kb_total: Math.round((lazy.reduce((n, c) => n + gz(c.file), 0) / 1024) * 10) / 10,
  lazy_chunks: lazy.length,
};
console.log(JSON.stringify(result));
