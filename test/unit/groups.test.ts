import { describe, expect, it } from 'vitest';
import {
  DEFAULT_GROUP_SYNC,
  applyGroupActions,
  effectiveAccess,
  groupNamesToRead,
  planGroupSync,
  tenantRoles,
  type Grant,
  type GroupSyncInput,
  type GroupSyncSettings,
} from '../../src/domain/groups';

const roles = tenantRoles(['billing']);
const settings = (over: Partial<GroupSyncSettings> = {}): GroupSyncSettings => ({
  ...DEFAULT_GROUP_SYNC,
  mode: 'full',
  mappings: [
    { value: 'eng', group: 'engineering', roles: [] },
    { value: 'admins', group: 'administrators', roles: ['admin'] },
  ],
  ...over,
});
const input = (over: Partial<GroupSyncInput> = {}): GroupSyncInput => ({
  connectionId: 'c1',
  settings: settings(),
  asserted: ['eng', 'admins'],
  current: [],
  tenantRoles: roles,
  ownerFromIdp: false,
  groupRoles: { engineering: [], administrators: [] },
  ...over,
});
const idp = (kind: Grant['kind'], value: string, conn = 'c1'): Grant => ({ kind, value, source: `idp:${conn}` });

describe('planGroupSync', () => {
  it('first sign-in grants every mapped group and role', () => {
    expect(planGroupSync(input())).toEqual([
      { kind: 'grant', grant: idp('group', 'engineering'), createGroup: false },
      { kind: 'grant', grant: idp('group', 'administrators'), createGroup: false },
      { kind: 'grant', grant: idp('role', 'admin'), createGroup: false },
    ]);
  });

  it('full revokes what the IdP no longer asserts; add-only keeps it', () => {
    const current = [idp('group', 'engineering'), idp('group', 'administrators'), idp('role', 'admin')];
    expect(planGroupSync(input({ asserted: ['eng'], current }))).toEqual([
      { kind: 'revoke', grant: idp('group', 'administrators') },
      { kind: 'revoke', grant: idp('role', 'admin') },
    ]);
    expect(planGroupSync(input({ asserted: ['eng'], current, settings: settings({ mode: 'add-only' }) }))).toEqual([]);
  });

  it('never revokes grants of an admin, the directory or another connection', () => {
    const current: Grant[] = [
      { kind: 'group', value: 'engineering', source: 'admin' },
      { kind: 'group', value: 'administrators', source: 'directory' },
      idp('group', 'administrators', 'c2'),
    ];
    const plan = planGroupSync(input({ asserted: [], current }));
    expect(plan.filter((a) => a.kind === 'revoke')).toEqual([]);
  });

  it('an admin grant of the same group does not stop the IdP grant (each source is kept apart)', () => {
    const plan = planGroupSync(input({ asserted: ['eng'], current: [{ kind: 'group', value: 'engineering', source: 'admin' }] }));
    expect(plan).toEqual([{ kind: 'grant', grant: idp('group', 'engineering'), createGroup: false }]);
  });

  it('an absent claim revokes nothing (unless the connection says so); an empty one revokes per full', () => {
    const current = [idp('group', 'engineering')];
    expect(planGroupSync(input({ asserted: null, current }))).toEqual([]);
    expect(planGroupSync(input({ asserted: null, current, settings: settings({ whenAbsent: 'revoke' }) }))).toEqual([
      { kind: 'revoke', grant: idp('group', 'engineering') },
    ]);
    expect(planGroupSync(input({ asserted: [], current }))).toEqual([{ kind: 'revoke', grant: idp('group', 'engineering') }]);
  });

  it('off does nothing', () => {
    expect(planGroupSync(input({ settings: settings({ mode: 'off' }) }))).toEqual([]);
  });

  it('matches values exactly (case and spacing) and applies the allow-list', () => {
    expect(planGroupSync(input({ asserted: ['ENG', ' eng'] }))).toEqual([]);
    const plan = planGroupSync(input({ settings: settings({ allowList: ['eng'] }) }));
    expect(plan).toEqual([{ kind: 'grant', grant: idp('group', 'engineering'), createGroup: false }]);
  });

  it('unmapped values are ignored, or become tenant groups of that name', () => {
    expect(planGroupSync(input({ asserted: ['sales'] }))).toEqual([]);
    expect(planGroupSync(input({ asserted: ['sales', 'engineering'], settings: settings({ unmapped: 'create-group' }) }))).toEqual([
      { kind: 'grant', grant: idp('group', 'sales'), createGroup: true },
      { kind: 'grant', grant: idp('group', 'engineering'), createGroup: false },
    ]);
  });

  it('refuses owner unless the tenant allows it, and roles the tenant does not define', () => {
    const s = settings({ mappings: [{ value: 'root', group: null, roles: ['owner', 'superuser', 'billing'] }] });
    expect(planGroupSync(input({ asserted: ['root'], settings: s }))).toEqual([
      { kind: 'refuse', asserted: 'root', role: 'owner', via: null, reason: 'owner_not_allowed' },
      { kind: 'refuse', asserted: 'root', role: 'superuser', via: null, reason: 'unknown_role' },
      { kind: 'grant', grant: idp('role', 'billing'), createGroup: false },
    ]);
    expect(planGroupSync(input({ asserted: ['root'], settings: s, ownerFromIdp: true }))).toContainEqual({
      kind: 'grant',
      grant: idp('role', 'owner'),
      createGroup: false,
    });
  });

  it('a mapped group that carries owner is granted but its owner role is refused', () => {
    const plan = planGroupSync(
      input({
        asserted: ['admins'],
        groupRoles: { administrators: ['owner'] },
        settings: settings({ mappings: [{ value: 'admins', group: 'administrators', roles: [] }] }),
      }),
    );
    expect(plan).toEqual([
      { kind: 'refuse', asserted: 'admins', role: 'owner', via: 'administrators', reason: 'owner_not_allowed' },
      { kind: 'grant', grant: idp('group', 'administrators'), createGroup: false },
    ]);
  });

  it('200 groups: one grant each, duplicates asserted twice count once', () => {
    const values = Array.from({ length: 200 }, (_, i) => `g${i}`);
    const plan = planGroupSync(input({ asserted: [...values, 'g1'], settings: settings({ unmapped: 'create-group', mappings: [] }) }));
    expect(plan).toHaveLength(200);
    expect(new Set(plan.map((a) => (a.kind === 'grant' ? a.grant.value : ''))).size).toBe(200);
  });
});

describe('effectiveAccess', () => {
  const base = { tenantRoles: roles, ownerFromIdp: false, groupRoles: { administrators: ['admin'], founders: ['owner'] } };

  it('unions direct roles, granted roles and group roles', () => {
    expect(
      effectiveAccess({
        ...base,
        directRoles: ['member'],
        grants: [idp('group', 'administrators'), idp('role', 'billing'), { kind: 'group', value: 'x', source: 'admin' }],
      }),
    ).toEqual({ groups: ['administrators', 'x'], roles: ['admin', 'billing', 'member'] });
  });

  it('owner from an IdP grant counts only when the tenant allows it; from an admin grant always', () => {
    expect(effectiveAccess({ ...base, directRoles: [], grants: [idp('group', 'founders'), idp('role', 'owner')] }).roles).toEqual([]);
    expect(effectiveAccess({ ...base, ownerFromIdp: true, directRoles: [], grants: [idp('group', 'founders')] }).roles).toEqual(['owner']);
    expect(effectiveAccess({ ...base, directRoles: [], grants: [{ kind: 'group', value: 'founders', source: 'admin' }] }).roles).toEqual(['owner']);
  });

  it('owner through a directory group counts only when the tenant allows it, as from an IdP', () => {
    const fromDirectory: Grant = { kind: 'group', value: 'founders', source: 'directory:d1' };
    expect(effectiveAccess({ ...base, directRoles: [], grants: [fromDirectory] }).roles).toEqual([]);
    expect(effectiveAccess({ ...base, ownerFromIdp: true, directRoles: [], grants: [fromDirectory] }).roles).toEqual(['owner']);
  });

  it('ignores roles the tenant does not define', () => {
    expect(effectiveAccess({ ...base, directRoles: [], grants: [idp('role', 'ghost')] }).roles).toEqual([]);
  });
});

describe('applyGroupActions', () => {
  it('removes revoked and adds granted grants, per source', () => {
    const admin: Grant = { kind: 'group', value: 'engineering', source: 'admin' };
    const after = applyGroupActions(
      [admin, idp('group', 'engineering'), idp('group', 'old')],
      [
        { kind: 'revoke', grant: idp('group', 'engineering') },
        { kind: 'revoke', grant: idp('group', 'old') },
        { kind: 'grant', grant: idp('role', 'admin'), createGroup: false },
      ],
    );
    expect(after).toEqual([admin, idp('role', 'admin')]);
  });
});

describe('groupNamesToRead', () => {
  it('names the mapped groups, unmapped values that create groups, and the groups held — nothing else of the tenant', () => {
    const held: Grant[] = [idp('group', 'old'), { kind: 'group', value: 'by-admin', source: 'admin' }, idp('role', 'billing')];
    expect(groupNamesToRead(settings({ unmapped: 'create-group' }), ['eng', 'admins', 'new', 'eng'], held)).toEqual([
      'administrators',
      'by-admin',
      'engineering',
      'new',
      'old',
    ]);
    expect(groupNamesToRead(settings(), ['eng', 'new'], [])).toEqual(['engineering']);
    expect(groupNamesToRead(settings({ allowList: ['admins'] }), ['eng', 'admins'], [])).toEqual(['administrators']);
    expect(groupNamesToRead(settings(), null, held)).toEqual(['by-admin', 'old']);
    expect(groupNamesToRead(settings({ mode: 'off' }), ['eng'], held)).toEqual(['by-admin', 'old']);
  });

  it('plans the same with only those groups as with every group of the tenant', () => {
    const every = { engineering: ['billing'], administrators: ['admin'], unrelated: ['admin'], new: [] };
    const s = settings({ unmapped: 'create-group' });
    const asserted = ['eng', 'new', 'gone'];
    const current = [idp('group', 'administrators')];
    const read = Object.fromEntries(Object.entries(every).filter(([name]) => groupNamesToRead(s, asserted, current).includes(name)));
    expect(planGroupSync(input({ settings: s, asserted, current, groupRoles: read }))).toEqual(
      planGroupSync(input({ settings: s, asserted, current, groupRoles: every })),
    );
  });
});
