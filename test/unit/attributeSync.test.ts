import { describe, expect, it } from 'vitest';
import { planAttributeSync, type AttributeSyncInput } from '../../src/domain/attributeSync';

const base: AttributeSyncInput = {
  mode: 'every-sign-in',
  policy: 'idp-wins',
  account: { name: 'Peter Parker' },
  asserted: { name: 'Peter B. Parker' },
  openConflicts: [],
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
    expect(planAttributeSync({ ...base, asserted: { name: null } })).toEqual([]);
    expect(planAttributeSync({ ...base, asserted: { name: 'Peter Parker' } })).toEqual([]);
  });
});
