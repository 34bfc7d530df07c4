import { Type } from 'typebox';
import { IdParams, Page } from '../../contract/common.ts';
import {
  AdministrativeUnit, CreateAdministrativeUnit, Member, MemberParams, MemberRef, PageOnlyQuery, SimpleListQuery, UpdateAdministrativeUnit,
} from '../../contract/directory.ts';
import {
  addAdministrativeUnitMember, createAdministrativeUnit, deleteAdministrativeUnit, getAdministrativeUnit, listAdministrativeUnitMembers,
  listAdministrativeUnits, removeAdministrativeUnitMember, restoreAdministrativeUnit, updateAdministrativeUnit,
} from '../../services/administrative-units.ts';
import type { App } from '../types.ts';
import { ANY_USER, ASSIGNMENT_ADMIN } from './access.ts';

/** Units are scopes for role assignments, so only assignment administrators shape them. */
export function administrativeUnitRoutes(app: App): void {
  const tags = ['directory'];
  const base = '/api/v1/administrativeUnits';
  app.get(base, { config: { access: ANY_USER }, schema: { tags, summary: 'List administrative units', querystring: SimpleListQuery, response: { 200: Page(AdministrativeUnit) } } },
    (req) => listAdministrativeUnits(req.ctx, req.query));
  app.post(base, { config: { access: ASSIGNMENT_ADMIN }, schema: { tags, summary: 'Create an administrative unit', body: CreateAdministrativeUnit, response: { 201: AdministrativeUnit } } },
    async (req, reply) => reply.status(201).send(await createAdministrativeUnit(req.ctx, req.body)));
  app.get(`${base}/:id`, { config: { access: ANY_USER }, schema: { tags, summary: 'Get an administrative unit', params: IdParams, response: { 200: AdministrativeUnit } } },
    (req) => getAdministrativeUnit(req.ctx, req.params.id));
  app.patch(`${base}/:id`, { config: { access: ASSIGNMENT_ADMIN }, schema: { tags, summary: 'Update an administrative unit', params: IdParams, body: UpdateAdministrativeUnit, response: { 200: AdministrativeUnit } } },
    (req) => updateAdministrativeUnit(req.ctx, req.params.id, req.body));
  app.delete(`${base}/:id`, { config: { access: ASSIGNMENT_ADMIN }, schema: { tags, summary: 'Soft-delete an administrative unit (restorable for 30 days)', params: IdParams, response: { 204: Type.Null() } } },
    async (req, reply) => { await deleteAdministrativeUnit(req.ctx, req.params.id); return reply.status(204).send(null); });
  app.post(`${base}/:id/restore`, { config: { access: ASSIGNMENT_ADMIN }, schema: { tags, summary: 'Restore a deleted administrative unit', params: IdParams, response: { 200: AdministrativeUnit } } },
    (req) => restoreAdministrativeUnit(req.ctx, req.params.id));
  app.get(`${base}/:id/members`, { config: { access: ANY_USER }, schema: { tags, summary: 'List the members of an administrative unit', params: IdParams, querystring: PageOnlyQuery, response: { 200: Page(Member) } } },
    (req) => listAdministrativeUnitMembers(req.ctx, req.params.id, req.query));
  app.post(`${base}/:id/members`, { config: { access: ASSIGNMENT_ADMIN }, schema: { tags, summary: 'Add a user or group to an administrative unit', params: IdParams, body: MemberRef, response: { 201: Member } } },
    async (req, reply) => reply.status(201).send(await addAdministrativeUnitMember(req.ctx, req.params.id, req.body.id)));
  app.delete(`${base}/:id/members/:memberId`, { config: { access: ASSIGNMENT_ADMIN }, schema: { tags, summary: 'Remove a member from an administrative unit', params: MemberParams, response: { 204: Type.Null() } } },
    async (req, reply) => { await removeAdministrativeUnitMember(req.ctx, req.params.id, req.params.memberId); return reply.status(204).send(null); });
}
