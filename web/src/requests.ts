import type { Static } from 'typebox';
import type { ActivationRequirements as RequirementsSchema, BatchResults, CreateRequest, MyRoles, PimRequest, RoleAssignment } from '../../src/contract/requests.ts';
import { api } from './api.ts';

/** The request API as the pages use it (types from the shared contract). */
export type { BatchResults, CreateRequest, MyRoles, PimRequest, RoleAssignment };
export type Requirements = Static<typeof RequirementsSchema>;
/** A page of requests, as Page(PimRequest) in the contract. */
export interface RequestPage { items: PimRequest[]; nextCursor: string | null }

export const submitRequest = (body: CreateRequest) => api.post<PimRequest>('/api/v1/requests', body);
export const submitBatch = (requests: CreateRequest[]) => api.post<BatchResults>('/api/v1/requests/batch', { requests });
export const getRequest = (id: string) => api.get<PimRequest>(`/api/v1/requests/${encodeURIComponent(id)}`);
export const cancelRequest = (id: string) => api.post<PimRequest>(`/api/v1/requests/${encodeURIComponent(id)}/cancel`);
export const decide = (id: string, decision: 'approve' | 'deny', justification: string) =>
  api.post<PimRequest>(`/api/v1/requests/${encodeURIComponent(id)}/${decision}`, justification === '' ? {} : { justification });
export const myRequests = (query = '') => api.get<RequestPage>(`/api/v1/requests?limit=200${query}`);
export const approvals = (status: 'pending' | 'decided') => api.get<RequestPage>(`/api/v1/approvals?status=${status}&limit=200`);
export const myRoles = () => api.get<MyRoles>('/api/v1/me/roles');

const ACTION_LABEL: Record<string, string> = {
  selfActivate: 'Activate', selfDeactivate: 'Deactivate', selfExtend: 'Extend', selfRenew: 'Renew',
  adminAssign: 'Assign', adminUpdate: 'Update', adminRemove: 'Remove', adminExtend: 'Extend (admin)', adminRenew: 'Renew (admin)',
};
export const actionLabel = (a: string) => ACTION_LABEL[a] ?? a;

const STATUS_LABEL: Record<string, string> = {
  PendingApproval: 'Pending approval', Provisioned: 'Provisioned', Granted: 'Granted (scheduled)', Denied: 'Denied', Canceled: 'Canceled',
  Revoked: 'Revoked', Failed: 'Failed', Validated: 'Validated',
};
export const statusLabel = (s: string) => STATUS_LABEL[s] ?? s;
