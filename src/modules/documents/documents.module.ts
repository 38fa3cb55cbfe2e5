import type { PlatformModule } from '../../modules.js';
import { documentRoutes } from './document.routes.js';

/** Official documents: mounts `GET /documents/:kind/:id.pdf`. */
export const documentsModule: PlatformModule = {
  name: 'documents',
  routes(app, rt) {
    documentRoutes(app, rt);
  },
};
