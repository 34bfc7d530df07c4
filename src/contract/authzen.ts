import { Type, type Static } from 'typebox';

/**
 * OpenID AuthZEN Authorization API 1.0 shapes (docs/authzen.md).
 *
 * Request objects deliberately leave `additionalProperties` open: the spec's JSON binding says
 * "receivers MUST ignore unknown fields", so these are the one exception to the project's
 * strict-body rule. Ajv never removes fields (removeAdditional: false); the services simply
 * read the fields they know. Responses stay closed: we never echo what we did not compute.
 */

const Properties = Type.Object({}, { description: 'Free-form attributes; openpim ignores them' });

export const Subject = Type.Object({
  type: Type.String({ minLength: 1, maxLength: 100, description: 'user, service_principal, group, identity or another type (all accepted)' }),
  id: Type.String({ minLength: 1, maxLength: 256, description: 'principal id, userPrincipalName or service principal appId' }),
  properties: Type.Optional(Properties),
});
export type Subject = Static<typeof Subject>;

export const Action = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200, description: 'a permission (db:read) or role:<roleId>' }),
  properties: Type.Optional(Properties),
});
export type Action = Static<typeof Action>;

export const Resource = Type.Object({
  type: Type.String({ minLength: 1, maxLength: 200, description: 'scope /resources/{type}/{id}; type "directory" is scope "/"' }),
  id: Type.String({ minLength: 1, maxLength: 1000, description: 'may hold "/" for deeper paths: prod/table/users' }),
  properties: Type.Optional(Properties),
});
export type Resource = Static<typeof Resource>;

export const Context = Type.Object({
  time: Type.Optional(Type.Unknown({ description: 'ISO-8601 instant with offset: evaluate at that instant instead of now' })),
});
export type Context = Static<typeof Context>;

export const EvaluationRequest = Type.Object({
  subject: Subject,
  action: Action,
  resource: Resource,
  context: Type.Optional(Context),
});
export type EvaluationRequest = Static<typeof EvaluationRequest>;

/** One item of `evaluations`: every key may come from the top-level defaults instead. */
export const EvaluationItem = Type.Object({
  subject: Type.Optional(Subject),
  action: Type.Optional(Action),
  resource: Type.Optional(Resource),
  context: Type.Optional(Context),
});
export type EvaluationItem = Static<typeof EvaluationItem>;

export const EvaluationsSemantic = Type.Union([
  Type.Literal('execute_all'), Type.Literal('deny_on_first_deny'), Type.Literal('permit_on_first_permit'),
]);
export type EvaluationsSemantic = Static<typeof EvaluationsSemantic>;

export const MAX_EVALUATIONS = 1000;

export const EvaluationsRequest = Type.Object({
  subject: Type.Optional(Subject),
  action: Type.Optional(Action),
  resource: Type.Optional(Resource),
  context: Type.Optional(Context),
  evaluations: Type.Optional(Type.Array(EvaluationItem, { maxItems: MAX_EVALUATIONS })),
  options: Type.Optional(Type.Object({ evaluations_semantic: Type.Optional(EvaluationsSemantic) })),
});
export type EvaluationsRequest = Static<typeof EvaluationsRequest>;

export const DecisionContext = Type.Object({
  reason: Type.Optional(Type.String({ description: 'principal_unknown, principal_disabled, no_assignment' })),
  error: Type.Optional(Type.Object({ status: Type.Integer(), message: Type.String() }, { additionalProperties: false })),
}, { additionalProperties: false });
export type DecisionContext = Static<typeof DecisionContext>;

export const Decision = Type.Object({
  decision: Type.Boolean(),
  context: Type.Optional(DecisionContext),
}, { additionalProperties: false });
export type Decision = Static<typeof Decision>;

/** `evaluations` when the request had items; a single decision when it had none (backwards-compatible form). */
export const EvaluationsResponse = Type.Object({
  evaluations: Type.Optional(Type.Array(Decision)),
  decision: Type.Optional(Type.Boolean()),
  context: Type.Optional(DecisionContext),
}, { additionalProperties: false });
export type EvaluationsResponse = Static<typeof EvaluationsResponse>;

// ---- Search APIs ----

export const PageRequest = Type.Object({
  token: Type.Optional(Type.String({ maxLength: 2048, description: 'next_token of the previous response' })),
  limit: Type.Optional(Type.Integer({ minimum: 0, description: 'page size; 0 or absent means 100, at most 1000' })),
  properties: Type.Optional(Properties),
});
export type PageRequest = Static<typeof PageRequest>;

/** In a search the searched entity's id is ignored (the spec: "if present, MUST be ignored"). */
const TypeOnly = Type.Object({ type: Type.String({ minLength: 1, maxLength: 200 }), id: Type.Optional(Type.Unknown()) });

export const SubjectSearchRequest = Type.Object({
  subject: TypeOnly,
  action: Action,
  resource: Resource,
  context: Type.Optional(Context),
  page: Type.Optional(PageRequest),
});
export type SubjectSearchRequest = Static<typeof SubjectSearchRequest>;

export const ResourceSearchRequest = Type.Object({
  subject: Subject,
  action: Action,
  resource: TypeOnly,
  context: Type.Optional(Context),
  page: Type.Optional(PageRequest),
});
export type ResourceSearchRequest = Static<typeof ResourceSearchRequest>;

export const ActionSearchRequest = Type.Object({
  subject: Subject,
  resource: Resource,
  context: Type.Optional(Context),
  page: Type.Optional(PageRequest),
});
export type ActionSearchRequest = Static<typeof ActionSearchRequest>;

export const PageResponse = Type.Object({
  next_token: Type.String({ description: 'empty when this is the last page' }),
  count: Type.Integer(),
  total: Type.Integer(),
}, { additionalProperties: false });
export type PageResponse = Static<typeof PageResponse>;

const SearchContext = Type.Object({ reason: Type.Optional(Type.String()) }, { additionalProperties: false });
const Entity = Type.Object({ type: Type.String(), id: Type.String() }, { additionalProperties: false });

// `page` comes first: the spec recommends it so a PEP can show progress from `count`.
export const EntitySearchResponse = Type.Object({
  page: PageResponse,
  context: Type.Optional(SearchContext),
  results: Type.Array(Entity),
}, { additionalProperties: false });
export type EntitySearchResponse = Static<typeof EntitySearchResponse>;

export const ActionSearchResponse = Type.Object({
  page: PageResponse,
  context: Type.Optional(SearchContext),
  results: Type.Array(Type.Object({ name: Type.String() }, { additionalProperties: false })),
}, { additionalProperties: false });
export type ActionSearchResponse = Static<typeof ActionSearchResponse>;

export const PdpMetadata = Type.Object({
  policy_decision_point: Type.String(),
  access_evaluation_endpoint: Type.String(),
  access_evaluations_endpoint: Type.String(),
  search_subject_endpoint: Type.String(),
  search_resource_endpoint: Type.String(),
  search_action_endpoint: Type.String(),
}, { additionalProperties: false });
export type PdpMetadata = Static<typeof PdpMetadata>;
