import { canonicalResource, type ScimResource } from './canonical';
import { scimError } from './errors';
import { USER_SHAPE } from './schemas';

/** A User from a POST or PUT body, canonical; `userName` is required and not blank. */
export function userFromBody(body: unknown): ScimResource {
  const user = canonicalResource(body, USER_SHAPE);
  if (typeof user.userName !== 'string' || user.userName.trim() === '') throw scimError('invalidValue', 'userName is required');
  if (user.userName.length > 256) throw scimError('invalidValue', 'userName is longer than 256 characters');
  if (user.externalId !== undefined && (user.externalId as string).length > 256) throw scimError('invalidValue', 'externalId is longer than 256 characters');
  return user;
}

/**
 * A PUT replaces the resource, but `active` it leaves as it was when the
 * body does not carry it: Okta's profile PUTs deactivate with an explicit
 * `active: false`, and a body without it means "no change", not "suspend".
 */
export function replacedUser(current: ScimResource | null, body: ScimResource): ScimResource {
  if (body.active !== undefined || !current || current.active === undefined) return body;
  return { ...body, active: current.active };
}

interface Email {
  value?: string;
  type?: string;
  primary?: boolean;
}

/** What provisioning reads of a User: the sign-in name, whether it is active, its email and display name. */
export interface UserFacts {
  userName: string;
  externalId: string | null;
  active: boolean;
  /** The primary email, else the first work email, else the first; else the userName when it is an address. */
  email: string | null;
  /** Every `emails[].value`, lower-cased and without repeats (what `emails.value eq` looks up). */
  emails: string[];
  name: string | null;
}

const looksLikeEmail = (s: string): boolean => /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(s);

export function userFacts(user: ScimResource): UserFacts {
  const userName = String(user.userName ?? '');
  const emails = (Array.isArray(user.emails) ? user.emails : []) as Email[];
  const chosen = emails.find((e) => e.primary === true) ?? emails.find((e) => e.type === 'work') ?? emails[0];
  const email = chosen?.value ?? (looksLikeEmail(userName) ? userName : null);
  const name = user.name as { formatted?: string; givenName?: string; familyName?: string } | undefined;
  const parts = [name?.givenName, name?.familyName].filter((p): p is string => Boolean(p));
  return {
    userName,
    externalId: typeof user.externalId === 'string' ? user.externalId : null,
    active: user.active !== false,
    email: email ?? null,
    emails: [...new Set(emails.map((e) => (typeof e.value === 'string' ? e.value.toLowerCase() : '')).filter((v) => v !== ''))],
    name: (user.displayName as string | undefined) ?? name?.formatted ?? (parts.length > 0 ? parts.join(' ') : null),
  };
}
