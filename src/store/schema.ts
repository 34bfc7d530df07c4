import type { Generated } from 'kysely';

/**
 * Table types. Times are epoch milliseconds (BIGINT) on both engines so one query code
 * compares them the same way; flags are 0/1 integers for the same reason; JSON is text.
 */
export interface UsersTable {
  id: string;
  user_principal_name: string;
  upn_lower: string;
  display_name: string;
  mail: string | null;
  enabled: number;
  manager_id: string | null;
  last_sign_in_at: number | null;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
}

export interface GroupsTable {
  id: string;
  display_name: string;
  name_lower: string;
  description: string | null;
  role_assignable: number;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
}

export interface GroupOwnersTable {
  group_id: string;
  user_id: string;
  added_at: number;
}

/** Membership history: rows are ended (removed_at), never deleted, so past access can be answered. */
export interface GroupMembersTable {
  id: string;
  group_id: string;
  member_id: string;
  member_type: 'user' | 'group';
  added_at: number;
  removed_at: number | null;
}

export interface AdministrativeUnitsTable {
  id: string;
  display_name: string;
  description: string | null;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
}

export interface AuMembersTable {
  au_id: string;
  member_id: string;
  member_type: 'user' | 'group';
  added_at: number;
}

export interface ServicePrincipalsTable {
  id: string;
  display_name: string;
  app_id: string;
  enabled: number;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
}

export interface RolesTable {
  id: string;
  display_name: string;
  name_lower: string;
  description: string | null;
  is_builtin: number;
  is_privileged: number;
  permissions: string;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
}

export interface SchedulesTable {
  id: string;
  kind: 'eligible' | 'active';
  principal_id: string;
  principal_type: 'user' | 'group' | 'servicePrincipal';
  role_id: string;
  scope: string;
  start_at: number;
  end_at: number | null;
  assignment_type: 'Assigned' | 'Activated';
  linked_eligibility_id: string | null;
  created_by_request_id: string | null;
  created_at: number;
  updated_at: number;
  ended_at: number | null;
  end_reason: string | null;
  ended_by: string | null;
  /** Expiry reminders sent for the current end: 0 none, 1 the 14-day one, 2 the 1-day one. */
  reminded_level: number;
}

export interface RequestsTable {
  id: string;
  action: string;
  kind: 'eligible' | 'active';
  status: string;
  principal_id: string;
  role_id: string;
  scope: string;
  target_schedule_id: string | null;
  justification: string | null;
  ticket_number: string | null;
  ticket_system: string | null;
  requested_start_at: number | null;
  requested_end_at: number | null;
  requested_duration: string | null;
  requested_permanent: number;
  created_by: string;
  created_at: number;
  completed_at: number | null;
  status_reason: string | null;
  principal_type: 'user' | 'group' | 'servicePrincipal' | null;
  /** The effective role settings the request was made under (JSON): in-flight requests keep them. */
  policy: string | null;
  linked_eligibility_id: string | null;
  approval_stage: number | null;
  stage_started_at: number | null;
  approval_expires_at: number | null;
  /** The last approval stage (0-based) whose escalation has been sent. */
  escalated_stage: number | null;
  /** When the current stage's escalation approvers join (null: no escalation). */
  escalation_due_at: number | null;
  /** The user who issued the token the request was made with, when not the requester. */
  token_issuer: string | null;
}

export interface OutboxTable {
  id: string;
  event_type: string;
  idempotency_key: string;
  payload: string;
  created_at: number;
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  sent_at: number | null;
}

export interface RolePoliciesTable {
  id: string;
  role_id: string;
  scope: string;
  settings: string;
  created_at: number;
  last_modified_by: string | null;
  last_modified_at: number;
}

export interface ApprovalDecisionsTable {
  id: string;
  request_id: string;
  stage: number;
  approver_id: string;
  decision: 'approve' | 'deny';
  justification: string | null;
  decided_at: number;
}

export interface ApiTokensTable {
  id: string;
  owner_id: string;
  owner_type: 'user' | 'servicePrincipal';
  name: string;
  token_hash: string;
  scopes: string;
  created_by: string | null;
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
  last_used_at: number | null;
}

export interface AuditEventsTable {
  seq: Generated<number>;
  id: string;
  at: string;
  actor_id: string | null;
  actor_type: string;
  action: string;
  target_type: string | null;
  target_id: string | null;
  role_id: string | null;
  before_json: string | null;
  after_json: string | null;
  justification: string | null;
  ticket_number: string | null;
  ticket_system: string | null;
  request_id: string | null;
  outcome: string;
  client_address: string | null;
  prev_hash: string;
  hash: string;
  at_ms: number;
}

export interface RoleBundlesTable {
  id: string;
  owner_id: string;
  name: string;
  name_lower: string;
  description: string | null;
  /** JSON: [{ roleId, scope }] */
  items: string;
  created_at: number;
  updated_at: number;
}

export interface UserPasswordsTable {
  user_id: string;
  password_hash: string;
  changed_at: number;
}

export interface MfaMethodsTable {
  id: string;
  user_id: string;
  type: 'totp' | 'webauthn';
  name: string;
  /** TOTP seed, sealed with the server key. */
  secret: string | null;
  /** The last TOTP time step accepted: codes of that step or earlier are refused (no replay). */
  last_used_step: number | null;
  credential_id: string | null;
  public_key: string | null;
  sign_count: number | null;
  transports: string | null;
  created_at: number;
  confirmed_at: number | null;
  last_used_at: number | null;
}

export interface RecoveryCodesTable {
  id: string;
  user_id: string;
  code_hash: string;
  created_at: number;
  used_at: number | null;
}

export interface SessionsTable {
  id: string;
  token_hash: string;
  csrf_hash: string;
  user_id: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
  mfa_at: number | null;
  auth_method: string;
  client_address: string | null;
  user_agent: string | null;
  ended_at: number | null;
  end_reason: string | null;
}

/** A user's mail preferences (migration 0012); no row: everything on. */
export interface MailPreferencesTable {
  user_id: string;
  /** 0: no informational mail (action-required mail, such as approval requests, still comes). */
  informational: number;
  updated_at: number;
}

/** A webhook subscription (migration 0011). */
export interface WebhooksTable {
  id: string;
  url: string;
  description: string | null;
  /** JSON array of event type patterns: `openpim.request.approved`, `openpim.request.*`, `*`. */
  events: string;
  format: 'cloudevents' | 'slack';
  /** The signing secret, sealed with the server key. */
  secret_sealed: string;
  enabled: number;
  created_by: string | null;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
}

/** One message to one recipient, made from an outbox event (migration 0010). */
export interface DeliveriesTable {
  id: string;
  event_id: string;
  event_type: string;
  channel: 'mail' | 'webhook';
  /** A mail address, or a webhook endpoint's id. */
  recipient: string;
  idempotency_key: string;
  subject: string;
  body_text: string;
  body_html: string | null;
  /** Action required (approve this): kept when a row is set to critical-only mail. */
  critical: number;
  /** pending → sending → sent; failed once given up; kept: no SMTP configured, shown to admins instead. */
  status: 'pending' | 'sending' | 'sent' | 'failed' | 'kept';
  attempts: number;
  next_attempt_at: number;
  claimed_until: number | null;
  give_up_at: number;
  last_error: string | null;
  created_at: number;
  sent_at: number | null;
}

export interface SignInFailuresTable {
  id: string;
  account: string;
  client_address: string;
  at: number;
  /** Which factor failed: the password (or an unknown account), or the second factor. */
  kind: 'password' | 'second_factor';
}

/** A user's account at an OpenID Connect provider: (issuer, subject) names it for good, unlike an email. */
export interface UserIdentitiesTable {
  id: string;
  user_id: string;
  issuer: string;
  subject: string;
  created_at: number;
  last_used_at: number;
}

/** An OIDC login under way: id = SHA-256 of the state; used once; expires after ten minutes. */
export interface OidcLoginsTable {
  id: string;
  /** The PKCE verifier, sealed with the server key. */
  code_verifier: string;
  nonce: string;
  return_to: string;
  /** Set for a step-up: the session that gets fresh MFA. */
  step_up_session_id: string | null;
  created_at: number;
  expires_at: number;
}

export interface Database {
  users: UsersTable;
  groups: GroupsTable;
  group_owners: GroupOwnersTable;
  group_members: GroupMembersTable;
  administrative_units: AdministrativeUnitsTable;
  au_members: AuMembersTable;
  service_principals: ServicePrincipalsTable;
  roles: RolesTable;
  schedules: SchedulesTable;
  requests: RequestsTable;
  role_policies: RolePoliciesTable;
  approval_decisions: ApprovalDecisionsTable;
  outbox: OutboxTable;
  role_bundles: RoleBundlesTable;
  user_passwords: UserPasswordsTable;
  mfa_methods: MfaMethodsTable;
  recovery_codes: RecoveryCodesTable;
  sessions: SessionsTable;
  sign_in_failures: SignInFailuresTable;
  deliveries: DeliveriesTable;
  webhooks: WebhooksTable;
  mail_preferences: MailPreferencesTable;
  user_identities: UserIdentitiesTable;
  oidc_logins: OidcLoginsTable;
  api_tokens: ApiTokensTable;
  audit_events: AuditEventsTable;
}
