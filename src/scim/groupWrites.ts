import type { GroupAttributes } from './groups';
import type { ScimRefusal } from './userWrites';

/** A member op whose values the HTTP edge staged (scim_staged_members): the run reads them chunk by chunk. */
export interface StagedMemberOp {
  op: 'add' | 'remove' | 'replace';
  /** How many member ids, and in how many chunks (`<write id>:<op index>:<chunk>`). */
  count: number;
  chunks: number;
}

/**
 * One SCIM write to one Group, as the HTTP edge hands it to the group's run:
 * validated, its member ids staged (never in the payload). `id` names the
 * write: audit keys, staged chunks and the applied-once check use it.
 */
export type ScimGroupWrite =
  | { id: string; kind: 'create'; attributes: GroupAttributes; members: StagedMemberOp[] }
  | { id: string; kind: 'replace'; attributes: GroupAttributes; members: StagedMemberOp[] }
  | { id: string; kind: 'patch'; attributes: Partial<GroupAttributes>; members: StagedMemberOp[] }
  | { id: string; kind: 'delete' };

/** A stored Group as the workflow and the HTTP edge see it (members are read apart). */
export interface StoredScimGroup {
  id: string;
  displayName: string;
  externalId: string | null;
  groupName: string;
  version: number;
  created: string;
  lastModified: string;
}

export type ScimGroupWriteResult = { ok: true; status: 200 | 201 | 204; group: StoredScimGroup | null } | { ok: false; error: ScimRefusal };

/** A stored group document as the workflow and the HTTP edge see it (members are read apart). */
export const storedScimGroup = (doc: {
  scimId: string;
  displayName: string;
  externalId?: string | null;
  groupName: string;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}): StoredScimGroup => ({
  id: doc.scimId,
  displayName: doc.displayName,
  externalId: doc.externalId ?? null,
  groupName: doc.groupName,
  version: doc.version,
  created: doc.createdAt.toISOString(),
  lastModified: doc.updatedAt.toISOString(),
});
