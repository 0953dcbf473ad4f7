import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import type { Types } from 'mongoose';
import type { RateLimit } from '../store/rateLimit';
import type { Store } from '../store/store';
import type { IdentityClaim } from '../domain/claim';
import { emailDomain, normalizeEmail } from '../domain/email';
import { OnrampError, validationError } from '../errors';
import type { Outbox } from '../mail/outbox';
import { ssoRouteOf } from './ssoRoute';

export const CODE_TTL_MS = 10 * 60_000;
const MAX_WRONG_CODES = 5;
const WINDOW = 15 * 60_000;
/** Requests for a code, and tries of one, per address and per client IP. */
export const EMAIL_LIMITS: Record<'startAddress' | 'startIp' | 'verifyAddress' | 'verifyIp', RateLimit> = {
  startAddress: { limit: 5, windowMs: WINDOW },
  startIp: { limit: 20, windowMs: WINDOW },
  verifyAddress: { limit: 10, windowMs: WINDOW },
  verifyIp: { limit: 50, windowMs: WINDOW },
};

const invalidCode = () => new OnrampError('email_code_invalid', 'That code is not valid. Request a new one.', { status: 401 });

/**
 * Built-in email sign-in for tenants without SSO: a one-time code sent
 * through the outbox. A code is issued only for an address whose domain a
 * tenant verified with domain JIT on; it is hashed at rest, single-use,
 * expires in 10 minutes and dies after 5 wrong tries; requests and tries are
 * rate-limited per address and per IP. A correct code makes a claim with a
 * verified email for that tenant's email connection — the workflow does the rest.
 */
export function createEmailSignInLibrary(store: Store, outbox: Outbox, key: Buffer, publicUrl: string) {
  const hash = (email: string, code: string) => createHmac('sha256', key).update(`${email}\u0000${code}`).digest('hex');

  const limit = async (name: keyof typeof EMAIL_LIMITS, who: string) => {
    const slot = await store.rateLimit.take(`email-${name}:${who}`, EMAIL_LIMITS[name]);
    if (!slot.ok) {
      const minutes = Math.ceil(slot.retryAfterMs / 60_000);
      throw new OnrampError('rate_limited', `Too many attempts. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`, { status: 429 });
    }
  };

  /** The tenant's email connection (created on first use); null when an admin disabled it. */
  const emailConnectionOf = async (tenantId: Types.ObjectId): Promise<string | null> => {
    const conn = (await store.emailSignIn.connectionOf(tenantId)) ?? (await store.emailSignIn.createConnection(tenantId));
    return conn?.enabled ? String(conn._id) : null;
  };

  /**
   * The tenant a code signs in to: the one named (`?tenant=`) when the
   * address has an email identity there and its account an active
   * membership (someone who joined by an invitation's code, in any domain —
   * a removed or suspended member gets no code); else the tenant that
   * verified the domain with domain JIT on. With its email connection.
   */
  const tenantFor = async (email: string, slug: string | null): Promise<{ tenantId: Types.ObjectId; connectionId: string } | null> => {
    if (slug) {
      // Read only: a visitor naming a tenant creates nothing there.
      const named = await store.tenants.idBySlug(slug);
      const conn = named ? await store.emailSignIn.enabledConnectionOf(named._id) : null;
      const identity = conn ? await store.emailSignIn.identityOf(String(conn._id), email) : null;
      const membership = named && identity ? await store.emailSignIn.membershipOf(String(named._id), String(identity.userId)) : null;
      if (named && conn && membership?.status === 'active') return { tenantId: named._id, connectionId: String(conn._id) };
    }
    const owner = await store.domains.ownerOf(emailDomain(email));
    if (!owner) return null;
    const tenant = await store.tenants.byId(owner.tenantId);
    if (!tenant?.domainJit) return null;
    const connectionId = await emailConnectionOf(tenant._id);
    return connectionId ? { tenantId: tenant._id, connectionId } : null;
  };

  /**
   * The SSO that governs the address in the tenant named (`?tenant=`, where
   * someone who joined with a code signs in again). It depends on the domain
   * only, so the answer says nothing about whether the address has an account.
   */
  const ssoFor = async (email: string, slug: string | null): Promise<{ tenantId: Types.ObjectId; loginUrl: string } | null> => {
    const named = slug ? await store.tenants.idBySlug(slug) : null;
    if (!named) return null;
    const route = await ssoRouteOf(store, publicUrl, named._id, email);
    return route.kind === 'email' ? null : { tenantId: named._id, loginUrl: route.loginUrl };
  };

  /** Store a fresh code under `key` (an address, or an invitation) and mail it. */
  const issueCode = async (key: string, email: string, tenantId: Types.ObjectId, subject: string, text: (code: string) => string) => {
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    await store.emailSignIn.saveCode(key, { codeHash: hash(email, code), tenantId, attempts: 0, expiresAt: new Date(Date.now() + CODE_TTL_MS) });
    await outbox.enqueue(email, subject, text(code));
  };

  /**
   * Spend the code stored under `key` (once; 5 wrong tries kill it): the
   * tenant's email connection it signs in to, and how to give the code back.
   */
  const spendCode = async (
    key: string,
    email: string,
    code: string,
  ): Promise<{ tenantId: Types.ObjectId; connectionId: string; restore: () => Promise<void> }> => {
    const saved = await store.emailSignIn.codeOf(key);
    if (!saved) throw invalidCode();
    if (saved.expiresAt.getTime() < Date.now()) {
      await store.emailSignIn.deleteCode(key);
      throw new OnrampError('email_code_expired', 'That code has expired. Request a new one.', { status: 401 });
    }
    const given = Buffer.from(hash(email, code.trim()));
    if (!timingSafeEqual(given, Buffer.from(saved.codeHash))) {
      if (saved.attempts + 1 >= MAX_WRONG_CODES) await store.emailSignIn.deleteCode(key);
      else await store.emailSignIn.setAttempts(key, saved.attempts + 1);
      throw invalidCode();
    }
    // Read before the code is spent: a failure here leaves the code usable.
    const conn = await store.emailSignIn.enabledConnectionOf(saved.tenantId);
    if (!conn) throw new OnrampError('connection_disabled', 'Email sign-in is not available for this organization.', { status: 403 });
    // Single use: whoever deletes it signs in; a concurrent second try finds nothing.
    if (!(await store.emailSignIn.spendCode(key, saved.codeHash))) throw invalidCode();
    const restore = async () => {
      const { codeHash, tenantId, attempts, expiresAt } = saved;
      await store.emailSignIn.restoreCode(key, { codeHash, tenantId, attempts, expiresAt });
    };
    return { tenantId: saved.tenantId, connectionId: String(conn._id), restore };
  };

  /** A verified-email claim for a tenant's email connection. */
  const emailClaim = (tenantId: Types.ObjectId, connectionId: string, email: string): IdentityClaim => ({
    tenantId: String(tenantId),
    connectionId,
    subject: email,
    email,
    emailVerified: true,
    name: null,
    groups: null,
    attributes: [],
    protocol: 'email',
  });

  return {
    /**
     * Issue and send a code. Answers the same whether or not a code went out
     * (no address probing) — except where the named tenant's SSO governs
     * the address's domain: then no code, and the way to that SSO (`sso`),
     * whoever the address belongs to.
     */
    async start(input: { email: string; ip: string; tenant?: string | null }): Promise<{ email: string; sso: string | null }> {
      const email = normalizeEmail(input.email);
      if (!email) throw validationError('email', 'is not an email address');
      await limit('startIp', input.ip);
      await limit('startAddress', email);
      // A code is no way around SSO: where the named tenant's SSO governs the address, the person signs in there.
      const sso = await ssoFor(email, input.tenant ?? null);
      if (sso) {
        await store.audit.recordAction({
          tenantId: String(sso.tenantId),
          actor: { type: 'system', id: null },
          action: 'email_signin.refused',
          target: { type: 'email', id: email },
          reason: 'email_requires_sso',
          context: { ip: input.ip },
        });
        return { email, sso: sso.loginUrl };
      }
      const target = await tenantFor(email, input.tenant ?? null);
      if (!target) {
        await store.audit.recordAction({
          tenantId: null,
          actor: { type: 'system', id: null },
          action: 'email_signin.refused',
          target: { type: 'email', id: email },
          reason: 'no_tenant_for_domain',
          context: { ip: input.ip },
        });
        return { email, sso: null };
      }
      await issueCode(
        email,
        email,
        target.tenantId,
        'Your sign-in code',
        (code) => `Your sign-in code is ${code}.\n\nIt works once and expires in 10 minutes. If you did not ask for it, ignore this message.`,
      );
      await store.audit.recordAction({
        tenantId: String(target.tenantId),
        actor: { type: 'system', id: null },
        action: 'email_signin.code_sent',
        target: { type: 'email', id: email },
        context: { ip: input.ip },
      });
      return { email, sso: null };
    },

    /**
     * Check a code (once): the identity claim for the workflow, or a 401/429.
     * `restore` gives the code back (same hash, tries and expiry) when the
     * sign-in then fails on the infrastructure, so the person can try again.
     */
    async verify(input: { email: string; code: string; ip: string }): Promise<{ claim: IdentityClaim; restore: () => Promise<void> }> {
      const email = normalizeEmail(input.email);
      if (!email) throw validationError('email', 'is not an email address');
      await limit('verifyIp', input.ip);
      await limit('verifyAddress', email);
      const spent = await spendCode(email, email, input.code);
      return { claim: emailClaim(spent.tenantId, spent.connectionId, email), restore: spent.restore };
    },

    /**
     * A code for accepting an invitation, sent to the invited
     * address: proving it is how someone without SSO accepts. Rate-limited
     * as sign-in codes are.
     */
    async startInvitation(input: { invitationId: string; email: string; tenantId: Types.ObjectId; tenantName: string; ip: string }): Promise<void> {
      await limit('startIp', input.ip);
      await limit('startAddress', input.email);
      if (!(await emailConnectionOf(input.tenantId)))
        throw new OnrampError('connection_disabled', 'Email sign-in is not available for this organization.', { status: 403 });
      await issueCode(
        `invitation:${input.invitationId}`,
        input.email,
        input.tenantId,
        `Your code to join ${input.tenantName}`,
        (code) => `Your code to accept the invitation to ${input.tenantName} is ${code}.\n\nIt works once and expires in 10 minutes.`,
      );
    },

    /** Check an invitation's code (once): the verified-email claim the acceptance runs with. */
    async verifyInvitation(input: {
      invitationId: string;
      email: string;
      code: string;
      ip: string;
    }): Promise<{ claim: IdentityClaim; restore: () => Promise<void> }> {
      await limit('verifyIp', input.ip);
      await limit('verifyAddress', input.email);
      const spent = await spendCode(`invitation:${input.invitationId}`, input.email, input.code);
      return { claim: emailClaim(spent.tenantId, spent.connectionId, input.email), restore: spent.restore };
    },
  };
}
