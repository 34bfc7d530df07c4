import { Type } from 'typebox';
import { IdParams, Page } from '../../contract/common.ts';
import { CreateServicePrincipal, ServicePrincipal, SimpleListQuery, UpdateServicePrincipal } from '../../contract/directory.ts';
import {
  createServicePrincipal, deleteServicePrincipal, getServicePrincipal, listServicePrincipals, restoreServicePrincipal, updateServicePrincipal,
} from '../../services/service-principals.ts';
import type { App } from '../types.ts';
import { ANY_USER, APP_ADMIN } from './access.ts';

export function servicePrincipalRoutes(app: App): void {
  const tags = ['directory'];
  const base = '/api/v1/servicePrincipals';
  app.get(base, { config: { access: ANY_USER }, schema: { tags, summary: 'List service principals', querystring: SimpleListQuery, response: { 200: Page(ServicePrincipal) } } },
    (req) => listServicePrincipals(req.ctx, req.query));
  app.post(base, { config: { access: APP_ADMIN }, schema: { tags, summary: 'Create a service principal (appId generated when omitted)', body: CreateServicePrincipal, response: { 201: ServicePrincipal } } },
    async (req, reply) => reply.status(201).send(await createServicePrincipal(req.ctx, req.body)));
  app.get(`${base}/:id`, { config: { access: ANY_USER }, schema: { tags, summary: 'Get a service principal', params: IdParams, response: { 200: ServicePrincipal } } },
    (req) => getServicePrincipal(req.ctx, req.params.id));
  app.patch(`${base}/:id`, { config: { access: APP_ADMIN }, schema: { tags, summary: 'Update a service principal (disable with enabled: false)', params: IdParams, body: UpdateServicePrincipal, response: { 200: ServicePrincipal } } },
    (req) => updateServicePrincipal(req.ctx, req.params.id, req.body));
  app.delete(`${base}/:id`, { config: { access: APP_ADMIN }, schema: { tags, summary: 'Soft-delete a service principal (restorable for 30 days)', params: IdParams, response: { 204: Type.Null() } } },
    async (req, reply) => { await deleteServicePrincipal(req.ctx, req.params.id); return reply.status(204).send(null); });
  app.post(`${base}/:id/restore`, { config: { access: APP_ADMIN }, schema: { tags, summary: 'Restore a deleted service principal', params: IdParams, response: { 200: ServicePrincipal } } },
    (req) => restoreServicePrincipal(req.ctx, req.params.id));
}
