import type { App } from '../types.ts';
import { administrativeUnitRoutes } from './administrative-units.ts';
import { auditRoutes } from './audit.ts';
import { authRoutes } from './auth.ts';
import { authzenRoutes } from './authzen.ts';
import { bundleRoutes } from './bundles.ts';
import { checkRoutes } from './check.ts';
import { deliveryRoutes } from './deliveries.ts';
import { groupRoutes } from './groups.ts';
import { oidcRoutes } from './oidc.ts';
import { passkeyRoutes } from './passkeys.ts';
import { requestRoutes } from './requests.ts';
import { roleSettingsRoutes } from './role-settings.ts';
import { roleRoutes } from './roles.ts';
import { servicePrincipalRoutes } from './service-principals.ts';
import { tokenRoutes } from './tokens.ts';
import { userRoutes } from './users.ts';
import { webhookRoutes } from './webhooks.ts';

export function registerRoutes(app: App): void {
  authRoutes(app);
  oidcRoutes(app);
  passkeyRoutes(app);
  userRoutes(app);
  groupRoutes(app);
  administrativeUnitRoutes(app);
  servicePrincipalRoutes(app);
  auditRoutes(app);
  roleRoutes(app);
  roleSettingsRoutes(app);
  tokenRoutes(app);
  requestRoutes(app);
  bundleRoutes(app);
  checkRoutes(app);
  authzenRoutes(app);
  deliveryRoutes(app);
  webhookRoutes(app);
}
