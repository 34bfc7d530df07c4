import type { App } from '../types.ts';
import { auditRoutes } from './audit.ts';
import { checkRoutes } from './check.ts';
import { requestRoutes } from './requests.ts';
import { roleRoutes } from './roles.ts';
import { tokenRoutes } from './tokens.ts';
import { userRoutes } from './users.ts';

export function registerRoutes(app: App): void {
  userRoutes(app);
  auditRoutes(app);
  roleRoutes(app);
  tokenRoutes(app);
  requestRoutes(app);
  checkRoutes(app);
}
