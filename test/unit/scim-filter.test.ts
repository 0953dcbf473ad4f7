import { describe, expect, it } from 'vitest';
import { OnrampError } from '../../src/errors';
import { indexedLookup, indexedNarrowing, matchesFilter, parseFilter } from '../../src/scim/filter';
import { ENTERPRISE_SCHEMA, USER_SCHEMA, USER_SHAPE } from '../../src/scim/schemas';

const barbara = {
  schemas: [USER_SCHEMA, ENTERPRISE_SCHEMA],
  id: '2819c223',
  externalId: 'BJ-1',
  userName: 'bjensen@example.com',
  name: { givenName: 'Barbara', familyName: 'Jensen' },
  active: true,
  emails: [
    { value: 'bjensen@example.com', type: 'work', primary: true },
    { value: 'babs@jensen.org', type: 'home' },
  ],
  [ENTERPRISE_SCHEMA]: { employeeNumber: '701984', department: 'Tour Operations' },
  meta: { resourceType: 'User', created: '2026-01-23T04:56:22Z', lastModified: '2026-05-13T04:42:34Z' },
};

const matches = (filter: string) => matchesFilter(barbara, parseFilter(filter), USER_SHAPE);

describe('SCIM filters (parsed by scim2-parse-filter, evaluated by the schema)', () => {
  it.each([
    ['userName eq "BJensen@Example.com"', true], // userName is not caseExact
    ['USERNAME EQ "bjensen@example.com"', true], // attribute names and operators ignore case
    ['externalId eq "bj-1"', false], // externalId is caseExact
    ['externalId eq "BJ-1"', true],
    ['emails.value eq "babs@jensen.org"', true],
    ['emails[type eq "work" and value co "@example.com"]', true],
    ['emails[type eq "home" and value co "@example.com"]', false],
    ['name.familyName sw "jen"', true],
    ['active eq true', true],
    ['active eq false', false],
    [`${ENTERPRISE_SCHEMA}:department eq "tour operations"`, true],
    [`${USER_SCHEMA}:userName eq "bjensen@example.com"`, true],
    ['meta.lastModified gt "2026-05-01T00:00:00Z"', true],
    ['meta.lastModified gt "2026-05-13T04:42:34.000Z"', false], // instants, not strings
    ['title pr', false],
    ['name.givenName pr and not (userName ew ".org")', true],
    ['favouriteColour eq "blue"', false], // an attribute the schema does not define matches nothing
  ])('%s → %s', (filter, expected) => {
    expect(matches(filter)).toBe(expected);
  });

  it('refuses a malformed filter as 400 invalidFilter', () => {
    for (const bad of ['userName eq', 'userName xx "a"', '(userName eq "a"', 'x'.repeat(2001)]) {
      try {
        parseFilter(bad);
        throw new Error(`accepted ${bad}`);
      } catch (err) {
        expect(err).toBeInstanceOf(OnrampError);
        expect((err as OnrampError).details?.scimType).toBe('invalidFilter');
      }
    }
  });

  it('finds the keyed lookup in what providers send', () => {
    const indexed = ['id', 'userName', 'externalId'] as const;
    expect(indexedLookup(parseFilter('userName eq "Test_User_00aa"'), indexed)).toEqual({ attribute: 'userName', value: 'Test_User_00aa' });
    expect(indexedLookup(parseFilter('externalId eq "x" and active eq true'), indexed)).toEqual({ attribute: 'externalId', value: 'x' });
    expect(indexedLookup(parseFilter('userName eq "a" or userName eq "b"'), indexed)).toBeNull();
    expect(indexedLookup(parseFilter('userName co "a"'), indexed)).toBeNull();
  });

  it('finds the indexed email and last-modified narrowings providers filter on', () => {
    expect(indexedNarrowing(parseFilter('emails.value eq "Ada@Example.COM"'))).toEqual({ email: 'ada@example.com' });
    expect(indexedNarrowing(parseFilter('emails[type eq "work" and value eq "x@y.z"]'))).toBeNull();
    expect(indexedNarrowing(parseFilter('active eq true and emails.value eq "x@y.z"'))).toEqual({ email: 'x@y.z' });
    expect(indexedNarrowing(parseFilter('meta.lastModified gt "2026-11-01T00:00:00Z"'))).toEqual({
      modified: { op: 'gt', at: new Date('2026-11-01T00:00:00Z') },
    });
    expect(indexedNarrowing(parseFilter('meta.lastModified gt "not a date"'))).toBeNull();
    expect(indexedNarrowing(parseFilter('emails.value co "x"'))).toBeNull();
    expect(indexedNarrowing(parseFilter('emails.value eq "a" or userName eq "b"'))).toBeNull();
  });
});
