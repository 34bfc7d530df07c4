import { NameTable, overlap, type Grant, type Held, type Via, type Wanted } from '../domain/access.ts';
import { HeldTable } from '../domain/held-table.ts';
import { ROLE } from '../domain/roles.ts';
import { groupOfScope } from '../domain/scope.ts';
import type { Db } from './db.ts';
import type { SchedulesTable } from './schema.ts';

export interface PrincipalState {
  type: 'user' | 'group' | 'servicePrincipal';
  enabled: boolean;
  deleted: boolean;
  roleAssignable?: boolean;
}

export interface TokenState {
  id: string;
  ownerId: string;
  ownerType: 'user' | 'servicePrincipal';
  scopes: string[];
  expiresAt: number | null;
  revokedAt: number | null;
  createdBy: string | null;
}

/**
 * One shared copy of each role id and scope: a million grants name a few hundred roles and
 * scopes, and sharing them shrinks the index and keeps more of it in cache.
 */
const interned = new Map<string, string>();
const NO_GRANTS: readonly Grant[] = Object.freeze([]);
function intern(text: string): string {
  const known = interned.get(text);
  if (known !== undefined) return known;
  // A property key comes back as V8's internalized copy: comparing two of those is a pointer
  // compare, and the check loop compares role ids and scopes a great deal.
  const key = Object.keys({ [text]: 0 })[0] ?? text;
  interned.set(key, key);
  return key;
}

function toGrant(s: Pick<SchedulesTable, 'id' | 'kind' | 'principal_id' | 'role_id' | 'scope' | 'start_at' | 'end_at' | 'assignment_type'>): Grant {
  return {
    scheduleId: s.id, kind: s.kind, principalId: s.principal_id, roleId: intern(s.role_id), scope: intern(s.scope),
    startAt: s.start_at, endAt: s.end_at, assignmentType: s.assignment_type,
  };
}

/**
 * An in-memory read model of who holds what, so the check API answers in microseconds.
 * It is the database's follower: it loads everything once, then tails the audit chain (every
 * change writes an event in the same transaction, and writers are serialized, so `seq`
 * order is commit order) and reloads just the objects those events name. A node sees its
 * own writes as soon as they commit (services call sync() after commit) and other nodes'
 * writes within the poll interval. Decisions always compare with the current instant, so
 * an expired activation is refused before any job has ended it.
 *
 * It holds active grants only: eligible ones grant nothing until activated, and they are
 * most schedules (300 K of 320 K in the benchmark tenant), so keeping them out makes every
 * check walk only what can decide it.
 */
export class AccessIndex {
  private grantsByPrincipal = new Map<string, Grant[]>();
  private grantById = new Map<string, Grant>();
  private groupsOfMember = new Map<string, Set<string>>();
  private membersOfGroup = new Map<string, Set<string>>();
  /** PIM for Groups: active Group Member grants per member, and the members per group they name. */
  private pimMembershipsOf = new Map<string, Grant[]>();
  private pimMembersOfGroup = new Map<string, Set<string>>();
  private principals = new Map<string, PrincipalState>();
  private upnToId = new Map<string, string>();
  private appIdToId = new Map<string, string>();
  private rolePerms = new Map<string, string[]>();
  private tokens = new Map<string, TokenState>();
  /** Role ids and scopes as numbers, for the packed held sets (only ever grows: names are few). */
  private readonly names = new NameTable();
  /**
   * Per principal, every active grant it holds directly or through its groups, packed in one
   * flat block: a check is one table lookup and a short scan (src/domain/held-table.ts says
   * why it is not a Map). Built lazily on the principal's first check; dropped whenever the
   * principal's grants, its memberships or its groups' grants change (forget), and rebuilt on
   * the next check.
   */
  private readonly heldTable = new HeldTable(this.names);
  private lastSeq = 0;
  private syncing: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  loaded = false;

  constructor(private readonly db: Db) {}

  get seq(): number { return this.lastSeq; }
  /** Active grants held in memory. */
  get scheduleCount(): number { return this.grantById.size; }

  async load(): Promise<void> {
    const db = this.db;
    const head = await db.selectFrom('audit_events').select((eb) => eb.fn.max('seq').as('seq')).executeTakeFirst();
    this.lastSeq = Number(head?.seq ?? 0);
    this.grantsByPrincipal.clear(); this.grantById.clear(); this.groupsOfMember.clear(); this.membersOfGroup.clear(); this.pimMembershipsOf.clear(); this.pimMembersOfGroup.clear();
    this.principals.clear(); this.upnToId.clear(); this.appIdToId.clear(); this.rolePerms.clear(); this.tokens.clear(); this.heldTable.clear();

    for (const u of await db.selectFrom('users').select(['id', 'upn_lower', 'enabled', 'deleted_at']).execute()) this.setUser(u);
    for (const sp of await db.selectFrom('service_principals').select(['id', 'app_id', 'enabled', 'deleted_at']).execute()) this.setSp(sp);
    for (const g of await db.selectFrom('groups').select(['id', 'role_assignable', 'deleted_at']).execute()) {
      this.principals.set(g.id, { type: 'group', enabled: true, deleted: g.deleted_at !== null, roleAssignable: g.role_assignable === 1 });
    }
    const members = await db.selectFrom('group_members').innerJoin('groups', 'groups.id', 'group_members.group_id')
      .select(['group_members.group_id', 'group_members.member_id'])
      .where('group_members.removed_at', 'is', null).where('groups.role_assignable', '=', 1).execute();
    for (const m of members) this.addMember(m.group_id, m.member_id);
    for (const r of await db.selectFrom('roles').select(['id', 'permissions', 'deleted_at']).execute()) this.setRole(r);
    const schedules = await db.selectFrom('schedules')
      .select(['id', 'kind', 'principal_id', 'role_id', 'scope', 'start_at', 'end_at', 'assignment_type'])
      .where('ended_at', 'is', null).where('kind', '=', 'active').execute();
    for (const s of schedules) this.putGrant(toGrant(s));
    for (const t of await db.selectFrom('api_tokens').selectAll().where('revoked_at', 'is', null).execute()) this.setToken(t);
    this.loaded = true;
  }

  /** Applies every change committed since the last sync. Calls are serialized. */
  sync(): Promise<void> {
    this.syncing = this.syncing.then(() => this.applyChanges(), () => this.applyChanges());
    return this.syncing;
  }

  startPolling(ms: number, onError: (err: unknown) => void): void {
    this.timer = setInterval(() => { this.sync().catch(onError); }, ms);
    this.timer.unref();
  }

  stopPolling(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
  }

  private async applyChanges(): Promise<void> {
    for (;;) {
      const events = await this.db.selectFrom('audit_events').select(['seq', 'target_type', 'target_id'])
        .where('seq', '>', this.lastSeq).orderBy('seq').limit(5000).execute();
      if (events.length === 0) return;
      const targets = new Map<string, string>();
      for (const e of events) if (e.target_type !== null && e.target_id !== null) targets.set(`${e.target_type}:${e.target_id}`, e.target_type);
      // Schedules come in bulk (an expiry run ends thousands at once): reload them in batches.
      const scheduleIds: string[] = [];
      for (const [key, type] of targets) {
        if (type === 'schedule') scheduleIds.push(key.slice(type.length + 1));
        else await this.reload(type, key.slice(type.length + 1));
      }
      for (let i = 0; i < scheduleIds.length; i += 500) await this.reloadSchedules(scheduleIds.slice(i, i + 500));
      this.lastSeq = Number(events[events.length - 1]!.seq);
      // A short page was the end of the chain: no need to ask again.
      if (events.length < 5000) return;
    }
  }

  private async reload(type: string, id: string): Promise<void> {
    const db = this.db;
    switch (type) {
      case 'user': {
        const u = await db.selectFrom('users').select(['id', 'upn_lower', 'enabled', 'deleted_at']).where('id', '=', id).executeTakeFirst();
        if (u) this.setUser(u);
        return;
      }
      case 'servicePrincipal': {
        const sp = await db.selectFrom('service_principals').select(['id', 'app_id', 'enabled', 'deleted_at']).where('id', '=', id).executeTakeFirst();
        if (sp) this.setSp(sp);
        return;
      }
      case 'group': {
        const g = await db.selectFrom('groups').select(['id', 'role_assignable', 'deleted_at']).where('id', '=', id).executeTakeFirst();
        if (!g) return;
        this.principals.set(g.id, { type: 'group', enabled: true, deleted: g.deleted_at !== null, roleAssignable: g.role_assignable === 1 });
        this.forget(id);
        for (const m of this.membersOfGroup.get(id) ?? []) this.groupsOfMember.get(m)?.delete(id);
        this.membersOfGroup.delete(id);
        if (g.role_assignable === 1) {
          const rows = await db.selectFrom('group_members').select('member_id').where('group_id', '=', id).where('removed_at', 'is', null).execute();
          for (const r of rows) this.addMember(id, r.member_id);
        }
        return;
      }
      case 'role': {
        const r = await db.selectFrom('roles').select(['id', 'permissions', 'deleted_at']).where('id', '=', id).executeTakeFirst();
        if (r) this.setRole(r);
        return;
      }
      case 'schedule':
        await this.reloadSchedules([id]);
        return;
      case 'token': {
        const t = await db.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirst();
        for (const [h, v] of this.tokens) if (v.id === id) this.tokens.delete(h);
        if (t && t.revoked_at === null) this.setToken(t);
        return;
      }
      default:
        return;
    }
  }

  private async reloadSchedules(ids: string[]): Promise<void> {
    for (const id of ids) {
      const old = this.grantById.get(id);
      if (old) this.dropGrant(old);
    }
    const rows = await this.db.selectFrom('schedules')
      .select(['id', 'kind', 'principal_id', 'role_id', 'scope', 'start_at', 'end_at', 'assignment_type', 'ended_at'])
      .where('id', 'in', ids).execute();
    for (const s of rows) if (s.ended_at === null && s.kind === 'active') this.putGrant(toGrant(s));
  }

  private setUser(u: { id: string; upn_lower: string; enabled: number; deleted_at: number | null }): void {
    this.principals.set(u.id, { type: 'user', enabled: u.enabled === 1, deleted: u.deleted_at !== null });
    this.upnToId.set(u.upn_lower, u.id);
  }

  private setSp(sp: { id: string; app_id: string; enabled: number; deleted_at: number | null }): void {
    this.principals.set(sp.id, { type: 'servicePrincipal', enabled: sp.enabled === 1, deleted: sp.deleted_at !== null });
    this.appIdToId.set(sp.app_id.toLowerCase(), sp.id);
  }

  private setRole(r: { id: string; permissions: string; deleted_at: number | null }): void {
    if (r.deleted_at !== null) this.rolePerms.delete(r.id);
    else this.rolePerms.set(r.id, JSON.parse(r.permissions) as string[]);
  }

  private setToken(t: { id: string; owner_id: string; owner_type: 'user' | 'servicePrincipal'; token_hash: string; scopes: string; expires_at: number | null; revoked_at: number | null; created_by: string | null }): void {
    this.tokens.set(t.token_hash, { id: t.id, ownerId: t.owner_id, ownerType: t.owner_type, scopes: JSON.parse(t.scopes) as string[], expiresAt: t.expires_at, revokedAt: t.revoked_at, createdBy: t.created_by });
  }

  private addMember(groupId: string, memberId: string): void {
    let gs = this.groupsOfMember.get(memberId);
    if (!gs) { gs = new Set(); this.groupsOfMember.set(memberId, gs); }
    gs.add(groupId);
    let ms = this.membersOfGroup.get(groupId);
    if (!ms) { ms = new Set(); this.membersOfGroup.set(groupId, ms); }
    ms.add(memberId);
    this.heldTable.invalidate(memberId);
  }

  /** Drops cached held-lists that include this principal's grants: its own and its members'. */
  private forget(principalId: string): void {
    this.heldTable.invalidate(principalId);
    for (const m of this.membersOfGroup.get(principalId) ?? []) this.heldTable.invalidate(m);
    for (const m of this.pimMembersOfGroup.get(principalId) ?? []) this.heldTable.invalidate(m);
  }

  private putGrant(g: Grant): void {
    this.forget(g.principalId);
    this.grantById.set(g.scheduleId, g);
    const list = this.grantsByPrincipal.get(g.principalId);
    if (list) list.push(g); else this.grantsByPrincipal.set(g.principalId, [g]);
    const groupId = g.roleId === ROLE.groupMember ? groupOfScope(g.scope) : undefined;
    if (groupId !== undefined) {
      const mine = this.pimMembershipsOf.get(g.principalId);
      if (mine) mine.push(g); else this.pimMembershipsOf.set(g.principalId, [g]);
      let members = this.pimMembersOfGroup.get(groupId);
      if (!members) { members = new Set(); this.pimMembersOfGroup.set(groupId, members); }
      members.add(g.principalId);
    }
  }

  private dropGrant(g: Grant): void {
    this.forget(g.principalId);
    this.grantById.delete(g.scheduleId);
    const groupId = g.roleId === ROLE.groupMember ? groupOfScope(g.scope) : undefined;
    const mine = groupId !== undefined ? this.pimMembershipsOf.get(g.principalId) : undefined;
    if (groupId !== undefined && mine) {
      const rest = mine.filter((x) => x !== g);
      if (rest.length > 0) this.pimMembershipsOf.set(g.principalId, rest); else this.pimMembershipsOf.delete(g.principalId);
      if (!rest.some((x) => x.scope === g.scope)) this.pimMembersOfGroup.get(groupId)?.delete(g.principalId);
    }
    const list = this.grantsByPrincipal.get(g.principalId);
    if (!list) return;
    const i = list.indexOf(g);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.grantsByPrincipal.delete(g.principalId);
  }

  // ---- reads (synchronous, allocation-light: this is the hot path) ----

  principal(id: string): PrincipalState | undefined { return this.principals.get(id); }
  userIdByUpn(upn: string): string | undefined { return this.upnToId.get(upn.toLowerCase()); }
  spIdByAppId(appId: string): string | undefined { return this.appIdToId.get(appId.toLowerCase()); }
  /** The principal's own active grants (not those of its groups). */
  grantsOf(principalId: string): readonly Grant[] { return this.grantsByPrincipal.get(principalId) ?? NO_GRANTS; }
  permissionsOf = (roleId: string): readonly string[] | undefined => this.rolePerms.get(roleId);
  roleExists(roleId: string): boolean { return this.rolePerms.has(roleId); }
  token(hash: string): TokenState | undefined { return this.tokens.get(hash); }

  /**
   * The check path: the decision over every active grant the principal holds (directly or
   * through its groups), live at `at`, at `scope` or above, for the wanted role or permission.
   * Reads only the held table; builds the principal's entry on its first check.
   */
  decide(principalId: string, wanted: Wanted, scope: string, at: number, all: boolean): Via[] {
    let slot = this.heldTable.find(principalId);
    if (slot < 0) slot = this.heldTable.put(principalId, this.heldList(principalId));
    return this.heldTable.decide(slot, wanted, scope, at, this.permissionsOf, all);
  }

  /** The held table's size and garbage (diagnostics and tests). */
  heldStats(): ReturnType<HeldTable['stats']> { return this.heldTable.stats(); }

  /** What the principal holds, from the grant and membership maps: what a held-table entry is built from. */
  private heldList(principalId: string): Held[] {
    const direct = this.grantsByPrincipal.get(principalId);
    const groups = this.groupsOf(principalId);
    const memberships = this.pimMembershipsOf.get(principalId);
    if (direct === undefined && groups.length === 0 && memberships === undefined) return [];
    const list: Held[] = (direct ?? NO_GRANTS).map((grant) => ({ grant, groupId: null }));
    for (const groupId of groups) for (const grant of this.grantsByPrincipal.get(groupId) ?? NO_GRANTS) list.push({ grant, groupId });
    // Through a time-bound membership the group's grants hold only while both do.
    for (const m of memberships ?? NO_GRANTS) {
      const groupId = groupOfScope(m.scope) ?? '';
      const g = this.principals.get(groupId);
      if (g?.roleAssignable !== true || g.deleted) continue;
      for (const grant of this.grantsByPrincipal.get(groupId) ?? NO_GRANTS) list.push({ grant, groupId, window: overlap(grant, m) });
    }
    return list;
  }

  /** Role-assignable groups the principal is a current member of (not deleted). */
  groupsOf(memberId: string): readonly string[] {
    const gs = this.groupsOfMember.get(memberId);
    if (!gs || gs.size === 0) return [];
    const out: string[] = [];
    for (const g of gs) if (this.principals.get(g)?.deleted !== true) out.push(g);
    return out;
  }

  /** Every principal id holding any grant (for searches). */
  principalsWithGrants(): IterableIterator<string> { return this.grantsByPrincipal.keys(); }
  membersOf(groupId: string): ReadonlySet<string> { return this.membersOfGroup.get(groupId) ?? new Set(); }
  allRoleIds(): IterableIterator<string> { return this.rolePerms.keys(); }
}
