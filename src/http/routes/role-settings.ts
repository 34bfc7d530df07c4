import { IdParams } from '../../contract/common.ts';
import { RolePolicyPatch, RoleSettings, SettingsQuery } from '../../contract/policy.ts';
import type { DeepPartial, RolePolicy } from '../../domain/policy.ts';
import { getRoleSettings, resetRoleSettings, updateRoleSettings } from '../../services/role-settings.ts';
import type { App } from '../types.ts';
import { ANY_USER, ASSIGNMENT_ADMIN } from './access.ts';

export function roleSettingsRoutes(app: App): void {
  const tags = ['role settings'];
  const scopeNote = 'Without ?scope the role-wide policy; with ?scope=… the policy in force there (the nearest override at or above it).';
  app.get('/api/v1/roles/:id/settings', {
    config: { access: ANY_USER },
    schema: { tags, summary: 'Role settings: activation, assignment and notification rules', description: scopeNote, params: IdParams, querystring: SettingsQuery, response: { 200: RoleSettings } },
  }, (req) => getRoleSettings(req.ctx, req.params.id, req.query.scope));
  app.patch('/api/v1/roles/:id/settings', {
    config: { access: ASSIGNMENT_ADMIN },
    schema: {
      tags, summary: 'Change role settings (only the fields given; arrays replace)',
      description: `${scopeNote} A change at a scope saves an override there. Requests already made keep the rules they were made under.`,
      params: IdParams, querystring: SettingsQuery, body: RolePolicyPatch, response: { 200: RoleSettings },
    },
  // The body schema (built from the same shape as RolePolicy) has validated it; the builder loses the static type.
  }, (req) => updateRoleSettings(req.ctx, req.params.id, req.query.scope ?? '/', req.body as DeepPartial<RolePolicy>));
  app.delete('/api/v1/roles/:id/settings', {
    config: { access: ASSIGNMENT_ADMIN },
    schema: { tags, summary: 'Remove the settings saved at this scope (the next one up, or the defaults, apply again)', params: IdParams, querystring: SettingsQuery, response: { 200: RoleSettings } },
  }, (req) => resetRoleSettings(req.ctx, req.params.id, req.query.scope ?? '/'));
}
