import { describe, expect, it } from 'vitest';
import { givesOwner } from '../../src/domain/roles';

describe('givesOwner', () => {
  const groups = new Map([
    ['owners', ['owner']],
    ['admins', ['admin']],
  ]);
  it('the owner role directly, or through a group that grants it', () => {
    expect(givesOwner({ roles: ['owner'], groups: [] }, groups)).toBe(true);
    expect(givesOwner({ roles: ['member'], groups: ['admins', 'owners'] }, groups)).toBe(true);
  });
  it('nothing else: other roles, other groups, groups it does not know', () => {
    expect(givesOwner({ roles: ['admin', 'member'], groups: ['admins', 'unknown'] }, groups)).toBe(false);
    expect(givesOwner({ roles: [], groups: [] }, new Map())).toBe(false);
  });
});
