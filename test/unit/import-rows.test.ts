import { describe, expect, it } from 'vitest';
import { duplicateTracker, readImportRow } from '../../src/domain/importRows';

describe('import rows', () => {
  it('reads CSV records by header (any case, spaces, dashes) and JSON lines alike', () => {
    expect(readImportRow({ Email: ' Ana@Acq.test ', Name: 'Ana', Roles: 'admin; member', Groups: 'Support|Ops', 'External ID': 'E-1' })).toEqual({
      ok: true,
      email: 'ana@acq.test',
      request: { email: 'ana@acq.test', name: 'Ana', roles: ['admin', 'member'], groups: ['Support', 'Ops'], externalId: 'E-1' },
    });
    expect(readImportRow({ email: 'bo@acq.test', roles: ['member'], groups: [], external_id: 42 })).toMatchObject({
      ok: true,
      request: { roles: ['member'], externalId: '42', name: null },
    });
  });

  it('reads the exports and templates of Entra ID, Google Workspace and Okta as they come', () => {
    // Entra ID bulk-create template (after its version line) and its user list download.
    expect(
      readImportRow({
        'Name [displayName] Required': 'Ada Lovelace',
        'User name [userPrincipalName] Required': 'ada@acq.test',
        'First name [givenName]': 'Ada',
        'Department [department]': 'R&D',
      }),
    ).toMatchObject({
      ok: true,
      request: { email: 'ada@acq.test', name: 'Ada Lovelace' },
    });
    expect(readImportRow({ userPrincipalName: 'Bo@acq.test', displayName: 'Bo', mail: 'bo.smith@acq.test', objectId: '7f1e…' })).toMatchObject({
      ok: true,
      email: 'bo.smith@acq.test',
      request: { externalId: '7f1e…' },
    });
    // Google Workspace bulk upload: names in two columns, "[Required]" marks.
    expect(
      readImportRow({ 'First Name [Required]': 'Cy', 'Last Name [Required]': 'Young', 'Email Address [Required]': 'cy@acq.test', 'Password [Required]': 'x' }),
    ).toMatchObject({
      ok: true,
      request: { email: 'cy@acq.test', name: 'Cy Young' },
    });
    // Okta: login, firstName, lastName, email (and a login that is no address does not stand in for one).
    expect(readImportRow({ login: 'dee@acq.test', firstName: 'Dee', lastName: 'Dee' })).toMatchObject({
      ok: true,
      email: 'dee@acq.test',
      request: { name: 'Dee Dee' },
    });
    expect(readImportRow({ login: 'dee', firstName: 'Dee' })).toMatchObject({ ok: false, error: 'email_invalid' });
  });

  it('reports what it cannot read, row by row', () => {
    expect(readImportRow({ email: 'not an email' })).toMatchObject({ ok: false, error: 'email_invalid' });
    expect(readImportRow({ name: 'no email' })).toMatchObject({ ok: false, error: 'email_invalid', detail: 'no email' });
    expect(readImportRow(['a', 'b'])).toMatchObject({ ok: false, error: 'row_malformed' });
    expect(readImportRow({ email: 'a@b.test', roles: [1, 2] })).toMatchObject({ ok: false, error: 'row_malformed' });
    expect(readImportRow({ email: 'a@b.test', name: 'x'.repeat(201) })).toMatchObject({ ok: false, error: 'row_malformed' });
  });

  it('reports a repeated email as a duplicate row, keeping the first', () => {
    const track = duplicateTracker();
    expect(track(readImportRow({ email: 'Cy@acq.test' })).ok).toBe(true);
    expect(track(readImportRow({ email: 'cy@ACQ.test' }))).toMatchObject({ ok: false, error: 'duplicate_row' });
    expect(track(readImportRow({ email: 'dee@acq.test' })).ok).toBe(true);
  });
});
