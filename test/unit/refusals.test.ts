import { describe, expect, it } from 'vitest';
import { adminRefusalMessage, isRefusal, REFUSALS, refusalMessage, type Refusal } from '../../src/domain/refusals';
import { ERROR_CODES } from '../../src/errorCodes';
import { personRefusal, refusalError } from '../../src/errors';
import { sourceFiles } from '../support/sourceFiles';

/** One vocabulary of refusals, whoever asks: each code with one status, the person's words and the admin's. */
describe('refusals', () => {
  it('every refusal is an error code with the same status', () => {
    for (const [code, info] of Object.entries(REFUSALS)) {
      expect(ERROR_CODES[code as Refusal], code).toEqual({ status: info.status, expose: info.status < 500 });
    }
  });

  it("an admin's error takes the published code and its status; the detail is quoted", () => {
    expect(refusalError('member_not_found')).toMatchObject({ code: 'not_found', status: 404, message: 'This person is not a member of the tenant.' });
    expect(refusalError('domain_owned_by_other_tenant', 'acme.com')).toMatchObject({
      code: 'domain_verified_by_other_tenant',
      status: 409,
      message: "The email's domain (acme.com) is verified by another organization.",
    });
    expect(refusalError('last_owner')).toMatchObject({ code: 'last_owner', status: 409 });
    expect(refusalError('unknown_role', 'auditor')).toMatchObject({ status: 422, message: 'The tenant has no role (auditor).' });
    expect(adminRefusalMessage('link_refused', null)).toBe("An account with this email exists and this tenant's link policy does not link it.");
  });

  it("a person's error says the person's words with the refusal's status", () => {
    expect(personRefusal('invitation_expired')).toMatchObject({ code: 'invitation_expired', status: 410, message: refusalMessage('invitation_expired') });
    expect(isRefusal('invitation_used')).toBe(true);
    expect(isRefusal('toString')).toBe(false);
  });

  it('no other source keeps its own words for a refusal', async () => {
    const copies: string[] = [];
    for (const dir of ['src', 'activities', 'workflows']) {
      for (const { file, text } of await sourceFiles(dir)) {
        if (file.endsWith('domain/refusals.ts')) continue;
        for (const info of Object.values(REFUSALS)) if (text.includes(info.person)) copies.push(`${file}: ${info.person}`);
      }
    }
    expect(copies).toEqual([]);
  });
});
