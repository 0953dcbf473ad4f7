import { describe, expect, it } from 'vitest';
import { OnrampError } from '../../src/errors';
import { canonicalResource } from '../../src/scim/canonical';
import { applyPatch, normalizePatch } from '../../src/scim/patch';
import { attributeList, project } from '../../src/scim/projection';
import { ENTERPRISE_SCHEMA, PATCH_SCHEMA, USER_SCHEMA, USER_SHAPE } from '../../src/scim/schemas';
import { replacedUser, userFacts, userFromBody } from '../../src/scim/users';

const refused = (work: () => unknown): { status: number; scimType: unknown; message: string } => {
  try {
    work();
  } catch (err) {
    if (err instanceof OnrampError) return { status: err.status, scimType: err.details?.scimType, message: err.message };
    throw err;
  }
  throw new Error('expected a refusal');
};

/** Entra ID's create (Microsoft Learn, "Develop and plan provisioning for a SCIM endpoint": request 1). */
const entraCreate = {
  schemas: [USER_SCHEMA, ENTERPRISE_SCHEMA],
  externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
  userName: 'Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1',
  active: true,
  emails: [{ primary: true, type: 'work', value: 'Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com' }],
  meta: { resourceType: 'User' },
  name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
  roles: [],
  [ENTERPRISE_SCHEMA]: { employeeNumber: '1', department: 'Eng' },
};

/** Okta's create (developer.okta.com, "SCIM 2.0 protocol reference": Create the user). */
const oktaCreate = {
  schemas: [USER_SCHEMA],
  userName: 'test.user@okta.local',
  name: { givenName: 'Test', familyName: 'User' },
  emails: [{ primary: true, value: 'test.user@okta.local', type: 'work' }],
  displayName: 'Test User',
  locale: 'en-US',
  externalId: '00ujl29u0le5T6Aj10h7',
  groups: [],
  password: '1mz050nq',
  active: true,
};

describe('SCIM resources: canonical form', () => {
  it("keeps Entra's create, drops read-only and write-only attributes", () => {
    const user = userFromBody(entraCreate);
    expect(user).toEqual({
      schemas: [USER_SCHEMA, ENTERPRISE_SCHEMA],
      externalId: entraCreate.externalId,
      userName: entraCreate.userName,
      active: true,
      emails: entraCreate.emails,
      name: entraCreate.name,
      [ENTERPRISE_SCHEMA]: { employeeNumber: '1', department: 'Eng' },
    });
    expect(userFacts(user)).toMatchObject({ email: entraCreate.emails[0]!.value, name: 'givenName familyName', active: true });
  });

  it("keeps Okta's create without its password or groups", () => {
    const user = userFromBody(oktaCreate);
    expect(user.password).toBeUndefined();
    expect(user.groups).toBeUndefined();
    expect(userFacts(user)).toEqual({
      userName: 'test.user@okta.local',
      externalId: '00ujl29u0le5T6Aj10h7',
      active: true,
      email: 'test.user@okta.local',
      emails: ['test.user@okta.local'],
      name: 'Test User',
    });
  });

  it('canonicalizes attribute names, string booleans and a bare manager id', () => {
    const user = userFromBody({
      schemas: [USER_SCHEMA],
      UserName: 'a@b.test',
      ACTIVE: 'False',
      Name: { GivenName: 'A' },
      'URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER': { Manager: 'm-1' },
    });
    expect(user).toEqual({
      schemas: [USER_SCHEMA, ENTERPRISE_SCHEMA],
      userName: 'a@b.test',
      active: false,
      name: { givenName: 'A' },
      [ENTERPRISE_SCHEMA]: { manager: { value: 'm-1' } },
    });
  });

  it("accepts (and does not keep) an extension the body declares, such as Entra's own", () => {
    const MS = 'urn:ietf:params:scim:schemas:extension:Microsoft:Entra:2.0:User';
    const user = userFromBody({ schemas: [USER_SCHEMA, ENTERPRISE_SCHEMA, MS], userName: 'a@b.test', [ENTERPRISE_SCHEMA]: {}, [MS]: { mailNickname: 'a' } });
    expect(user).toEqual({ schemas: [USER_SCHEMA], userName: 'a@b.test' });
  });

  it('refuses what it cannot keep, with the RFC scimType', () => {
    expect(refused(() => userFromBody({ schemas: [USER_SCHEMA] }))).toMatchObject({ status: 400, scimType: 'invalidValue', message: 'userName is required' });
    expect(refused(() => userFromBody({ userName: 'x' }))).toMatchObject({ status: 400, scimType: 'invalidSyntax' });
    expect(refused(() => userFromBody({ schemas: [USER_SCHEMA], userName: 'x', favouriteColour: 'blue' }))).toMatchObject({
      scimType: 'invalidValue',
      message: 'favouriteColour is not a supported attribute',
    });
    expect(refused(() => userFromBody({ schemas: [USER_SCHEMA], userName: 'x', active: 'maybe' }))).toMatchObject({ message: 'active must be a boolean' });
    expect(refused(() => userFromBody({ schemas: [USER_SCHEMA], userName: 'x', emails: { value: 'a@b.test' } }))).toMatchObject({
      message: 'emails must be an array',
    });
    expect(refused(() => userFromBody({ schemas: [USER_SCHEMA], userName: 'x', emails: [{ value: 'a@b.test', colour: 'x' }] }))).toMatchObject({
      message: 'emails[0].colour is not an attribute of emails',
    });
    expect(refused(() => userFromBody({ schemas: [USER_SCHEMA], userName: 7 }))).toMatchObject({ message: 'userName must be a string' });
    expect(refused(() => userFromBody({ schemas: [USER_SCHEMA], userName: 'x', 'urn:example:custom:2.0:User': { a: 1 } }))).toMatchObject({
      scimType: 'invalidValue',
    });
    expect(refused(() => canonicalResource([], USER_SHAPE))).toMatchObject({ scimType: 'invalidSyntax' });
  });

  it('a PUT without active keeps the current state (Okta), one with it sets it', () => {
    const current = userFromBody({ ...oktaCreate, active: false });
    expect(replacedUser(current, userFromBody({ schemas: [USER_SCHEMA], userName: 'test.user@okta.local' })).active).toBe(false);
    expect(replacedUser(current, userFromBody({ schemas: [USER_SCHEMA], userName: 'test.user@okta.local', active: true })).active).toBe(true);
  });
});

describe('SCIM PATCH (normalized, then scim-patch)', () => {
  const stored = userFromBody(entraCreate);
  const patch = (...Operations: unknown[]) => applyPatch(stored, normalizePatch({ schemas: [PATCH_SCHEMA], Operations }, USER_SHAPE), USER_SHAPE);

  it("applies Entra's legacy dialect: capitalized ops and string booleans", () => {
    expect(patch({ op: 'Replace', path: 'active', value: 'False' }).active).toBe(false);
    expect(patch({ op: 'Add', path: `${ENTERPRISE_SCHEMA}:manager`, value: 'mgr-id' })[ENTERPRISE_SCHEMA]).toEqual({
      employeeNumber: '1',
      department: 'Eng',
      manager: { value: 'mgr-id' },
    });
  });

  it("applies Entra's path-less replace with dotted, filtered and URN keys", () => {
    const out = patch({
      op: 'replace',
      value: {
        'name.givenName': 'Barbara',
        'emails[type eq "work"].value': 'barbara@testuser.com',
        active: false,
        [`${ENTERPRISE_SCHEMA}:department`]: 'Sales',
      },
    });
    expect(out.name).toEqual({ formatted: 'givenName familyName', familyName: 'familyName', givenName: 'Barbara' });
    expect(out.emails).toEqual([{ primary: true, type: 'work', value: 'barbara@testuser.com' }]);
    expect(out.active).toBe(false);
    expect((out[ENTERPRISE_SCHEMA] as Record<string, unknown>).department).toBe('Sales');
  });

  it("applies Okta's path-less deactivation", () => {
    expect(patch({ op: 'replace', value: { active: false } }).active).toBe(false);
  });

  it('removes, and adds where nothing was', () => {
    expect(patch({ op: 'remove', path: 'name.givenName' }).name).toEqual({ formatted: 'givenName familyName', familyName: 'familyName' });
    expect(patch({ op: 'replace', path: 'phoneNumbers[type eq "mobile"].value', value: '+1 555' }).phoneNumbers).toEqual([{ type: 'mobile', value: '+1 555' }]);
    expect(patch({ op: 'add', path: 'title', value: 'CTO' }).title).toBe('CTO');
  });

  it('refuses bad operations with the RFC scimType', () => {
    expect(refused(() => patch({ op: 'move', path: 'title', value: 'x' }))).toMatchObject({ scimType: 'invalidSyntax' });
    expect(refused(() => patch({ op: 'replace', path: 'favouriteColour', value: 'x' }))).toMatchObject({ scimType: 'invalidPath' });
    expect(refused(() => patch({ op: 'remove' }))).toMatchObject({ scimType: 'noTarget' });
    expect(refused(() => patch({ op: 'replace', path: 'active', value: 'perhaps' }))).toMatchObject({ scimType: 'invalidValue' });
    expect(refused(() => normalizePatch({ Operations: [] }, USER_SHAPE))).toMatchObject({ scimType: 'invalidSyntax' });
  });
});

describe('attributes / excludedAttributes', () => {
  const user: Record<string, unknown> = { ...userFromBody(entraCreate), id: 'u1', meta: { resourceType: 'User' } };

  it('returns only what was asked, plus schemas and id', () => {
    expect(project(user, { attributes: attributeList('userName, name.givenName,emails.value'), excludedAttributes: [] }, USER_SHAPE)).toEqual({
      schemas: user.schemas,
      id: 'u1',
      userName: user.userName,
      name: { givenName: 'givenName' },
      emails: [{ value: entraCreate.emails[0]!.value }],
    });
    expect(project(user, { attributes: [`${ENTERPRISE_SCHEMA}:department`], excludedAttributes: [] }, USER_SHAPE)).toEqual({
      schemas: user.schemas,
      id: 'u1',
      [ENTERPRISE_SCHEMA]: { department: 'Eng' },
    });
  });

  it('leaves out what was excluded, never schemas or id', () => {
    const out = project(user, { attributes: [], excludedAttributes: ['emails', 'id', 'name.familyName', ENTERPRISE_SCHEMA] }, USER_SHAPE);
    expect(out.emails).toBeUndefined();
    expect(out.id).toBe('u1');
    expect(out.name).toEqual({ formatted: 'givenName familyName', givenName: 'givenName' });
    expect(out[ENTERPRISE_SCHEMA]).toBeUndefined();
  });
});
