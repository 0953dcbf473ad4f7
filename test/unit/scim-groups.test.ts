import { describe, expect, it } from 'vitest';
import { groupChangeFromPatch, groupFromBody } from '../../src/scim/groups';
import { PATCH_SCHEMA } from '../../src/scim/schemas';

const patch = (...Operations: unknown[]) => ({ schemas: [PATCH_SCHEMA], Operations });
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';

describe('groupFromBody', () => {
  it('splits attributes and member ids; members without type (Okta) and with type User', () => {
    expect(
      groupFromBody({
        schemas: [GROUP],
        displayName: 'Eng',
        externalId: 'x1',
        members: [{ value: 'a' }, { value: 'b', type: 'User', display: 'B' }, { value: 'a' }],
      }),
    ).toEqual({
      attributes: { displayName: 'Eng', externalId: 'x1' },
      members: ['a', 'b'],
    });
  });

  it('refuses a missing displayName, nested groups, unknown attributes and a body without the Group schema', () => {
    expect(() => groupFromBody({ schemas: [GROUP] })).toThrow(/displayName is required/);
    expect(() => groupFromBody({ schemas: [GROUP], displayName: 'x', members: [{ value: 'g', type: 'Group' }] })).toThrow(/nested groups/);
    expect(() => groupFromBody({ schemas: [GROUP], displayName: 'x', nickName: 'y' })).toThrow();
    expect(() => groupFromBody({ displayName: 'x' })).toThrow(/schemas must include/);
  });
});

describe('groupChangeFromPatch', () => {
  it('Entra: capitalized ops, member add and remove by value, members[value eq] remove, displayName replace', () => {
    expect(
      groupChangeFromPatch(
        patch(
          { op: 'Add', path: 'members', value: [{ value: 'u1' }, { value: 'u2' }] },
          { op: 'Remove', path: 'members', value: [{ value: 'u2' }] },
          { op: 'Remove', path: 'members[value eq "u3"]' },
          { op: 'Replace', path: 'displayName', value: 'Renamed' },
        ),
      ),
    ).toEqual({
      attributes: { displayName: 'Renamed' },
      members: [
        { op: 'add', values: ['u1', 'u2'] },
        { op: 'remove', values: ['u2'] },
        { op: 'remove', values: ['u3'] },
      ],
    });
  });

  it('Okta: path-less replace of { id, displayName }, full member replace, replace members [] and remove members (all)', () => {
    expect(groupChangeFromPatch(patch({ op: 'replace', value: { id: 'g1', displayName: 'New name' } }))).toEqual({
      attributes: { displayName: 'New name' },
      members: [],
    });
    expect(groupChangeFromPatch(patch({ op: 'replace', path: 'members', value: [{ value: 'u9' }] })).members).toEqual([{ op: 'replace', values: ['u9'] }]);
    expect(groupChangeFromPatch(patch({ op: 'replace', path: 'members', value: [] })).members).toEqual([{ op: 'replace', values: [] }]);
    expect(groupChangeFromPatch(patch({ op: 'remove', path: 'members' })).members).toEqual([{ op: 'replace', values: [] }]);
  });

  it('refuses what it cannot apply, with the RFC scimType', () => {
    const scimType = (body: unknown) => {
      try {
        groupChangeFromPatch(body);
        return 'accepted';
      } catch (err) {
        return (err as { details?: { scimType?: string } }).details?.scimType;
      }
    };
    expect(scimType(patch({ op: 'remove', path: 'displayName' }))).toBe('mutability');
    expect(scimType(patch({ op: 'add', path: 'owners', value: 'x' }))).toBe('invalidPath');
    expect(scimType(patch({ op: 'remove', path: 'members[display eq "x"]' }))).toBe('invalidFilter');
    expect(scimType(patch({ op: 'remove', path: 'members[value eq' }))).toBe('invalidPath');
    expect(scimType(patch({ op: 'replace', path: 'members[value eq "x"]', value: [] }))).toBe('invalidPath');
    expect(scimType(patch({ op: 'move', path: 'members' }))).toBe('invalidSyntax');
    expect(scimType({ Operations: [] })).toBe('invalidSyntax');
    expect(scimType(patch({ op: 'add', path: 'members', value: [{ value: 'g', type: 'Group' }] }))).toBe('invalidValue');
  });
});
