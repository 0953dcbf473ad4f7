import { describe, expect, it } from 'vitest';
import { duplicateTracker, readImportRow } from '../../src/domain/importRows';

describe('import rows', () => {
  it('reads CSV records by header (any case, spaces, dashes) and JSON lines alike', () => {
    expect(readImportRow({ Email: ' Ana@Acq.test ', Name: 'Ana', Roles: 'admin; member', Groups: 'Support|Ops', 'External ID': 'E-1' })).toEqual({
      ok: true,
      email: 'ana@acq.test',
      request: { email: 'ana@acq.test', name: 'Ana', roles: ['admin', 'member'], groups: ['Support', 'Ops'], externalId: 'E-1' },
    });
    expect(readImportRow({ email: 'bo@acq.test', roles: ['member'], groups: [], external_id: 42 })).toMatchObject({ ok: true, request: { roles: ['member'], externalId: '42', name: null } });
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
