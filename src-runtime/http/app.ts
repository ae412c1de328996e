/**
 * HTTP app assembly: the Host/Origin guard in front of everything, the declared routes, JSON 404s
 * for unknown API paths, the static shell, and the one error handler. Kept lean: hot GET routes
 * pass through one guard middleware and their own access check, nothing else.
 */
import express, { type Express } from 'express';
import { ApiError } from '../contract/errors.js';
import type { RouteBinding } from './bind.js';
import { apiNotFound, errorHandler } from './errors.js';
import { hostAllowed, originAllowed, type GuardConfig } from './guards.js';
import { mountRoutes } from './mount.js';
import { mountStaticShell } from './static-shell.js';

export interface HttpAppOptions {
  guard: GuardConfig;
  bindings: RouteBinding[];
  rendererDir?: string;
}

export function createHttpApp(options: HttpAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('query parser', 'simple');

  app.use((req, _res, next) => {
    if (!hostAllowed(req.headers.host, options.guard)) {
      throw new ApiError(403, 'host_not_allowed', `Host "${req.headers.host ?? ''}" is not allowed; use 127.0.0.1 or localhost, or add the name to allowed_hosts`);
    }
    if (!originAllowed(req.headers.origin, options.guard)) {
      throw new ApiError(403, 'origin_not_allowed', `Origin "${req.headers.origin}" may not call this runtime`);
    }
    next();
  });

  const router = express.Router({ strict: false });
  mountRoutes(router, options.bindings, options.guard);
  app.use(router);
  app.use(['/api', '/internal'], apiNotFound);
  mountStaticShell(app, options.rendererDir);
  app.use(apiNotFound);
  app.use(errorHandler);
  return app;
}
