import type { ScimResource } from './canonical';
import type { ScimType } from './errors';
import { applyPatch, type PatchOp } from './patch';
import { USER_SHAPE } from './schemas';
import { replacedUser, userFacts } from './users';

/**
 * One SCIM write to one User, as the HTTP edge hands it to the resource's
 * workflow: already validated (canonical resource, normalized PATCH). `id`
 * names the write: its audit events and stored state are keyed by it.
 */
export type ScimUserWrite =
  | { id: string; kind: 'create'; resource: ScimResource }
  | { id: string; kind: 'replace'; resource: ScimResource }
  | { id: string; kind: 'patch'; ops: PatchOp[] }
  | { id: string; kind: 'delete' };

/** A stored User as the workflow and the HTTP edge see it. */
export interface StoredScimUser {
  id: string;
  resource: ScimResource;
  userId: string | null;
  version: number;
  created: string;
  lastModified: string;
}

/** A stored user document as the workflow and the HTTP edge see it (the resource is kept as JSON text). */
export const storedScimUser = (doc: {
  scimId: string;
  resource: string;
  userId?: unknown;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}): StoredScimUser => ({
  id: doc.scimId,
  resource: JSON.parse(doc.resource) as ScimResource,
  userId: doc.userId ? String(doc.userId) : null,
  version: doc.version,
  created: doc.createdAt.toISOString(),
  lastModified: doc.updatedAt.toISOString(),
});

/** A refusal in SCIM's terms (rendered by the HTTP edge as an RFC error body). */
export interface ScimRefusal {
  status: number;
  scimType?: ScimType;
  detail: string;
  /** onramp's reason code (errorCodes.ts), for the audit and logs. */
  code: string;
}

export type ScimWriteResult = { ok: true; status: 200 | 201 | 204; user: StoredScimUser | null } | { ok: false; error: ScimRefusal };

/** The resource a write leaves, or null (DELETE); a refusal when the write cannot apply to what is stored. */
export function nextUserResource(
  current: ScimResource | null,
  write: ScimUserWrite,
): { ok: true; after: ScimResource | null } | { ok: false; error: ScimRefusal } {
  const missing = { ok: false as const, error: { status: 404, detail: 'no such User in this directory', code: 'not_found' } };
  switch (write.kind) {
    case 'create':
      return { ok: true, after: write.resource };
    case 'replace':
      return current ? { ok: true, after: replacedUser(current, write.resource) } : missing;
    case 'delete':
      return current ? { ok: true, after: null } : missing;
    case 'patch': {
      if (!current) return missing;
      try {
        const after = applyPatch(current, write.ops, USER_SHAPE);
        if (!userFacts(after).userName.trim())
          return { ok: false, error: { status: 400, scimType: 'invalidValue', detail: 'userName is required', code: 'scim_invalid_value' } };
        return { ok: true, after };
      } catch (err) {
        const e = err as { status?: number; message?: string; code?: string; details?: { scimType?: ScimType } };
        return {
          ok: false,
          error: {
            status: e.status ?? 400,
            scimType: e.details?.scimType ?? 'invalidValue',
            detail: e.message ?? 'invalid patch',
            code: e.code ?? 'scim_invalid_value',
          },
        };
      }
    }
  }
}
