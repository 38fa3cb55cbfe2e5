import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the pages' sources and build output live. */
export interface WebPaths {
  /** The Vite project root, `<repo>/web`. */
  webDir: string;
  /** The build output, `<repo>/web/dist`. */
  distDir: string;
}

/**
 * Finds `<repo>/web` by walking up from this file, so it works from `src/` under tsx and from a
 * compiled `dist/src/` alike.
 *
 * @throws Error when no `web/vite.config.ts` is found above this file.
 */
export function webPaths(): WebPaths {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const webDir = path.join(dir, 'web');
    if (existsSync(path.join(webDir, 'vite.config.ts')))
      return { webDir, distDir: path.join(webDir, 'dist') };
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('web/vite.config.ts not found above src/modules/web');
    dir = parent;
  }
}
