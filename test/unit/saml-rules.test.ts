import { describe, expect, it } from 'vitest';
import { attributeCandidates } from '../../src/domain/samlAttributeNames';
import { nodeSamlSignatureOptions, signatureProblem, SIGNATURE_POLICIES } from '../../src/domain/samlSignatures';
import { chooseSubject, NAMEID_FORMATS } from '../../src/domain/samlSubject';

describe('signature policies', () => {
  it('map to node-saml flags: either demands neither (node-saml still needs one signature covering the assertion)', () => {
    expect(nodeSamlSignatureOptions('either')).toEqual({ wantAssertionsSigned: false, wantAuthnResponseSigned: false });
    expect(nodeSamlSignatureOptions('assertion')).toEqual({ wantAssertionsSigned: true, wantAuthnResponseSigned: false });
    expect(nodeSamlSignatureOptions('response')).toEqual({ wantAssertionsSigned: false, wantAuthnResponseSigned: true });
    expect(nodeSamlSignatureOptions('both')).toEqual({ wantAssertionsSigned: true, wantAuthnResponseSigned: true });
  });

  it('name what is wrong with a refused signature', () => {
    for (const policy of SIGNATURE_POLICIES) expect(signatureProblem(policy, { response: false, assertion: false })).toBe('unsigned');
    expect(signatureProblem('both', { response: false, assertion: true })).toBe('response_unsigned');
    expect(signatureProblem('response', { response: false, assertion: true })).toBe('response_unsigned');
    expect(signatureProblem('both', { response: true, assertion: false })).toBe('assertion_unsigned');
    expect(signatureProblem('assertion', { response: true, assertion: false })).toBe('assertion_unsigned');
    // Signed as demanded but node-saml still refused: the signature itself is bad (altered, other key).
    expect(signatureProblem('either', { response: true, assertion: false })).toBe('bad_signature');
    expect(signatureProblem('both', { response: true, assertion: true })).toBe('bad_signature');
  });
});

describe('SAML subject by NameID format', () => {
  const base = { nameId: 'abc', nameIdFormat: NAMEID_FORMATS.persistent, subjectAttribute: null, attributeValue: null, maxLength: 256 };
  it('persistent, unspecified and emailAddress NameIDs are the subject', () => {
    for (const format of [NAMEID_FORMATS.persistent, NAMEID_FORMATS.unspecified, NAMEID_FORMATS.emailAddress, null]) {
      expect(chooseSubject({ ...base, nameIdFormat: format })).toEqual({ ok: true, subject: 'abc', from: 'nameid' });
    }
  });
  it('a transient NameID is refused unless a persistent attribute is named', () => {
    expect(chooseSubject({ ...base, nameIdFormat: NAMEID_FORMATS.transient })).toMatchObject({ ok: false, reason: 'saml_transient_nameid' });
    expect(chooseSubject({ ...base, nameIdFormat: NAMEID_FORMATS.transient, subjectAttribute: 'oid', attributeValue: 'u-1' })).toEqual({
      ok: true,
      subject: 'u-1',
      from: 'attribute',
    });
  });
  it('a named subject attribute that is missing, empty or too long is refused', () => {
    for (const value of [null, '', '   ', 'x'.repeat(257)]) {
      expect(chooseSubject({ ...base, subjectAttribute: 'oid', attributeValue: value })).toMatchObject({ ok: false, reason: 'saml_bad_subject' });
    }
    expect(chooseSubject({ ...base, nameId: null })).toMatchObject({ ok: false, reason: 'saml_bad_subject' });
  });
});

describe('attribute names recognized on their own', () => {
  it('with the default mapping, the conventions of real IdPs, in order; with another name, exactly that one', () => {
    expect(attributeCandidates('email', 'email')).toContain('http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress');
    expect(attributeCandidates('email', 'email')).toContain('urn:oid:0.9.2342.19200300.100.1.3');
    expect(attributeCandidates('email', 'email')[0]).toBe('email');
    expect(attributeCandidates('groups', 'groups')).toContain('http://schemas.microsoft.com/ws/2008/06/identity/claims/groups');
    expect(attributeCandidates('email', 'upn')).toEqual(['upn']);
    // Entra ID's …/claims/name is the UPN: never taken for the display name.
    expect(attributeCandidates('name', 'name')).not.toContain('http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name');
  });
});
