import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { type Request, type Response } from 'express';
import type { PlatformModule } from '../../modules.js';
import { webPaths } from './web-paths.js';
import { setPageSecurityHeaders } from './web-security.js';

/** The pages and the built file that serves each (Vite multi-page output). */
export const WEB_PAGES: Record<string, string> = {
  '/': 'index.html',
  '/dashboard': 'dashboard.html',
  '/graphiql': 'graphiql.html',
};

/**
 * Serves the built-in pages from `web/dist` (built by `npm run build:web`, run by `prestart`):
 * the public portal at `/`, the dashboard at `/dashboard`, GraphiQL at `/graphiql`, hashed assets
 * under `/assets` (cached for a year). Every response carries a CSP that allows the service's own
 * origin only. When the pages are not built, they answer 503 saying how to build them.
 */
export const webModule: PlatformModule = {
  name: 'web',
  routes(app, rt) {
    const { distDir } = webPaths();
    if (!existsSync(path.join(distDir, 'index.html'))) {
      rt.log.warn({ distDir }, 'web pages are not built: run `npm run build:web`');
    }
    const notBuilt = (res: Response) => {
      res
        .status(503)
        .type('text/plain; charset=utf-8')
        .send('页面尚未构建 / pages not built: run `npm run build:web`\n');
    };
    for (const [route, file] of Object.entries(WEB_PAGES)) {
      app.get(route, (_req: Request, res: Response) => {
        setPageSecurityHeaders(res);
        const full = path.join(distDir, file);
        if (!existsSync(full)) {
          notBuilt(res);
          return;
        }
        res.setHeader('Cache-Control', 'no-cache');
        res.sendFile(full);
      });
    }
    app.get('/favicon.svg', (_req: Request, res: Response) => {
      setPageSecurityHeaders(res);
      res.setHeader('Cache-Control', 'public, max-age=86400');
      res.sendFile(path.join(distDir, 'favicon.svg'), (err) => {
        if (err && !res.headersSent) res.status(404).end();
      });
    });
    app.use(
      '/assets',
      (_req: Request, res: Response, next) => {
        setPageSecurityHeaders(res);
        next();
      },
      express.static(path.join(distDir, 'assets'), {
        index: false,
        immutable: true,
        maxAge: '365d',
      }),
      (_req: Request, res: Response) => {
        res.status(404).type('text/plain; charset=utf-8').send('not found\n');
      },
    );
  },
};
