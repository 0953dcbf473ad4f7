import { Schema, type Connection, type InferSchemaType } from 'mongoose';

export const SCIM_RESOURCE_TYPES = ['User', 'Group'] as const;
export type ScimResourceType = (typeof SCIM_RESOURCE_TYPES)[number];

/** `_id` of a directory's resource: `<directoryId>:<resource id>` (a keyed read, the fast path on FerretDB v1). */
export const scimResourceKey = (directoryId: string, id: string): string => `${directoryId}:${id}`;

/**
 * A user as a directory pushed it. The SCIM resource is kept as
 * JSON text: its attribute names (extension URNs with dots and colons) come
 * from outside and never become field names. The fields beside it are
 * onramp's own: the account it provisioned, and what lookups need.
 */
export const scimUserSchema = new Schema(
  {
    _id: { type: String, required: true },
    directoryId: { type: String, required: true },
    tenantId: { type: Schema.Types.ObjectId, required: true },
    /** The SCIM `id` onramp issued. */
    scimId: { type: String, required: true },
    userName: { type: String, required: true },
    externalId: { type: String, default: null },
    /** The resource's `emails[].value`, lower-cased: `emails.value eq` is an indexed lookup (absent on Users stored before it existed). */
    emails: { type: [String], default: undefined },
    active: { type: Boolean, required: true },
    /** The canonical resource (src/scim/canonical.ts) without id and meta, as JSON. */
    resource: { type: String, required: true },
    /** The account this resource provisioned (null while it never was: inactive from the start). */
    userId: { type: Schema.Types.ObjectId, default: null },
    /** Bumped by every write: the resource's ETag version. */
    version: { type: Number, required: true, default: 1 },
    /** The write that produced this state: a retried store of the same write changes nothing. */
    lastWrite: { type: String, required: true },
    /** The ids of the last writes applied (newest last, at most RECENT_WRITES): a write seen again is answered from the stored state, not applied twice. */
    recentWrites: { type: [String], default: [] },
  },
  { timestamps: true, collection: 'scim_users' },
);
scimUserSchema.index({ directoryId: 1 });
scimUserSchema.index({ directoryId: 1, emails: 1 });
scimUserSchema.index({ directoryId: 1, updatedAt: 1 });

/** How many applied write ids a resource remembers. */
export const RECENT_WRITES = 50;

export type ScimUserDoc = InferSchemaType<typeof scimUserSchema> & { _id: string; createdAt: Date; updatedAt: Date };
export const scimUserModel = (conn: Connection) => conn.model('ScimUser', scimUserSchema);

/** `_id` of a lookup key: `<directoryId>:<type>:<attribute>:<value>`; the value is lower-cased where SCIM compares without case. */
export const scimLookupKey = (directoryId: string, type: ScimResourceType, attribute: 'userName' | 'externalId' | 'displayName', value: string): string =>
  `${directoryId}:${type}:${attribute}:${attribute === 'externalId' ? value : value.toLowerCase()}`;

/**
 * One unique value of a directory's resource (userName, externalId, a group's
 * displayName) pointing at the resource that holds it: filters on them are
 * one `_id` read, and holding one is an insert on a unique `_id` — which is
 * what makes userName unique per directory, even under concurrent POSTs.
 */
export const scimKeySchema = new Schema(
  {
    _id: { type: String, required: true },
    directoryId: { type: String, required: true },
    /** The SCIM id of the resource that holds the value. */
    target: { type: String, required: true },
  },
  { timestamps: true, collection: 'scim_keys' },
);
scimKeySchema.index({ directoryId: 1 });

export const scimKeyModel = (conn: Connection) => conn.model('ScimKey', scimKeySchema);

/**
 * A directory's word that a person is out of a tenant, when its deprovisioning
 * removed the membership (tenant setting `directorySync.deprovision: remove`):
 * `_id` is the membership key `<tenant>:<user>`, read on the sign-in path, so
 * SSO sign-ins are refused (`membership_suspended`) until the directory
 * reactivates the User — JIT cannot quietly re-add them.
 */
export const directoryHoldSchema = new Schema(
  {
    _id: { type: String, required: true },
    directoryId: { type: String, required: true },
  },
  { timestamps: true, collection: 'directory_holds' },
);

export const directoryHoldModel = (conn: Connection) => conn.model('DirectoryHold', directoryHoldSchema);
