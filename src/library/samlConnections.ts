import { X509Certificate } from 'node:crypto';
import { Types } from 'mongoose';
import { describeSpSigningKey, generateSpSigningKey, type StoredSpSigningKey } from '../crypto/spSigningKey';
import type { SamlConnectionRow } from '../store/connections';
import type { Store } from '../store/store';
import type { SignaturePolicy } from '../domain/samlSignatures';
import { certificateExpiry, type SsoBinding } from '../domain/samlMetadata';
import { addIdpCertificate, removeIdpCertificate, type CertificateChange } from '../domain/idpCertificates';
import { conflict, notFound } from '../errors';
import { samlUrls } from './samlUrls';

export interface SamlConnectionInput {
  name: string;
  idpEntityId: string;
  ssoUrl: string;
  certificates: string[];
  attributeMapping: { email: string; name: string; groups: string; custom: Record<string, string> };
  allowIdpInitiated: boolean;
  linkPolicy: 'auto' | 'approval' | 'deny' | null;
  allowedDomains: string[] | null;
  signatures: SignaturePolicy;
  allowSha1: boolean;
  subjectAttribute: string | null;
  signAuthnRequests: boolean;
  /** HTTP-Redirect unless the IdP's metadata offers only HTTP-POST. */
  ssoBinding?: SsoBinding;
  /** Set when the IdP values came from metadata: its URL (null when uploaded). */
  metadata?: { url: string | null };
  /** The certificate (PEM body) the IdP's metadata must be signed with; null = metadata signatures are not verified. */
  metadataSigningCertificate?: string | null;
}

export type Actor = { type: 'admin'; id: string | null };

export interface SamlSettings {
  signatures?: SignaturePolicy | undefined;
  allowSha1?: boolean | undefined;
  subjectAttribute?: string | null | undefined;
  signAuthnRequests?: boolean | undefined;
  certificates?: string[] | undefined;
  attributeMapping?: SamlConnectionInput['attributeMapping'] | undefined;
  linkPolicy?: SamlConnectionInput['linkPolicy'] | undefined;
}

/** SP keys kept published after a rotation (the newest signs; older ones stay until retired). */
const MAX_SP_KEYS = 3;

/** An IdP certificate as the API shows it: `expiresSoon` within CERTIFICATE_WARNING_DAYS (30) of its end. */
export function describeCertificate(body: string, now = new Date()): { fingerprint256: string; validTo: string; expired: boolean; expiresSoon: boolean } {
  const cert = new X509Certificate(`-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`);
  const validTo = new Date(cert.validTo).toISOString();
  return { fingerprint256: cert.fingerprint256, validTo, ...certificateExpiry(validTo, now) };
}

const idpCertificatesOf = (conn: SamlConnectionRow) => conn.certificates.map((body) => ({ body, fingerprint256: describeCertificate(body).fingerprint256 }));

/** The new certificate list, or the decision's refusal as an error (404 for an unknown certificate, 409 otherwise). */
function changed(change: CertificateChange): string[] {
  if (change.ok) return change.certificates;
  if (change.code === 'not_found') throw notFound('signing certificate of this connection');
  throw conflict(change.code, change.message);
}

export function createSamlConnectionLibrary(store: Store, publicUrl: string, encryptionKey: Buffer) {
  const present = (conn: SamlConnectionRow & { createdAt?: Date }) => {
    const urls = samlUrls(publicUrl, String(conn._id));
    return {
      id: String(conn._id),
      tenantId: String(conn.tenantId),
      name: conn.name,
      enabled: conn.enabled,
      spEntityId: conn.spEntityId,
      acsUrl: urls.acsUrl,
      metadataUrl: urls.metadataUrl,
      loginUrl: urls.loginUrl,
      idpEntityId: conn.idpEntityId,
      ssoUrl: conn.ssoUrl,
      ssoBinding: (conn.ssoBinding ?? 'HTTP-Redirect') as SsoBinding,
      metadata: conn.metadata
        ? {
            url: conn.metadata.url ?? null,
            appliedAt: conn.metadata.appliedAt,
            checkedAt: conn.metadata.checkedAt,
            lastError: conn.metadata.lastError ? { code: conn.metadata.lastError.code, message: conn.metadata.lastError.message } : null,
          }
        : null,
      /** The certificate the metadata must be signed with, shown like the IdP certificates; null when signatures are not verified. */
      metadataSigningCertificate: conn.metadataSigningCertificate ? describeCertificate(conn.metadataSigningCertificate) : null,
      attributeMapping: {
        email: conn.attributeMapping?.email ?? 'email',
        name: conn.attributeMapping?.name ?? 'name',
        groups: conn.attributeMapping?.groups ?? 'groups',
        custom: (conn.attributeMapping?.custom ?? {}) as Record<string, string>,
      },
      allowIdpInitiated: conn.allowIdpInitiated,
      linkPolicy: conn.linkPolicy ?? null,
      allowedDomains: conn.allowedDomains ? [...conn.allowedDomains] : null,
      certificates: conn.certificates.map((b) => describeCertificate(b)),
      signatures: conn.signatures ?? 'either',
      allowSha1: conn.allowSha1 === true,
      subjectAttribute: conn.subjectAttribute ?? null,
      signAuthnRequests: conn.signAuthnRequests !== false,
      spSigningCertificates: ((conn.spSigningKeys ?? []) as StoredSpSigningKey[]).map(describeSpSigningKey),
      createdAt: conn.createdAt ?? new Date(0),
    };
  };

  const keysOf = (conn: SamlConnectionRow) => (conn.spSigningKeys ?? []) as StoredSpSigningKey[];
  /** Store the connection's SP keys (first = signs, all published) and audit which signed and which were published before and after. */
  const saveKeys = async (
    tenantId: Types.ObjectId,
    id: string,
    change: (conn: SamlConnectionRow, keys: StoredSpSigningKey[]) => { keys: StoredSpSigningKey[]; detail: Record<string, string> },
    actor: Actor,
    action: string,
  ) => {
    // In turn with the connection's other writers (store/turns.ts): decided from the keys as they are.
    const { conn, keys, detail } = await store.connections.change('saml', tenantId, id, (c: SamlConnectionRow) => {
      const next = change(c, keysOf(c));
      return { set: { spSigningKeys: next.keys }, result: { conn: c, ...next } };
    });
    const after = await ofTenant(tenantId, id);
    const shown = (ks: StoredSpSigningKey[]) => ({ signing: ks[0]?.id ?? null, published: ks.map((k) => k.id) });
    await store.audit.recordAction({
      tenantId: String(conn.tenantId),
      actor,
      action,
      target: { type: 'saml_connection', id: String(conn._id) },
      before: shown(keysOf(conn)),
      after: { ...shown(keys), ...detail },
    });
    return present(after);
  };

  /** The tenant's connection, or 404. */
  const ofTenant = async (tenantId: Types.ObjectId, id: string) => {
    const conn = Types.ObjectId.isValid(id) ? await store.connections.samlOfTenant(tenantId, id) : null;
    if (!conn) throw notFound('SAML connection of this tenant');
    return conn as SamlConnectionRow & { createdAt: Date };
  };

  /** Change signature policy, SHA-1 opt-in, subject attribute, request signing, the IdP certificates, the attribute mapping or the link policy; audited with before and after. */
  const updateSettings = async (tenantId: Types.ObjectId, id: string, settings: SamlSettings | ((conn: SamlConnectionRow) => SamlSettings), actor: Actor) => {
    // In turn with the connection's other writers (store/turns.ts); a function decides from the connection as it is.
    const before = await store.connections.change('saml', tenantId, id, (conn: SamlConnectionRow) => {
      const asked = typeof settings === 'function' ? settings(conn) : settings;
      return { set: Object.fromEntries(Object.entries(asked).filter(([, v]) => v !== undefined)), result: conn };
    });
    const after = await ofTenant(tenantId, id);
    const shown = (c: SamlConnectionRow) => ({
      signatures: c.signatures,
      allowSha1: c.allowSha1 === true,
      subjectAttribute: c.subjectAttribute ?? null,
      signAuthnRequests: c.signAuthnRequests,
      certificates: c.certificates.map((b) => describeCertificate(b).fingerprint256),
      attributeMapping: c.attributeMapping ?? null,
      linkPolicy: c.linkPolicy ?? null,
    });
    await store.audit.recordAction({
      tenantId: String(tenantId),
      actor,
      action: 'connection.saml_settings_changed',
      target: { type: 'saml_connection', id },
      before: shown(before),
      after: shown(after),
    });
    return present(after);
  };

  return {
    present,

    async create(tenantId: Types.ObjectId, input: SamlConnectionInput, actor: Actor) {
      const _id = new Types.ObjectId();
      const { spEntityId } = samlUrls(publicUrl, String(_id));
      const spSigningKeys = [generateSpSigningKey(encryptionKey, `onramp SP ${spEntityId}`)];
      const { metadata, ...values } = input;
      const now = new Date();
      const conn = await store.connections.createSaml({
        _id,
        tenantId,
        spEntityId,
        ...values,
        spSigningKeys,
        ...(metadata ? { metadata: { url: metadata.url, appliedAt: now, checkedAt: now, lastError: null } } : {}),
      });
      await store.audit.recordAction({
        tenantId: String(tenantId),
        actor,
        action: 'connection.created',
        target: { type: 'saml_connection', id: String(_id) },
        after: {
          name: input.name,
          idpEntityId: input.idpEntityId,
          ssoUrl: input.ssoUrl,
          allowIdpInitiated: input.allowIdpInitiated,
          signatures: input.signatures,
          allowSha1: input.allowSha1,
          signAuthnRequests: input.signAuthnRequests,
          ...(metadata
            ? {
                from: metadata.url ? 'metadata_url' : 'metadata',
                metadataUrl: metadata.url,
                ssoBinding: input.ssoBinding ?? 'HTTP-Redirect',
                certificates: input.certificates.map((b) => describeCertificate(b).fingerprint256),
                metadataSigningCertificate: input.metadataSigningCertificate ? describeCertificate(input.metadataSigningCertificate).fingerprint256 : null,
              }
            : {}),
        },
      });
      return present(conn);
    },

    async get(tenantId: Types.ObjectId, id: string) {
      return present(await ofTenant(tenantId, id));
    },

    updateSettings,

    /**
     * Add an IdP signing certificate by hand (the IdP's next one, during its
     * rollover), next to the others; through `updateSettings`, as the admin
     * API's PATCH of `certificates`. `body` is a PEM body already checked
     * (an X.509 certificate, not expired).
     */
    async addCertificate(tenantId: Types.ObjectId, id: string, body: string, actor: Actor) {
      const added = { body, fingerprint256: describeCertificate(body).fingerprint256 };
      return updateSettings(tenantId, id, (conn) => ({ certificates: changed(addIdpCertificate(idpCertificatesOf(conn), added)) }), actor);
    },

    /** Remove an IdP signing certificate by its SHA-256 fingerprint; the last one is refused (409). */
    async removeCertificate(tenantId: Types.ObjectId, id: string, fingerprint256: string, actor: Actor) {
      return updateSettings(tenantId, id, (conn) => ({ certificates: changed(removeIdpCertificate(idpCertificatesOf(conn), fingerprint256)) }), actor);
    },

    /**
     * Rotation, step 1: a new SP signing key is published in the metadata
     * next to the one that signs (overlap), so IdPs that refresh metadata on
     * their own schedule learn it first. Step 2 is `activateSpKey`, step 3
     * `retireSpKey` of the old one. A connection without a key gets one that
     * signs at once.
     */
    async addSpKey(tenantId: Types.ObjectId, id: string, actor: Actor) {
      const spEntityId = (await ofTenant(tenantId, id)).spEntityId;
      const fresh = generateSpSigningKey(encryptionKey, `onramp SP ${spEntityId}`);
      return saveKeys(
        tenantId,
        id,
        (_conn, current) => {
          if (current.length >= MAX_SP_KEYS) throw conflict('too_many_sp_keys', `a connection publishes at most ${MAX_SP_KEYS} SP keys; retire one first`);
          return { keys: [...current, fresh], detail: { added: fresh.id, fingerprint256: describeSpSigningKey(fresh).fingerprint256 } };
        },
        actor,
        'connection.sp_key_added',
      );
    },

    /** Rotation, step 2: this published key signs AuthnRequests from now on (the others stay published until retired). */
    async activateSpKey(tenantId: Types.ObjectId, id: string, keyId: string, actor: Actor) {
      return saveKeys(
        tenantId,
        id,
        (_conn, keys) => {
          const key = keys.find((k) => k.id === keyId);
          if (!key) throw notFound('SP signing key of this connection');
          return { keys: [key, ...keys.filter((k) => k.id !== keyId)], detail: { activated: keyId } };
        },
        actor,
        'connection.sp_key_activated',
      );
    },

    /** Rotation, step 3: stop publishing an older SP key (the one that signs cannot be retired: activate another first). */
    async retireSpKey(tenantId: Types.ObjectId, id: string, keyId: string, actor: Actor) {
      return saveKeys(
        tenantId,
        id,
        (_conn, keys) => {
          const index = keys.findIndex((k) => k.id === keyId);
          if (index < 0) throw notFound('SP signing key of this connection');
          if (index === 0) throw conflict('sp_key_in_use', 'this key signs the AuthnRequests; activate another key before retiring it');
          return { keys: keys.filter((k) => k.id !== keyId), detail: { retired: keyId } };
        },
        actor,
        'connection.sp_key_retired',
      );
    },

    async byId(id: string) {
      if (!Types.ObjectId.isValid(id) || id.length !== 24) return null;
      return store.connections.samlById(id);
    },
  };
}
