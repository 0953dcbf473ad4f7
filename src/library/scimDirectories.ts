import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Types } from 'mongoose';
import type { DirectoryProvider, ScimDirectoryRow } from '../store/scimDirectories';
import type { Store } from '../store/store';
import { conflict, isDuplicateKeyError, notFound, OnrampError } from '../errors';
import { formAlreadySent, keyedHex } from './formKeys';

type Actor = { type: 'admin'; id: string | null };
export type { DirectoryProvider };

/** The longest a replaced token keeps working after a rotation. */
export const MAX_TOKEN_OVERLAP_SECONDS = 30 * 24 * 3600;
const DEFAULT_TOKEN_OVERLAP_SECONDS = 24 * 3600;
/** Tokens a directory keeps (live or within their overlap). */
const MAX_TOKENS = 5;

const digestOf = (token: string): string => createHash('sha256').update(token).digest('hex');
const newToken = () => {
  const token = `onramp_scim_${randomBytes(32).toString('base64url')}`;
  return { token, stored: { id: randomBytes(6).toString('hex'), digest: digestOf(token), createdAt: new Date(), expiresAt: null as Date | null } };
};
const live = (t: { expiresAt?: Date | null }, now: Date) => !t.expiresAt || t.expiresAt.getTime() > now.getTime();

/** Where a directory's IdP sends its SCIM requests. */
export const scimBaseUrl = (publicUrl: string, directoryId: string): string => `${publicUrl}/scim/v2/${directoryId}`;

/**
 * SCIM directories of a tenant and their bearer tokens: random, shown once,
 * kept as SHA-256 digests, rotatable with an overlap window, revocable. Every
 * change is audited (never with a token).
 */
export function createScimDirectoryLibrary(store: Store, publicUrl: string) {
  const present = (d: ScimDirectoryRow & { createdAt?: Date }, now = new Date()) => ({
    id: String(d._id),
    tenantId: String(d.tenantId),
    name: d.name,
    provider: d.provider,
    enabled: d.enabled,
    baseUrl: scimBaseUrl(publicUrl, String(d._id)),
    tokens: d.tokens
      .filter((t) => live(t, now))
      .map((t) => ({ id: t.id, createdAt: t.createdAt.toISOString(), expiresAt: t.expiresAt ? t.expiresAt.toISOString() : null })),
    createdAt: (d.createdAt ?? new Date(0)).toISOString(),
  });

  const ofTenant = async (tenantId: Types.ObjectId, id: string) => {
    const d = Types.ObjectId.isValid(id) && id.length === 24 ? await store.scimDirectories.ofTenant(tenantId, id) : null;
    if (!d) throw notFound('SCIM directory of this tenant');
    return d as ScimDirectoryRow & { createdAt: Date };
  };

  /** Change a directory in turn with its other writers (db/turns.ts): a revocation is never undone by a rotation at the same moment. */
  const change = <R>(
    tenantId: Types.ObjectId,
    id: string,
    decide: (d: ScimDirectoryRow & { createdAt: Date }) => { set: Record<string, unknown>; result: R },
  ) => store.scimDirectories.change(id, () => ofTenant(tenantId, id), decide);

  const audit = (
    d: { _id: Types.ObjectId; tenantId: Types.ObjectId },
    actor: Actor,
    action: string,
    after: Record<string, unknown> | null,
    before: Record<string, unknown> | null = null,
  ) => store.audit.recordAction({ tenantId: String(d.tenantId), actor, action, target: { type: 'scim_directory', id: String(d._id) }, before, after });

  return {
    present,

    /**
     * A new directory and its first token (returned once). `formKey` (the
     * console's form): the same form sent again creates nothing and is
     * refused 409 `form_already_sent`, naming the directory it created.
     */
    async create(tenantId: Types.ObjectId, input: { name: string; provider: DirectoryProvider }, actor: Actor, opts: { formKey?: string | null } = {}) {
      const { token, stored } = newToken();
      const _id = opts.formKey ? new Types.ObjectId(keyedHex(String(tenantId), opts.formKey, 24)) : new Types.ObjectId();
      const d = await store.scimDirectories.create({ _id, tenantId, ...input, tokens: [stored] }).catch((err: unknown) => {
        throw opts.formKey && isDuplicateKeyError(err) ? formAlreadySent(`the directory`, String(_id)) : err;
      });
      await audit(d, actor, 'directory.created', { name: input.name, provider: input.provider, tokenId: stored.id });
      return { ...present(d), token };
    },

    async list(tenantId: Types.ObjectId) {
      const rows = await store.scimDirectories.listOf(tenantId);
      return rows.map((d) => present(d as ScimDirectoryRow & { createdAt: Date }));
    },

    async get(tenantId: Types.ObjectId, id: string) {
      return present(await ofTenant(tenantId, id));
    },

    /**
     * A new token (returned once); the tokens in use keep working for
     * `overlapSeconds` (default a day; 0 ends them now), so the IdP can be
     * reconfigured without a gap.
     */
    async rotateToken(tenantId: Types.ObjectId, id: string, overlapSeconds: number | undefined, actor: Actor, now = new Date()) {
      const overlap = overlapSeconds ?? DEFAULT_TOKEN_OVERLAP_SECONDS;
      if (overlap < 0 || overlap > MAX_TOKEN_OVERLAP_SECONDS)
        throw new OnrampError('validation_failed', `overlapSeconds: between 0 and ${MAX_TOKEN_OVERLAP_SECONDS}`, { status: 400 });
      const until = new Date(now.getTime() + overlap * 1000);
      const { token, stored } = newToken();
      await change(tenantId, id, (d) => {
        const kept = d.tokens
          .filter((t) => live(t, now))
          .map((t) => ({ ...t, expiresAt: t.expiresAt && t.expiresAt.getTime() < until.getTime() ? t.expiresAt : until }));
        if (kept.length + 1 > MAX_TOKENS) throw conflict('too_many_tokens', `a directory keeps at most ${MAX_TOKENS} tokens; revoke one first`);
        return { set: { tokens: [...kept, stored] }, result: null };
      });
      const after = await ofTenant(tenantId, id);
      await audit(after, actor, 'directory.token_rotated', { tokenId: stored.id, previousUntil: until.toISOString() });
      return { ...present(after, now), token };
    },

    /** End one token now. */
    async revokeToken(tenantId: Types.ObjectId, id: string, tokenId: string, actor: Actor, now = new Date()) {
      await change(tenantId, id, (d) => {
        if (!d.tokens.some((t) => t.id === tokenId && live(t, now))) throw notFound('live token of this directory');
        return { set: { tokens: d.tokens.map((t) => (t.id === tokenId ? { ...t, expiresAt: now } : t)) }, result: null };
      });
      const after = await ofTenant(tenantId, id);
      await audit(after, actor, 'directory.token_revoked', { tokenId });
      return present(after, now);
    },

    async setEnabled(tenantId: Types.ObjectId, id: string, enabled: boolean, actor: Actor) {
      const before = await change(tenantId, id, (d) => ({ set: { enabled }, result: d }));
      const after = await ofTenant(tenantId, id);
      await audit(after, actor, enabled ? 'directory.enabled' : 'directory.disabled', { enabled }, { enabled: before.enabled });
      return present(after);
    },

    async remove(tenantId: Types.ObjectId, id: string, actor: Actor) {
      const d = await ofTenant(tenantId, id);
      await store.scimDirectories.remove(tenantId, d._id);
      await audit(d, actor, 'directory.deleted', null, { name: d.name, provider: d.provider });
    },

    /**
     * Who is calling `/scim/v2/<directoryId>`: the directory, when the bearer
     * token is one of its live tokens (digests compared in constant time);
     * null otherwise — the caller answers 401 and reads nothing. Whether it
     * is enabled is for the caller to answer (403) once the token is proven.
     */
    async authenticate(
      directoryId: string,
      bearer: string,
      now = new Date(),
    ): Promise<{ directoryId: string; tenantId: string; enabled: boolean; provider: DirectoryProvider } | null> {
      if (!Types.ObjectId.isValid(directoryId) || directoryId.length !== 24 || !bearer) return null;
      const d = await store.scimDirectories.byId(directoryId);
      if (!d) return null;
      const given = Buffer.from(digestOf(bearer), 'hex');
      const match = d.tokens.filter((t) => live(t, now)).some((t) => timingSafeEqual(given, Buffer.from(t.digest, 'hex')));
      return match ? { directoryId: String(d._id), tenantId: String(d.tenantId), enabled: d.enabled, provider: d.provider } : null;
    },
  };
}

export type ScimDirectoryLibrary = ReturnType<typeof createScimDirectoryLibrary>;
