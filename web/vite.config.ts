/**
 * Vite build of the built-in pages: the public portal (/), the reference dashboard (/dashboard)
 * and GraphiQL (/graphiql). Output goes to web/dist, served by src/modules/web. Everything is
 * bundled: the pages fetch nothing from outside the service.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/',
  publicDir: 'public',
  logLevel: 'warn',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The polyfill would be an inline script, which the pages' CSP forbids; Chromium needs none.
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 4096,
    sourcemap: false,
    rolldownOptions: {
      input: {
        index: `${root}index.html`,
        dashboard: `${root}dashboard.html`,
        graphiql: `${root}graphiql.html`,
      },
    },
  },
});
