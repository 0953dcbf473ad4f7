import { Schema, type Connection, type InferSchemaType } from 'mongoose';

/**
 * A group as a directory pushed it: its own attributes and
 * the tenant group it owns. Members are kept one document each
 * (scim_group_members), never in this document: groups have 10,000+ of them.
 * `_id`: `<directoryId>:<scim id>` (scimResourceKey). Every write to a group
 * is serialized by its workflow, so the read-modify-write of `recentWrites`
 * is safe.
 */
export const scimGroupSchema = new Schema(
  {
    _id: { type: String, required: true },
    directoryId: { type: String, required: true },
    tenantId: { type: Schema.Types.ObjectId, required: true },
    scimId: { type: String, required: true },
    displayName: { type: String, required: true },
    externalId: { type: String, default: null },
    /** The tenant group it owns (groups._id is `<tenant>:<groupName>`); its name is the displayName. */
    groupName: { type: String, required: true },
    version: { type: Number, required: true, default: 1 },
    lastWrite: { type: String, required: true },
    /** Ids of the last writes applied (see scim_users.recentWrites). */
    recentWrites: { type: [String], default: [] },
    /**
     * A rename under way: the write that recorded the new `groupName` before
     * moving its grants, and the tenant group they move from (that write run
     * again reads the group as it was). The store clears it.
     */
    renamedFrom: {
      type: new Schema({ writeId: { type: String, required: true }, groupName: { type: String, required: true } }, { _id: false }),
      default: null,
    },
  },
  { timestamps: true, collection: 'scim_groups' },
);
scimGroupSchema.index({ directoryId: 1 });

export type ScimGroupDoc = InferSchemaType<typeof scimGroupSchema> & { _id: string; createdAt: Date; updatedAt: Date };
export const scimGroupModel = (conn: Connection) => conn.model('ScimGroup', scimGroupSchema);

/** `_id` of a group member: `<directoryId>:<group scim id>:<member id>` (the member id comes last: it may hold any character). */
export const scimMemberKey = (directoryId: string, group: string, member: string): string => `${directoryId}:${group}:${member}`;

/**
 * One member of one directory group: adding is an insert on a unique `_id`,
 * removing a delete. `seenBy` is the last write that asserted it, which is
 * how a full replace finds the members it did not name without holding the
 * whole list. A group's members are read by the compound index on MongoDB
 * (on the embedded FerretDB v1 SQLite that scans, see docs/performance.md); a member's
 * groups by one keyed read per group of the directory.
 */
export const scimGroupMemberSchema = new Schema(
  {
    _id: { type: String, required: true },
    directoryId: { type: String, required: true },
    group: { type: String, required: true },
    member: { type: String, required: true },
    seenBy: { type: String, required: true },
  },
  { timestamps: true, collection: 'scim_group_members' },
);
scimGroupMemberSchema.index({ directoryId: 1, group: 1 });

export const scimGroupMemberModel = (conn: Connection) => conn.model('ScimGroupMember', scimGroupMemberSchema);

/** How many member ids one staged chunk holds. */
export const STAGED_CHUNK = 1000;
/** `_id` of a staged chunk: `<write id>:<op index>:<chunk index>`. */
export const stagedChunkKey = (writeId: string, op: number, chunk: number): string => `${writeId}:${op}:${chunk}`;

/**
 * The member ids of one write, staged by the HTTP edge in chunks before the
 * write is sent to the group's run: the run's history holds only their count,
 * so a PUT of 10,000 members is not a 10,000-member workflow payload. The run
 * deletes them once applied; `expiresAt` lets the sweeper remove those of a
 * write that never ran.
 */
export const scimStagedMembersSchema = new Schema(
  {
    _id: { type: String, required: true },
    writeId: { type: String, required: true },
    values: { type: [String], required: true },
    expiresAt: { type: Date, required: true },
  },
  { timestamps: true, collection: 'scim_staged_members' },
);
scimStagedMembersSchema.index({ writeId: 1 });

export const scimStagedMembersModel = (conn: Connection) => conn.model('ScimStagedMembers', scimStagedMembersSchema);
