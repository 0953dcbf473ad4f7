import { Types } from 'mongoose';
import type { SamlConnectionRow } from '../store/connections';
import type { Store } from '../store/store';
import { decideSamlMetadata, MAX_METADATA_BYTES } from '../domain/samlMetadata';
import { notFound, OnrampError } from '../errors';
import type { Logger } from '../logger';
import { fetchDocument } from '../webhooks/fetchDocument';
import type { OutboundPolicy } from '../webhooks/targetPolicy';
import { describeCertificate, type Actor, type createSamlConnectionLibrary, type SamlConnectionInput } from './samlConnections';
import { readSamlMetadata } from './samlMetadataReader';
import { verifiedMetadata } from './samlMetadataSignature';

/** Where the metadata comes from: the document itself, or its URL (fetched now, and kept to refresh from). */
export type MetadataSource = { metadataXml: string; metadataUrl?: undefined } | { metadataUrl: string; metadataXml?: undefined };

/**
 * The certificate (PEM body) the IdP signs its metadata with: when a
 * connection has one, every document applied to it must carry a valid
 * signature over its root made with it. `null` removes it; absent keeps
 * the connection's.
 */
export type MetadataSigningCertificate = { metadataSigningCertificate?: string | null | undefined };

export interface SamlMetadataSettings {
  /** The webhook client's SSRF rules (and its timeout) for metadata URLs. */
  policy: OutboundPolicy;
  /** Outside production an IdP's SSO URL may be http (a local test IdP). */
  allowHttpIdpUrls: boolean;
  /** How often connections set up from a metadata URL fetch it again; 0 = never on a schedule. */
  refreshMs: number;
  logger: Logger;
}

type Conn = SamlConnectionRow & { createdAt: Date };
/** Who refreshes on the schedule, in audits. */
const SCHEDULE = { type: 'system', id: 'saml-metadata-refresh' } as const;

/**
 * SAML set-up from the IdP's metadata: create a connection from an uploaded
 * document or a metadata URL, replace its IdP values from new metadata, and
 * refresh them from the URL — on demand and every `refreshMs`. Every change
 * is audited with the values before and after; a refresh that finds the
 * metadata unusable leaves the connection as it was and records why.
 */
export function createSamlMetadataLibrary(store: Store, saml: ReturnType<typeof createSamlConnectionLibrary>, settings: SamlMetadataSettings) {
  const fetchXml = async (url: string): Promise<string> => {
    const got = await fetchDocument(url, { ...settings.policy, maxResponseBytes: MAX_METADATA_BYTES }, MAX_METADATA_BYTES);
    if (got.kind === 'refused') throw new OnrampError('saml_metadata_url_refused', `The metadata URL is not allowed: ${got.message}.`);
    if (got.kind === 'too_large')
      throw new OnrampError('saml_metadata_too_large', `The metadata document is larger than ${MAX_METADATA_BYTES / 1024 / 1024} MB.`, { status: 413 });
    if (got.kind === 'failed') throw new OnrampError('saml_metadata_unreachable', `The metadata URL could not be fetched: ${got.message}.`, { status: 422 });
    if (got.status !== 200)
      throw new OnrampError(
        'saml_metadata_unreachable',
        `The metadata URL answered HTTP ${got.status}${got.status >= 300 && got.status < 400 ? ' (a redirect: give the final URL)' : ''}.`,
        {
          status: 422,
        },
      );
    return got.body.toString('utf8');
  };

  const documentOf = async (source: MetadataSource) =>
    source.metadataUrl !== undefined ? { xml: await fetchXml(source.metadataUrl), url: source.metadataUrl } : { xml: source.metadataXml, url: null };

  /**
   * The IdP values the document gives, or the refusal (its code and the product's words). With a metadata signing
   * certificate they are read only from what the document's verified signature covers.
   */
  const decide = (xml: string, signingCertificate: string | null) => {
    const covered = signingCertificate ? verifiedMetadata(xml, signingCertificate) : xml;
    const decision = decideSamlMetadata(readSamlMetadata(covered), new Date(), { allowHttp: settings.allowHttpIdpUrls });
    if (!decision.ok) throw new OnrampError(decision.code, decision.message);
    return decision;
  };

  const ofTenant = async (tenantId: Types.ObjectId, id: string): Promise<Conn> => {
    const conn = Types.ObjectId.isValid(id) ? await store.connections.samlOfTenant(tenantId, id) : null;
    if (!conn) throw notFound('SAML connection of this tenant');
    return conn as Conn;
  };

  const shown = (c: {
    ssoUrl: string;
    ssoBinding?: string | null;
    certificates: string[];
    metadata?: { url?: string | null } | null;
    metadataSigningCertificate?: string | null;
  }) => ({
    ssoUrl: c.ssoUrl,
    ssoBinding: c.ssoBinding ?? 'HTTP-Redirect',
    certificates: c.certificates.map((b) => describeCertificate(b).fingerprint256),
    metadataUrl: c.metadata?.url ?? null,
    metadataSigningCertificate: c.metadataSigningCertificate ? describeCertificate(c.metadataSigningCertificate).fingerprint256 : null,
  });

  /**
   * A document refused for a connection (its signature, its validUntil, its values): audited as
   * `connection.saml_metadata_refused` with the code, when an admin asked, or on the schedule when the reason is new
   * (a URL that keeps serving the same refused document is recorded once, not at every refresh).
   */
  const auditRefusal = async (found: Conn, err: unknown, actor: Actor | typeof SCHEDULE, trigger: string) => {
    if (!(err instanceof OnrampError) || err.status >= 500) return;
    if (actor.type !== 'admin' && found.metadata?.lastError?.code === err.code) return;
    await store.audit.recordAction({
      tenantId: String(found.tenantId),
      actor,
      action: 'connection.saml_metadata_refused',
      target: { type: 'saml_connection', id: String(found._id) },
      after: { trigger, code: err.code, message: err.message },
    });
  };

  /**
   * Apply a metadata document to a connection; audited when the values changed or an admin asked. The document is
   * verified with the connection's metadata signing certificate as it is in this turn (or the one `signing` gives).
   */
  const apply = async (
    found: Conn,
    xml: string,
    url: string | null,
    actor: Actor | typeof SCHEDULE,
    trigger: 'upload' | 'url' | 'refresh' | 'schedule',
    signing: MetadataSigningCertificate = {},
  ) => {
    const now = new Date();
    /** The connection's new values from the document, decided against the connection as it is in this turn. */
    function decided(c: Conn) {
      const signingCertificate = signing.metadataSigningCertificate !== undefined ? signing.metadataSigningCertificate : (c.metadataSigningCertificate ?? null);
      const d = decide(xml, signingCertificate);
      const next = {
        ssoUrl: d.ssoUrl,
        ssoBinding: d.ssoBinding,
        certificates: d.certificates,
        metadata: { url },
        metadataSigningCertificate: signingCertificate,
      };
      if (d.idpEntityId !== c.idpEntityId)
        throw new OnrampError(
          'saml_metadata_entity_changed',
          `The metadata is for another IdP (entityID ${d.idpEntityId}) than this connection's (${c.idpEntityId}); create a new connection for it.`,
          { status: 409 },
        );
      const differs = JSON.stringify(shown(c)) !== JSON.stringify(shown(next));
      const appliedAt = differs || !c.metadata ? now : c.metadata.appliedAt;
      return {
        set: {
          ssoUrl: d.ssoUrl,
          ssoBinding: d.ssoBinding,
          certificates: d.certificates,
          metadata: { url, appliedAt, checkedAt: now, lastError: null },
          metadataSigningCertificate: signingCertificate,
        },
        result: { conn: c, changed: differs, d, next },
      };
    }
    // In turn with the connection's other writers (store/turns.ts): an admin's edit and a refresh never undo each other.
    const { conn, changed, d, next } = await store.connections
      .change('saml', found.tenantId, String(found._id), (c: Conn) => decided(c))
      .catch(async (err: unknown) => {
        await auditRefusal(found, err, actor, trigger);
        throw err;
      });
    const after = await ofTenant(conn.tenantId, String(conn._id));
    if (changed || actor.type === 'admin')
      await store.audit.recordAction({
        tenantId: String(conn.tenantId),
        actor,
        action: 'connection.saml_metadata_applied',
        target: { type: 'saml_connection', id: String(conn._id) },
        before: shown(conn),
        after: { ...shown(next), trigger, changed, leftOutExpired: d.leftOut.map((c) => c.fingerprint256) },
      });
    return saml.present(after);
  };

  /** Fetch every connection's metadata URL whose last check is `refreshMs` old; a refusal is kept on the connection (and logged), never thrown. */
  const refreshDue = async (now = new Date()): Promise<{ checked: number; failed: number }> => {
    const due = await store.connections.samlMetadataDue(new Date(now.getTime() - settings.refreshMs));
    let failed = 0;
    for (const conn of due as Conn[]) {
      const url = conn.metadata?.url;
      if (!url) continue;
      try {
        await apply(conn, await fetchXml(url), url, SCHEDULE, 'schedule');
      } catch (err) {
        if (!(err instanceof OnrampError) || err.status >= 500) settings.logger.warn({ err, connectionId: String(conn._id) }, 'SAML metadata refresh failed');
        if (!(err instanceof OnrampError)) continue;
        failed += 1;
        const lastError = { code: err.code, message: err.message };
        await store.connections
          .change('saml', conn.tenantId, String(conn._id), (c: Conn) => ({
            set: { metadata: { ...(c.metadata ?? {}), checkedAt: new Date(), lastError } },
            result: null,
          }))
          .catch((gone: unknown) => settings.logger.warn({ err: gone, connectionId: String(conn._id) }, 'SAML metadata refresh could not be recorded'));
      }
    }
    return { checked: due.length, failed };
  };

  return {
    /** A new connection whose IdP entity ID, SSO URL and binding, and signing certificates come from the metadata. */
    async create(
      tenantId: Types.ObjectId,
      input: Omit<SamlConnectionInput, 'idpEntityId' | 'ssoUrl' | 'certificates' | 'ssoBinding' | 'metadata' | 'metadataSigningCertificate'> &
        MetadataSource &
        MetadataSigningCertificate,
      actor: Actor,
    ) {
      const { metadataXml, metadataUrl, metadataSigningCertificate, ...rest } = input;
      const doc = await documentOf(metadataUrl !== undefined ? { metadataUrl } : { metadataXml: metadataXml ?? '' });
      const signingCertificate = metadataSigningCertificate ?? null;
      const d = decide(doc.xml, signingCertificate);
      return saml.create(
        tenantId,
        {
          ...rest,
          idpEntityId: d.idpEntityId,
          ssoUrl: d.ssoUrl,
          ssoBinding: d.ssoBinding,
          certificates: d.certificates,
          metadata: { url: doc.url },
          metadataSigningCertificate: signingCertificate,
        },
        actor,
      );
    },

    /**
     * Replace a connection's IdP values from new metadata (a URL given here becomes the one refreshed from; an upload
     * ends refreshing), verified with the metadata signing certificate given here, else the connection's.
     */
    async update(tenantId: Types.ObjectId, id: string, source: MetadataSource, actor: Actor, signing: MetadataSigningCertificate = {}) {
      const conn = await ofTenant(tenantId, id);
      const doc = await documentOf(source);
      return apply(conn, doc.xml, doc.url, actor, doc.url ? 'url' : 'upload', signing);
    },

    /** Fetch the connection's metadata URL again now and apply it. */
    async refresh(tenantId: Types.ObjectId, id: string, actor: Actor) {
      const conn = await ofTenant(tenantId, id);
      const url = conn.metadata?.url;
      if (!url)
        throw new OnrampError('saml_metadata_no_url', 'This connection was not set up from a metadata URL; upload its metadata or give the URL instead.', {
          status: 409,
        });
      return apply(conn, await fetchXml(url), url, actor, 'refresh');
    },

    refreshDue,
  };
}

/** Refresh due connections every `refreshMs` (nothing when 0), one round at a time, until the returned stop function is called. */
export function startSamlMetadataRefresh(metadata: Pick<SamlMetadataLibrary, 'refreshDue'>, refreshMs: number, logger: Logger): () => void {
  if (refreshMs <= 0) return () => undefined;
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    void metadata
      .refreshDue()
      .catch((err: unknown) => logger.warn({ err }, 'SAML metadata refresh round failed'))
      .finally(() => (running = false));
  }, refreshMs);
  timer.unref();
  return () => clearInterval(timer);
}

export type SamlMetadataLibrary = ReturnType<typeof createSamlMetadataLibrary>;
