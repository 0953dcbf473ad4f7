/**
 * The provisioning activities: one module per concern, built from one
 * support object (activities/support.ts). Each is idempotent: effects are
 * inserts or upserts on unique keys that remember the run that created them,
 * and audit events have deterministic keys, so a retry (after a worker crash,
 * a timeout, a lost completion) converges on the same state without writing
 * anything twice.
 */
import { accountsActivities } from './accounts';
import { adminProvisioningActivities } from './adminProvisioning';
import { approvalsActivities } from './approvals';
import { directoryActivities } from './directory';
import { directoryGroupMemberActivities } from './directoryGroupMembers';
import { directoryGroupActivities } from './directoryGroups';
import { attributesActivities } from './attributes';
import { grantsActivities } from './grants';
import { importActivities } from './imports';
import { invitationActivities } from './invitations';
import { lifecycleActivities } from './lifecycle';
import { membershipsActivities } from './memberships';
import { outcomesActivities } from './outcomes';
import { stateActivities } from './state';
import { webhookActivities } from './webhooks';
import { activitySupport, type ProvisioningDeps } from './support';

export type { ApprovalKind, PlannedAccess } from './approvals';
export type { GrantRefusal } from './grants';
export type { ProvisioningDeps, RunScoped, WebhookDeliveryDeps } from './support';

export function createProvisioningActivities(deps: ProvisioningDeps) {
  const support = activitySupport(deps);
  // What an admin's member requests run through (imports call it directly, workflows as activities).
  const core = {
    ...stateActivities(support),
    ...accountsActivities(support),
    ...membershipsActivities(support),
    ...grantsActivities(support),
    ...lifecycleActivities(support),
    ...adminProvisioningActivities(support),
  };
  return {
    ...core,
    ...attributesActivities(support),
    ...approvalsActivities(support),
    ...outcomesActivities(support),
    ...directoryActivities(support),
    ...directoryGroupActivities(support),
    ...directoryGroupMemberActivities(support),
    ...importActivities(support, core),
    ...invitationActivities(support),
    ...webhookActivities(support),
  };
}

export type ProvisioningActivities = ReturnType<typeof createProvisioningActivities>;
