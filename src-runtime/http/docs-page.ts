/**
 * The readable API reference at /api/v1/docs: rendered on the server from the OpenAPI document,
 * no scripts and no network, so it works offline and under the page CSP.
 */
type Json = Record<string, unknown>;

const esc = (s: unknown) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function schemaBlock(schema: unknown): string {
  return `<pre>${esc(JSON.stringify(schema, null, 2))}</pre>`;
}

export function renderDocsPage(doc: Json): string {
  const paths = doc.paths as Record<string, Record<string, Json>>;
  const byTag = new Map<string, string[]>();
  for (const [path, ops] of Object.entries(paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const tag = ((op.tags as string[]) ?? ['other'])[0] ?? 'other';
      const params = ((op.parameters as Json[]) ?? [])
        .map((p) => `<li><code>${esc(p.name)}</code> <small>${esc(p.in)}${p.required ? ', required' : ''}</small> ${p.description ? esc(p.description) : ''}</li>`)
        .join('');
      const body = op.requestBody ? `<details><summary>Request body</summary>${schemaBlock((op.requestBody as Json).content)}</details>` : '';
      const responses = Object.entries(op.responses as Record<string, Json>)
        .map(([code, r]) => `<details><summary><b>${esc(code)}</b> ${esc(r.description)}</summary>${schemaBlock(r.content ?? {})}</details>`)
        .join('');
      const html = `<section id="${esc(op.operationId)}"><h3><span class="m ${esc(method)}">${esc(method.toUpperCase())}</span> <code>${esc(path)}</code></h3>
<p>${esc(op.summary ?? '')} <small>(${esc(op.operationId)}, access: ${esc(op['x-access'])})</small></p>
${params ? `<ul>${params}</ul>` : ''}${body}${responses}</section>`;
      (byTag.get(tag) ?? byTag.set(tag, []).get(tag)!).push(html);
    }
  }
  const info = doc.info as Json;
  const toc = [...byTag.keys()].map((t) => `<a href="#tag-${esc(t)}">${esc(t)}</a>`).join(' · ');
  const sections = [...byTag.entries()].map(([t, ops]) => `<h2 id="tag-${esc(t)}">${esc(t)}</h2>${ops.join('\n')}`).join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(info.title)} reference</title>
<style>
:root{color-scheme:light dark}body{font:14px system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}
pre{background:#8881;padding:.5rem;overflow:auto;font-size:12px}section{border-top:1px solid #8884;padding:.3rem 0}
.m{display:inline-block;min-width:4rem;font-size:12px;padding:2px 4px;border-radius:3px;color:#fff;background:#666}
.get{background:#2a7}.post{background:#27c}.put{background:#a72}.patch{background:#a5a}.delete{background:#c33}
h3{margin:.4rem 0;font-size:15px}</style></head><body>
<h1>${esc(info.title)} <small>${esc(info.version)}</small></h1><p>${esc(info.description)}</p>
<p>Machine-readable: <a href="/api/v1/openapi.json">openapi.json</a> · <a href="/api/v1/openapi.yaml">openapi.yaml</a></p>
<nav>${toc}</nav>${sections}</body></html>`;
}
