/**
 * Builds the built-in pages (web/ → web/dist) with Vite when they are missing or stale.
 * Usage: `npm run build:web` (runs before `npm start`), `npm run build:web -- --force`.
 */
import { buildWebIfStale } from '../src/modules/web/web-build.js';

const started = Date.now();
const built = await buildWebIfStale({ force: process.argv.includes('--force') });
console.log(built ? `built web/dist in ${Date.now() - started} ms` : 'web/dist is up to date');
