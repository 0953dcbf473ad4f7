import type { RunRef } from './runRef';

/** The ways a member reaches a tenant (DESIGN.md "Provisioning core"); sign-in and directory are built so far. */
export const PROVISIONING_SOURCES = ['signin', 'directory', 'invitation', 'import', 'admin'] as const;
export type ProvisioningSource = (typeof PROVISIONING_SOURCES)[number];

/** Who the audit names for a provisioning write: an IdP connection, a directory, an admin, onramp itself. */
export interface ProvisioningActor {
  type: 'idp' | 'directory' | 'admin' | 'system';
  id: string | null;
}

/**
 * What every write of the provisioning core names, whichever entry point
 * asked for it: the run (idempotency and audit keys), the tenant, where the
 * request came from and who acts. Activities take it spread into their input.
 */
export interface ProvisioningContext {
  run: RunRef;
  tenantId: string;
  source: ProvisioningSource;
  actor: ProvisioningActor;
}

/** A sign-in's context: the IdP connection acts; its ID also names the identity's connection. */
export function signInContext(claim: { tenantId: string; connectionId: string }, run: RunRef): ProvisioningContext & { connectionId: string } {
  return { run, tenantId: claim.tenantId, connectionId: claim.connectionId, source: 'signin', actor: { type: 'idp', id: claim.connectionId } };
}

/** A directory push's context: the directory acts (audit actor `directory:<id>`) and stands where a sign-in's connection would. */
export function directoryContext(directoryId: string, tenantId: string, run: RunRef): ProvisioningContext & { connectionId: string } {
  return { run, tenantId, connectionId: directoryId, source: 'directory', actor: { type: 'directory', id: directoryId } };
}

/**
 * The actor of an activity's input: the context's, or — for an activity task
 * scheduled by a run from before contexts existed — the IdP connection it named.
 */
export function actorOf(input: { actor?: ProvisioningActor; connectionId?: string; claim?: { connectionId: string } }): ProvisioningActor {
  return input.actor ?? { type: 'idp', id: input.connectionId ?? input.claim?.connectionId ?? null };
}
