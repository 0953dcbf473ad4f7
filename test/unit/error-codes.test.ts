import { describe, expect, it } from 'vitest';
import { ERROR_CODES, isErrorCode } from '../../src/errorCodes';
import { OnrampError } from '../../src/errors';
import { sourceFiles } from '../support/sourceFiles';

/** One vocabulary of error codes, each with one status. */
describe('error codes', () => {
  it('every code raised in the sources is in the catalogue, with the status it is raised with', async () => {
    const unknown: string[] = [];
    const wrongStatus: string[] = [];
    const raise = /(?:new OnrampError|samlRejected|rejected|conflict|conflictError)\(\s*'([a-z_]+)'(?:[^;]*?status: (\d{3}))?/g;
    for (const dir of ['src', 'activities']) {
      for (const { file, text } of await sourceFiles(dir)) {
        for (const [, code, status] of text.matchAll(raise)) {
          if (!code) continue;
          if (!isErrorCode(code)) unknown.push(`${file}: ${code}`);
          else if (status && Number(status) !== ERROR_CODES[code].status)
            wrongStatus.push(`${file}: ${code} raised with ${status}, catalogued ${ERROR_CODES[code].status}`);
        }
      }
    }
    expect(unknown).toEqual([]);
    expect(wrongStatus).toEqual([]);
  });

  it('every SCIM scimType has its catalogued code', async () => {
    const { scimError } = await import('../../src/scim/errors');
    for (const t of ['invalidFilter', 'tooMany', 'uniqueness', 'mutability', 'invalidSyntax', 'invalidPath', 'noTarget', 'invalidValue'] as const) {
      const err = scimError(t, 'x');
      expect(isErrorCode(err.code), err.code).toBe(true);
      expect(err.status).toBe(ERROR_CODES[err.code as keyof typeof ERROR_CODES].status);
    }
  });

  it("an OnrampError without a status takes the catalogue's", () => {
    expect(new OnrampError('saml_wrong_issuer', 'x').status).toBe(401);
    expect(new OnrampError('service_unavailable', 'x')).toMatchObject({ status: 503, expose: true });
    expect(new OnrampError('db_reply_mismatch', 'x')).toMatchObject({ status: 503, expose: false });
    expect(new OnrampError('claim_too_large', 'x', { status: 413 }).status).toBe(413); // an explicit status still wins
  });
});
