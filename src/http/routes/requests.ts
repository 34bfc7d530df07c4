import { IdParams, Page } from '../../contract/common.ts';
import { ApprovalsQuery, AssignmentsQuery, CreateRequest, DecisionInput, ListRequestsQuery, MyRoles, PimRequest, RoleAssignment } from '../../contract/requests.ts';
import { cancelRequest, decideRequest, listApprovals } from '../../services/decide-request.ts';
import { assignmentsOfRole, myRoles, rolesOfOtherUser } from '../../services/effective-roles.ts';
import { getRequest, listRequests, submitRequest } from '../../services/submit-request.ts';
import type { App } from '../types.ts';
import { ANY_USER, AUDIT_READER } from './access.ts';

export function requestRoutes(app: App): void {
  const tags = ['requests'];
  app.post('/api/v1/requests', {
    config: { access: ANY_USER },
    schema: { tags, summary: 'Make a request: any of the nine actions (admin: assign, update, remove, extend, renew; self: activate, deactivate, extend, renew)', body: CreateRequest, response: { 200: PimRequest, 201: PimRequest } },
  }, async (req, reply) => {
    const r = await submitRequest(req.ctx, req.body);
    return reply.status(r.validateOnly ? 200 : 201).send(r);
  });
  app.get('/api/v1/requests', { config: { access: ANY_USER }, schema: { tags, summary: 'List requests (readers: all; others: their own)', querystring: ListRequestsQuery, response: { 200: Page(PimRequest) } } },
    (req) => listRequests(req.ctx, req.query));
  app.get('/api/v1/requests/:id', { config: { access: ANY_USER }, schema: { tags, summary: 'Get a request', params: IdParams, response: { 200: PimRequest } } },
    (req) => getRequest(req.ctx, req.params.id));

  app.post('/api/v1/requests/:id/approve', {
    config: { access: ANY_USER },
    schema: { tags: ['approvals'], summary: 'Approve a pending request (approvers of its current stage; never your own)', params: IdParams, body: DecisionInput, response: { 200: PimRequest } },
  }, (req) => decideRequest(req.ctx, req.params.id, 'approve', req.body.justification, { kind: req.body.kind, schedule: req.body.schedule }, req.body.mfa));
  app.post('/api/v1/requests/:id/deny', {
    config: { access: ANY_USER },
    schema: { tags: ['approvals'], summary: 'Deny a pending request', params: IdParams, body: DecisionInput, response: { 200: PimRequest } },
  }, (req) => decideRequest(req.ctx, req.params.id, 'deny', req.body.justification, { kind: req.body.kind, schedule: req.body.schedule }, req.body.mfa));
  app.post('/api/v1/requests/:id/cancel', {
    config: { access: ANY_USER },
    schema: { tags, summary: 'Cancel a pending request (the requester, or a Privileged Role / Global Administrator)', params: IdParams, response: { 200: PimRequest } },
  }, (req) => cancelRequest(req.ctx, req.params.id));
  app.get('/api/v1/approvals', {
    config: { access: ANY_USER },
    schema: { tags: ['approvals'], summary: 'My approval inbox: pending requests I may decide now (status=decided: the ones I decided)', querystring: ApprovalsQuery, response: { 200: Page(PimRequest) } },
  }, (req) => listApprovals(req.ctx, req.query));

  app.get('/api/v1/me/roles', { config: { access: ANY_USER }, schema: { tags: ['me'], summary: 'My roles: eligible, active and expired (direct and through groups)', response: { 200: MyRoles } } },
    (req) => myRoles(req.ctx));
  app.get('/api/v1/users/:id/roles', { config: { access: ANY_USER }, schema: { tags: ['directory'], summary: 'A user\'s roles (yours, or anyone\'s for readers)', params: IdParams, response: { 200: MyRoles } } },
    (req) => rolesOfOtherUser(req.ctx, req.params.id));
  app.get('/api/v1/roles/:id/assignments', { config: { access: AUDIT_READER }, schema: { tags: ['roles'], summary: 'A role\'s eligible, active or expired assignments', params: IdParams, querystring: AssignmentsQuery, response: { 200: Page(RoleAssignment) } } },
    (req) => assignmentsOfRole(req.ctx, req.params.id, req.query));
}
