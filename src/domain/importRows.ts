/**
 * Reading an import's rows, whatever the file's shape: CSV
 * with a header row, or JSON lines. Pure: a row in, a member request or the
 * reason it is not one out. Column names are matched without case, spaces,
 * dashes, underscores or a "Required" mark (`External ID`, `external_id`,
 * `externalId`), and by the attribute an IdP's template names in brackets
 * (Entra's `Name [displayName] Required`, Google's `Email Address [Required]`);
 * they are only ever compared, never stored as field names. Exports of
 * Entra ID, Google Workspace and Okta read as they come: first and last name
 * make the name when there is none, and a sign-in name that is an address
 * (`userPrincipalName`, Okta's `login`) is the email when there is none.
 */
import type { MemberRequest } from './adminProvisioning';
import { normalizeEmail } from './email';

/** The most rows one import takes. */
export const MAX_IMPORT_ROWS = 100_000;
/** Rows per stored chunk: one activity's work, one keyed read. */
export const ROWS_PER_CHUNK = 100;

export type RowError = 'email_invalid' | 'duplicate_row' | 'row_malformed';

type Column = keyof MemberRequest | 'firstName' | 'lastName' | 'signInName';

const COLUMNS: Record<string, Column> = {
  email: 'email',
  emailaddress: 'email',
  mail: 'email',
  primaryemail: 'email',
  workemail: 'email',
  name: 'name',
  displayname: 'name',
  fullname: 'name',
  firstname: 'firstName',
  givenname: 'firstName',
  lastname: 'lastName',
  surname: 'lastName',
  familyname: 'lastName',
  username: 'signInName',
  userprincipalname: 'signInName',
  login: 'signInName',
  roles: 'roles',
  role: 'roles',
  groups: 'groups',
  group: 'groups',
  externalid: 'externalId',
  employeeid: 'externalId',
  employeenumber: 'externalId',
  objectid: 'externalId',
};

const squash = (s: string) =>
  s
    .toLowerCase()
    .replace(/required/g, '')
    .replace(/[\s_()-]/g, '');

/** A header's column: by the attribute in brackets when the template names one, else by its words. */
function columnOf(key: string): Column | undefined {
  const bracketed = /\[([^\]]+)\]/.exec(key)?.[1];
  return (bracketed !== undefined ? COLUMNS[squash(bracketed)] : undefined) ?? COLUMNS[squash(key.replace(/\[[^\]]*\]/g, ''))];
}

/** Several values in one CSV cell: `;` or `|` between them (a comma is the CSV's own separator). */
function listOf(value: unknown): string[] | null {
  if (value === undefined || value === null || value === '') return [];
  if (Array.isArray(value)) return value.every((v) => typeof v === 'string') ? value.map((v) => v.trim()).filter(Boolean) : null;
  if (typeof value !== 'string') return null;
  return value
    .split(/[;|]/)
    .map((v) => v.trim())
    .filter(Boolean);
}

const textOf = (value: unknown): string | null | undefined =>
  value === undefined || value === null || value === ''
    ? null
    : typeof value === 'string'
      ? value.trim()
      : typeof value === 'number'
        ? String(value)
        : undefined;

export type ReadRow = { ok: true; request: MemberRequest; email: string } | { ok: false; email: string; error: RowError; detail: string };

/** One row (a CSV record by header, or a JSON line's object) as a member request. */
export function readImportRow(raw: unknown): ReadRow {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { ok: false, email: '', error: 'row_malformed', detail: 'a row must be an object' };
  const fields: Partial<Record<Column, unknown>> = {};
  for (const [key, value] of Object.entries(raw)) {
    const column = columnOf(key);
    if (column && fields[column] === undefined) fields[column] = value;
  }
  const signInName = textOf(fields.signInName);
  const email = textOf(fields.email) || (signInName?.includes('@') ? signInName : null);
  if (!email) return { ok: false, email: '', error: 'email_invalid', detail: 'no email' };
  const shownEmail = email.slice(0, 320);
  const normalized = normalizeEmail(email);
  if (!normalized) return { ok: false, email: shownEmail, error: 'email_invalid', detail: shownEmail.slice(0, 100) };
  const parts = [textOf(fields.firstName), textOf(fields.lastName)].filter((p): p is string => typeof p === 'string' && p !== '');
  const named = textOf(fields.name);
  const name = named === null && parts.length > 0 ? parts.join(' ') : named;
  const externalId = textOf(fields.externalId);
  const roles = listOf(fields.roles);
  const groups = listOf(fields.groups);
  if (name === undefined || externalId === undefined || roles === null || groups === null) {
    return { ok: false, email: shownEmail, error: 'row_malformed', detail: 'name and external id are text; roles and groups are text or lists of text' };
  }
  if (
    (name?.length ?? 0) > 200 ||
    (externalId?.length ?? 0) > 200 ||
    roles.length > 20 ||
    groups.length > 50 ||
    [...roles, ...groups].some((v) => v.length > 256)
  ) {
    return { ok: false, email: shownEmail, error: 'row_malformed', detail: 'a value is too long' };
  }
  return { ok: true, email: normalized, request: { email: normalized, name, roles, groups, externalId } };
}

/** Rows after the first with the same (normalized) email are duplicates: reported, never provisioned twice. */
export function duplicateTracker(): (row: ReadRow) => ReadRow {
  const seen = new Set<string>();
  return (row) => {
    if (!row.ok) return row;
    if (seen.has(row.email)) return { ok: false, email: row.email, error: 'duplicate_row', detail: 'the same email is on an earlier row' };
    seen.add(row.email);
    return row;
  };
}
