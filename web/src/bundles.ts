import type { ActivateBundle, Bundle, CreateBundle } from '../../src/contract/requests.ts';
import { api } from './api.ts';
import type { BatchResults } from './requests.ts';

/** Role bundles ("my usual set"): saved sets of eligible role + scope, activated together. */
export type { Bundle };
export const myBundles = () => api.get<{ items: Bundle[] }>('/api/v1/me/bundles');
export const saveBundle = (body: CreateBundle) => api.post<Bundle>('/api/v1/me/bundles', body);
export const deleteBundle = (id: string) => api.del<null>(`/api/v1/me/bundles/${encodeURIComponent(id)}`);
export const activateBundle = (id: string, body: ActivateBundle) => api.post<BatchResults>(`/api/v1/me/bundles/${encodeURIComponent(id)}/activate`, body);
