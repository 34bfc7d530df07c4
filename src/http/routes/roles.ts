import { Type } from 'typebox';
import { IdParams, Page } from '../../contract/common.ts';
import { CreateRole, ListRolesQuery, Role, UpdateRole } from '../../contract/roles.ts';
import { createRole, deleteRole, getRole, listRoles, updateRole } from '../../services/roles.ts';
import type { App } from '../types.ts';
import { ANY_USER, ASSIGNMENT_ADMIN } from './access.ts';

export function roleRoutes(app: App): void {
  const tags = ['roles'];
  app.get('/api/v1/roles', { config: { access: ANY_USER }, schema: { tags, summary: 'List the role catalogue (built-in and custom)', querystring: ListRolesQuery, response: { 200: Page(Role) } } },
    (req) => listRoles(req.ctx, req.query));
  app.get('/api/v1/roles/:id', { config: { access: ANY_USER }, schema: { tags, summary: 'Get a role', params: IdParams, response: { 200: Role } } },
    (req) => getRole(req.ctx, req.params.id));
  app.post('/api/v1/roles', { config: { access: ASSIGNMENT_ADMIN }, schema: { tags, summary: 'Create a custom role', body: CreateRole, response: { 201: Role } } },
    async (req, reply) => reply.status(201).send(await createRole(req.ctx, req.body)));
  app.patch('/api/v1/roles/:id', { config: { access: ASSIGNMENT_ADMIN }, schema: { tags, summary: 'Update a custom role', params: IdParams, body: UpdateRole, response: { 200: Role } } },
    (req) => updateRole(req.ctx, req.params.id, req.body));
  app.delete('/api/v1/roles/:id', { config: { access: ASSIGNMENT_ADMIN }, schema: { tags, summary: 'Delete a custom role that nothing holds', params: IdParams, response: { 204: Type.Null() } } },
    async (req, reply) => { await deleteRole(req.ctx, req.params.id); return reply.status(204).send(null); });
}
