import { Type } from 'typebox';
import { IdParams, Page } from '../../contract/common.ts';
import { CreateGroup, Group, ListGroupsQuery, Member, MemberParams, MemberRef, PageOnlyQuery, UpdateGroup } from '../../contract/directory.ts';
import {
  addGroupMember, addGroupOwner, listGroupMembers, listGroupOwners, listGroupsOfUser, removeGroupMember, removeGroupOwner,
} from '../../services/group-membership.ts';
import { createGroup, deleteGroup, getGroup, listGroups, restoreGroup, updateGroup } from '../../services/groups.ts';
import type { App } from '../types.ts';
import { ANY_USER, GROUP_ADMIN } from './access.ts';

/**
 * Writes need a groups administrator; role-assignable groups need an assignment
 * administrator, checked in the service. Member changes are open at the route because a
 * group's owners may make them without any role; the service decides.
 */
export function groupRoutes(app: App): void {
  const tags = ['directory'];
  app.get('/api/v1/groups', { config: { access: ANY_USER }, schema: { tags, summary: 'List groups', querystring: ListGroupsQuery, response: { 200: Page(Group) } } },
    (req) => listGroups(req.ctx, req.query));
  app.post('/api/v1/groups', { config: { access: GROUP_ADMIN }, schema: { tags, summary: 'Create a group (role-assignable ones need Privileged Role Administrator)', body: CreateGroup, response: { 201: Group } } },
    async (req, reply) => reply.status(201).send(await createGroup(req.ctx, req.body)));
  app.get('/api/v1/groups/:id', { config: { access: ANY_USER }, schema: { tags, summary: 'Get a group', params: IdParams, response: { 200: Group } } },
    (req) => getGroup(req.ctx, req.params.id));
  app.patch('/api/v1/groups/:id', { config: { access: GROUP_ADMIN }, schema: { tags, summary: 'Update a group (roleAssignable is immutable)', params: IdParams, body: UpdateGroup, response: { 200: Group } } },
    (req) => updateGroup(req.ctx, req.params.id, req.body));
  app.delete('/api/v1/groups/:id', { config: { access: GROUP_ADMIN }, schema: { tags, summary: 'Soft-delete a group (restorable for 30 days)', params: IdParams, response: { 204: Type.Null() } } },
    async (req, reply) => { await deleteGroup(req.ctx, req.params.id); return reply.status(204).send(null); });
  app.post('/api/v1/groups/:id/restore', { config: { access: GROUP_ADMIN }, schema: { tags, summary: 'Restore a deleted group', params: IdParams, response: { 200: Group } } },
    (req) => restoreGroup(req.ctx, req.params.id));

  app.get('/api/v1/groups/:id/members', { config: { access: ANY_USER }, schema: { tags, summary: 'List current members of a group', params: IdParams, querystring: PageOnlyQuery, response: { 200: Page(Member) } } },
    (req) => listGroupMembers(req.ctx, req.params.id, req.query));
  app.post('/api/v1/groups/:id/members', { config: { access: ANY_USER }, schema: { tags, summary: 'Add a user or group as a member (administrators or the group\'s owners)', params: IdParams, body: MemberRef, response: { 201: Member } } },
    async (req, reply) => reply.status(201).send(await addGroupMember(req.ctx, req.params.id, req.body.id)));
  app.delete('/api/v1/groups/:id/members/:memberId', { config: { access: ANY_USER }, schema: { tags, summary: 'Remove a member (administrators or the group\'s owners)', params: MemberParams, response: { 204: Type.Null() } } },
    async (req, reply) => { await removeGroupMember(req.ctx, req.params.id, req.params.memberId); return reply.status(204).send(null); });

  app.get('/api/v1/groups/:id/owners', { config: { access: ANY_USER }, schema: { tags, summary: 'List the owners of a group', params: IdParams, querystring: PageOnlyQuery, response: { 200: Page(Member) } } },
    (req) => listGroupOwners(req.ctx, req.params.id, req.query));
  app.post('/api/v1/groups/:id/owners', { config: { access: GROUP_ADMIN }, schema: { tags, summary: 'Add a user as an owner', params: IdParams, body: MemberRef, response: { 201: Member } } },
    async (req, reply) => reply.status(201).send(await addGroupOwner(req.ctx, req.params.id, req.body.id)));
  app.delete('/api/v1/groups/:id/owners/:memberId', { config: { access: GROUP_ADMIN }, schema: { tags, summary: 'Remove an owner', params: MemberParams, response: { 204: Type.Null() } } },
    async (req, reply) => { await removeGroupOwner(req.ctx, req.params.id, req.params.memberId); return reply.status(204).send(null); });

  app.get('/api/v1/users/:id/groups', { config: { access: ANY_USER }, schema: { tags, summary: 'Groups a user is a current direct member of', params: IdParams, querystring: PageOnlyQuery, response: { 200: Page(Group) } } },
    (req) => listGroupsOfUser(req.ctx, req.params.id, req.query));
}
