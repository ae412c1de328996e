/**
 * Serving the browser client: the built renderer at `/` with a Content-Security-Policy, the SPA
 * fallback for client routes (never for /api or /internal), and a plain placeholder page when no
 * renderer build exists. The shell carries no token: the page takes `/?token=` into sessionStorage.
 */
import express, { type Express, type Request, type Response } from 'express';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export function contentSecurityPolicy(): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self' ws: wss:",
    "worker-src 'self' blob:",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "object-src 'none'",
  ].join('; ');
}

const PLACEHOLDER_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Workspace Runtime</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:15px system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}code{background:#8882;padding:0 .3em}</style>
<script src="/runtime-shell.js"></script></head>
<body><h1>Workspace Runtime</h1>
<p>The runtime is running, but no renderer build was found. Build it with <code>npm run build</code>.</p>
<p>The API is at <code>/api/v1</code>; its reference is at <a href="/api/v1/docs">/api/v1/docs</a>.</p>
<p id="token-state"></p></body></html>`;

const PLACEHOLDER_JS = `(function(){var u=new URL(location.href);var t=u.searchParams.get('token');
if(t){sessionStorage.setItem('workspace-runtime.token',t);u.searchParams.delete('token');history.replaceState(null,'',u.pathname+u.search+u.hash);}
addEventListener('DOMContentLoaded',function(){var e=document.getElementById('token-state');if(e)e.textContent=sessionStorage.getItem('workspace-runtime.token')?'Signed in for this tab.':'Open /?token=<token> to sign in.';});})();`;

function isApiPath(path: string): boolean {
  return path === '/api' || path.startsWith('/api/') || path.startsWith('/internal/') || path === '/health';
}

export function mountStaticShell(app: Express, rendererDir: string | undefined): void {
  const csp = contentSecurityPolicy();
  const securityHeaders = (res: Response) => {
    res.setHeader('Content-Security-Policy', csp);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Frame-Options', 'DENY');
  };
  const indexFile = rendererDir ? join(rendererDir, 'index.html') : undefined;
  if (rendererDir && indexFile && existsSync(indexFile)) {
    app.use(
      express.static(rendererDir, {
        index: false,
        setHeaders: (res, path) => {
          securityHeaders(res);
          res.setHeader('Cache-Control', path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
        },
      }),
    );
    app.get('/{*splat}', (req: Request, res: Response, next) => {
      if (isApiPath(req.path)) return next();
      securityHeaders(res);
      res.setHeader('Cache-Control', 'no-cache');
      res.sendFile(indexFile);
    });
    return;
  }
  app.get('/runtime-shell.js', (_req, res) => {
    securityHeaders(res);
    res.type('application/javascript').send(PLACEHOLDER_JS);
  });
  app.get('/{*splat}', (req: Request, res: Response, next) => {
    if (isApiPath(req.path)) return next();
    securityHeaders(res);
    res.type('html').send(PLACEHOLDER_HTML);
  });
}
