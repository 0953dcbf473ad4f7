import { Types } from 'mongoose';
import { DEFAULT_GROUP_SYNC } from '../domain/groups';
import type { LinkPolicy } from '../domain/linking';
import { notFound } from '../errors';
import { recordAction } from './audit';
import type { Models } from './models';
import type { OidcConnectionDoc } from './models/oidcConnection';
import type { SamlConnectionDoc } from './models/samlConnection';
import { changeDocument, type TurnModel } from './turns';

/**
 * What provisioning and the admin settings need of any connection (SAML or
 * OIDC): they live in two collections with the same policy fields.
 */
export interface ConnectionPolicyFields {
  _id: Types.ObjectId;
  tenantId: Types.ObjectId;
  enabled: boolean;
  linkPolicy?: LinkPolicy | null;
  allowedDomains?: string[] | null;
  attributeSync: 'on-first-sign-in' | 'every-sign-in';
  attributeMapping?: { custom?: unknown } | null;
  groupSync?: unknown;
  changeGeneration?: number | null;
}

export type ConnectionKind = 'saml' | 'oidc' | 'email' | 'directory';

/**
 * A connection by `_id`, whichever protocol. A caller that knows the kind (a
 * sign-in knows its protocol) reads that one collection; without it, or when
 * the hint misses, all four in parallel. A SCIM directory counts as one: it
 * keeps the account's attributes in sync with every push, links under the
 * tenant's policy, and its groups are Group resources, not a claim.
 */
export async function findConnection(models: Models, id: string, kind?: ConnectionKind): Promise<(ConnectionPolicyFields & { kind: ConnectionKind }) | null> {
  if (!Types.ObjectId.isValid(id)) return null;
  if (kind !== undefined) {
    const hinted = await readConnection(models, id, kind);
    if (hinted) return hinted;
  }
  const found = await Promise.all(CONNECTION_KINDS.filter((k) => k !== kind).map((k) => readConnection(models, id, k)));
  return found.find((c) => c !== null) ?? null;
}

const CONNECTION_KINDS: ConnectionKind[] = ['saml', 'oidc', 'email', 'directory'];

async function readConnection(models: Models, id: string, kind: ConnectionKind): Promise<(ConnectionPolicyFields & { kind: ConnectionKind }) | null> {
  switch (kind) {
    case 'saml': {
      const saml = await models.samlConnections.findById(id).lean();
      return saml ? { ...(saml as ConnectionPolicyFields), kind } : null;
    }
    case 'oidc': {
      const oidc = await models.oidcConnections.findById(id).lean();
      return oidc ? { ...(oidc as ConnectionPolicyFields), kind } : null;
    }
    case 'email': {
      const email = await models.emailConnections.findById(id).lean();
      return email ? { ...(email as ConnectionPolicyFields), kind } : null;
    }
    case 'directory': {
      const directory = await models.scimDirectories.findById(id).lean();
      if (!directory) return null;
      const { _id, tenantId, enabled } = directory;
      return {
        _id,
        tenantId,
        enabled,
        linkPolicy: null,
        allowedDomains: null,
        attributeSync: 'every-sign-in',
        groupSync: { ...DEFAULT_GROUP_SYNC, mode: 'off' },
        kind,
      };
    }
  }
}

/** The connection collections an admin changes, by kind. */
type ChangedKind = Exclude<ConnectionKind, 'directory'>;
/** What a change needs of a connection collection (each mongoose model has it). */
interface ConnectionModel extends TurnModel {
  findOne(filter: Record<string, unknown>): { lean(): PromiseLike<unknown> };
  exists(filter: Record<string, unknown>): PromiseLike<unknown>;
}
const modelOf = (models: Models, kind: ChangedKind): ConnectionModel =>
  kind === 'saml' ? models.samlConnections : kind === 'oidc' ? models.oidcConnections : models.emailConnections;

/**
 * Change a tenant's connection of `kind` in turn with every other writer of
 * it (store/turns.ts) — an admin's edit, another admin's, the scheduled
 * metadata refresh — so none undoes another: `decide` gets the connection as
 * it is and returns what to `$set` and what to answer (it is called again
 * after a lost turn). 404 when the connection is not the tenant's.
 */
export function changeConnection<D extends { changeGeneration?: number | null }, R>(
  models: Models,
  kind: ChangedKind,
  tenantId: Types.ObjectId,
  id: string,
  decide: (conn: D) => { set: Record<string, unknown>; result: R },
): Promise<R> {
  const load = async (): Promise<D> => {
    const conn = Types.ObjectId.isValid(id) ? ((await modelOf(models, kind).findOne({ _id: id, tenantId }).lean()) as D | null) : null;
    if (!conn) throw notFound(`${kind === 'saml' ? 'SAML' : kind === 'oidc' ? 'OIDC' : 'email'} connection of this tenant`);
    return conn;
  };
  return changeDocument(models, modelOf(models, kind), `${kind}_connection`, id, load, decide);
}

/** Set policy fields on a tenant's connection (whichever kind); returns the document before, or null when it is not the tenant's. */
export async function updateConnection(
  models: Models,
  tenantId: Types.ObjectId,
  id: string,
  set: Record<string, unknown>,
): Promise<(ConnectionPolicyFields & { kind: ConnectionKind }) | null> {
  if (!Types.ObjectId.isValid(id)) return null;
  for (const kind of ['saml', 'oidc', 'email'] as const) {
    if (!(await modelOf(models, kind).exists({ _id: id, tenantId }))) continue;
    const before = await changeConnection(models, kind, tenantId, id, (conn: ConnectionPolicyFields) => ({ set, result: conn }));
    return { ...before, kind };
  }
  return null;
}

/**
 * Change one policy field of a tenant's connection and audit it with the
 * value before and after; 404 when the connection is not the tenant's.
 */
export async function setConnectionSetting<K extends 'enabled' | 'attributeSync' | 'groupSync'>(
  models: Models,
  tenantId: Types.ObjectId,
  connectionId: string,
  field: K,
  value: unknown,
  action: string,
  actor: { type: 'admin'; id: string | null },
): Promise<void> {
  const before = await updateConnection(models, tenantId, connectionId, { [field]: value });
  if (!before) throw notFound('connection of this tenant');
  await recordAction(models, {
    tenantId: String(tenantId),
    actor,
    action,
    target: { type: `${before.kind}_connection`, id: connectionId },
    before: { [field]: before[field] ?? null },
    after: { [field]: value },
  });
}

/** A SAML connection as stored. */
export type SamlConnectionRow = SamlConnectionDoc;
/** An OIDC connection as stored. */
export type OidcConnectionRow = OidcConnectionDoc;

/** The connection reads and writes the libraries make, bound to the models (src/store/store.ts). */
export function createConnectionStore(models: Models) {
  return {
    /** Change a tenant's connection of `kind` in turn with its other writers (changeConnection). */
    change: <D extends { changeGeneration?: number | null }, R>(
      kind: ChangedKind,
      tenantId: Types.ObjectId,
      id: string,
      decide: (conn: D) => { set: Record<string, unknown>; result: R },
    ) => changeConnection(models, kind, tenantId, id, decide),
    /** Change one policy field of a tenant's connection and audit it (setConnectionSetting). */
    setSetting: <K extends 'enabled' | 'attributeSync' | 'groupSync'>(
      tenantId: Types.ObjectId,
      connectionId: string,
      field: K,
      value: unknown,
      action: string,
      actor: { type: 'admin'; id: string | null },
    ) => setConnectionSetting(models, tenantId, connectionId, field, value, action, actor),

    /** Insert a SAML connection. */
    createSaml: async (conn: Record<string, unknown>) => (await models.samlConnections.create(conn)).toObject() as SamlConnectionDoc & { createdAt: Date },
    /** A SAML connection by `_id` (a valid ObjectId). */
    samlById: (id: string) => models.samlConnections.findById(id).lean(),
    /** The tenant's SAML connection `id` (a valid ObjectId), or null. */
    samlOfTenant: (tenantId: Types.ObjectId, id: string) => models.samlConnections.findOne({ _id: id, tenantId }).lean(),
    /** The tenant's SAML connections, in no particular order. */
    samlsOf: (tenantId: Types.ObjectId) => models.samlConnections.find({ tenantId }).lean(),
    /** The tenant's SAML connections, oldest first. */
    samlsByAge: (tenantId: Types.ObjectId) => models.samlConnections.find({ tenantId }).sort({ createdAt: 1 }).lean(),
    /** The tenant's oldest enabled SAML connection. */
    oldestEnabledSaml: (tenantId: Types.ObjectId) => models.samlConnections.findOne({ tenantId, enabled: true }).sort({ createdAt: 1 }).lean(),
    /** Up to 100 SAML connections set up from a metadata URL whose last check is at or before `checkedBefore`. */
    samlMetadataDue: (checkedBefore: Date) =>
      models.samlConnections
        .find({ 'metadata.url': { $ne: null }, 'metadata.checkedAt': { $lte: checkedBefore } })
        .limit(100)
        .lean(),

    /** Insert an OIDC connection; a second one for the tenant's issuer throws the driver's duplicate-key error. */
    createOidc: async (conn: Record<string, unknown>) => (await models.oidcConnections.create(conn)).toObject() as OidcConnectionDoc & { createdAt: Date },
    /** An OIDC connection by `_id` (a valid ObjectId). */
    oidcById: (id: string) => models.oidcConnections.findById(id).lean(),
    /** The tenant's OIDC connection `id` (a valid ObjectId), or null. */
    oidcOfTenant: (tenantId: Types.ObjectId, id: string) => models.oidcConnections.findOne({ _id: id, tenantId }).lean(),
    /** The tenant's OIDC connections, in no particular order. */
    oidcsOf: (tenantId: Types.ObjectId) => models.oidcConnections.find({ tenantId }).lean(),
    /** The tenant's OIDC connections, oldest first. */
    oidcsByAge: (tenantId: Types.ObjectId) => models.oidcConnections.find({ tenantId }).sort({ createdAt: 1 }).lean(),
    /** The tenant's oldest enabled OIDC connection. */
    oldestEnabledOidc: (tenantId: Types.ObjectId) => models.oidcConnections.findOne({ tenantId, enabled: true }).sort({ createdAt: 1 }).lean(),
    /** findConnection: a connection by `_id`, whichever protocol (the kind, when known, read first), or null. */
    find: (id: string, kind?: ConnectionKind) => findConnection(models, id, kind),
  };
}
