import { Type } from 'typebox';
import { IdParams } from '../../contract/common.ts';
import { ApiToken, CreatedToken, CreateToken, ListTokensQuery } from '../../contract/tokens.ts';
import { issueToken, listTokens, revokeToken } from '../../services/tokens.ts';
import type { App } from '../types.ts';
import { ANY_USER } from './access.ts';

export function tokenRoutes(app: App): void {
  const tags = ['tokens'];
  app.post('/api/v1/tokens', { config: { access: ANY_USER }, schema: { tags, summary: 'Issue an API token (yours; or, for administrators, a user\'s or service principal\'s)', body: CreateToken, response: { 201: CreatedToken } } },
    async (req, reply) => reply.status(201).send(await issueToken(req.ctx, req.body)));
  app.get('/api/v1/tokens', { config: { access: ANY_USER }, schema: { tags, summary: 'List tokens (yours, or ownerId for administrators)', querystring: ListTokensQuery, response: { 200: Type.Object({ items: Type.Array(ApiToken) }) } } },
    async (req) => ({ items: await listTokens(req.ctx, req.query) }));
  app.delete('/api/v1/tokens/:id', { config: { access: ANY_USER }, schema: { tags, summary: 'Revoke a token', params: IdParams, response: { 204: Type.Null() } } },
    async (req, reply) => { await revokeToken(req.ctx, req.params.id); return reply.status(204).send(null); });
}
