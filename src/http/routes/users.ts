import { Type } from 'typebox';
import { IdParams, Page } from '../../contract/common.ts';
import { CreateUser, ListUsersQuery, UpdateUser, User } from '../../contract/directory.ts';
import { createUser, deleteUser, getUser, listUsers, restoreUser, updateUser } from '../../services/users.ts';
import type { App } from '../types.ts';
import { ANY_USER, USER_ADMIN } from './access.ts';

export function userRoutes(app: App): void {
  const tags = ['directory'];
  app.get('/api/v1/users', { config: { access: ANY_USER }, schema: { tags, summary: 'List users', querystring: ListUsersQuery, response: { 200: Page(User) } } },
    (req) => listUsers(req.ctx, req.query));
  app.post('/api/v1/users', { config: { access: USER_ADMIN }, schema: { tags, summary: 'Create a user', body: CreateUser, response: { 201: User } } },
    async (req, reply) => reply.status(201).send(await createUser(req.ctx, req.body)));
  app.get('/api/v1/users/:id', { config: { access: ANY_USER }, schema: { tags, summary: 'Get a user', params: IdParams, response: { 200: User } } },
    (req) => getUser(req.ctx, req.params.id));
  app.patch('/api/v1/users/:id', { config: { access: USER_ADMIN }, schema: { tags, summary: 'Update a user (disable with enabled: false)', params: IdParams, body: UpdateUser, response: { 200: User } } },
    (req) => updateUser(req.ctx, req.params.id, req.body));
  app.delete('/api/v1/users/:id', { config: { access: USER_ADMIN }, schema: { tags, summary: 'Soft-delete a user (restorable for 30 days)', params: IdParams, response: { 204: Type.Null() } } },
    async (req, reply) => { await deleteUser(req.ctx, req.params.id); return reply.status(204).send(null); });
  app.post('/api/v1/users/:id/restore', { config: { access: USER_ADMIN }, schema: { tags, summary: 'Restore a deleted user', params: IdParams, response: { 200: User } } },
    (req) => restoreUser(req.ctx, req.params.id));
}
