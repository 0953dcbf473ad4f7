import { describe, expect, it } from 'vitest';
import { planAttributeSync, type AttributeSyncInput } from '../../src/domain/attributeSync';

const base: AttributeSyncInput = {
  mode: 'every-sign-in',
  policy: 'idp-wins',
  account: { name: 'Peter Parker', email: 'peter@sf.test' },
  asserted: { name: 'Peter B. Parker', email: 'peter@sf.test' },
  openConflicts: [],
  emailHeldByOther: false,
};

describe('planAttributeSync', () => {
  it('idp-wins applies a changed name with before and after', () => {
    expect(planAttributeSync(base)).toEqual([{ kind: 'updateAttribute', field: 'name', from: 'Peter Parker', to: 'Peter B. Parker' }]);
  });
  it('keep-local changes nothing', () => {
    expect(planAttributeSync({ ...base, policy: 'keep-local' })).toEqual([]);
  });
  it('review opens one conflict, and no second while it is open', () => {
    expect(planAttributeSync({ ...base, policy: 'review' })).toEqual([
      { kind: 'openConflict', field: 'name', local: 'Peter Parker', asserted: 'Peter B. Parker' },
    ]);
    expect(planAttributeSync({ ...base, policy: 'review', openConflicts: ['name'] })).toEqual([]);
  });
  it('on-first-sign-in never syncs later', () => {
    expect(planAttributeSync({ ...base, mode: 'on-first-sign-in' })).toEqual([]);
  });
  it('an absent attribute is not a change; an equal one neither', () => {
    expect(planAttributeSync({ ...base, asserted: { name: null, email: null } })).toEqual([]);
    expect(planAttributeSync({ ...base, asserted: { name: 'Peter Parker', email: 'peter@sf.test' } })).toEqual([]);
  });
  it('applies a changed email only when no other account holds it; otherwise a conflict', () => {
    const changed = { ...base, asserted: { name: 'Peter Parker', email: 'pp@sf.test' } };
    expect(planAttributeSync(changed)).toEqual([{ kind: 'updateAttribute', field: 'email', from: 'peter@sf.test', to: 'pp@sf.test' }]);
    expect(planAttributeSync({ ...changed, emailHeldByOther: true })).toEqual([
      { kind: 'openConflict', field: 'email', local: 'peter@sf.test', asserted: 'pp@sf.test' },
    ]);
    expect(planAttributeSync({ ...changed, emailHeldByOther: true, policy: 'keep-local' })).toEqual([]);
  });
});
