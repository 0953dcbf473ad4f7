import type { Connection } from 'mongoose';
import { approvalRequestModel } from './approvalRequest';
import { auditEventModel, pendingAuditModel } from './auditEvent';
import { conflictModel } from './conflict';
import { grantModel } from './grant';
import { groupModel } from './group';
import { oidcConnectionModel, oidcStateModel } from './oidcConnection';
import { eventModel } from './event';
import { webhookAttemptModel, webhookDeliveryModel, webhookEndpointChangeModel, webhookEndpointModel, webhookRunStateModel } from './webhook';
import { emailCodeModel, emailConnectionModel, outboxModel, rateSlotModel } from './emailSignIn';
import { identityModel } from './identity';
import { invitationHandoffModel, invitationModel, invitationSlotModel, invitationTokenModel } from './invitation';
import { importChunkModel, importModel, importResultModel, importTakeoverModel } from './import';
import { membershipModel } from './membership';
import { memberSearchModel, memberSearchProgressModel } from './memberSearch';
import { samlConnectionModel } from './samlConnection';
import { samlRequestModel, usedAssertionModel } from './samlState';
import { scimDirectoryModel } from './scimDirectory';
import { scimGroupMemberModel, scimGroupModel, scimStagedMembersModel } from './scimGroup';
import { directoryHoldModel, scimKeyModel, scimUserModel } from './scimResource';
import { sessionModel } from './session';
import { tenantModel, verifiedDomainModel } from './tenant';
import { documentChangeModel } from './documentChange';
import { userAttributeModel } from './userAttribute';
import { userEmailModel, userModel } from './user';

export function createModels(conn: Connection) {
  return {
    tenants: tenantModel(conn),
    documentChanges: documentChangeModel(conn),
    verifiedDomains: verifiedDomainModel(conn),
    samlConnections: samlConnectionModel(conn),
    oidcConnections: oidcConnectionModel(conn),
    oidcStates: oidcStateModel(conn),
    emailConnections: emailConnectionModel(conn),
    emailCodes: emailCodeModel(conn),
    outbox: outboxModel(conn),
    rateSlots: rateSlotModel(conn),
    users: userModel(conn),
    userEmails: userEmailModel(conn),
    userAttributes: userAttributeModel(conn),
    identities: identityModel(conn),
    memberships: membershipModel(conn),
    memberSearch: memberSearchModel(conn),
    memberSearchProgress: memberSearchProgressModel(conn),
    groups: groupModel(conn),
    grants: grantModel(conn),
    auditEvents: auditEventModel(conn),
    pendingAudits: pendingAuditModel(conn),
    conflicts: conflictModel(conn),
    approvalRequests: approvalRequestModel(conn),
    samlRequests: samlRequestModel(conn),
    usedAssertions: usedAssertionModel(conn),
    sessions: sessionModel(conn),
    scimDirectories: scimDirectoryModel(conn),
    scimUsers: scimUserModel(conn),
    scimKeys: scimKeyModel(conn),
    scimGroups: scimGroupModel(conn),
    directoryHolds: directoryHoldModel(conn),
    scimGroupMembers: scimGroupMemberModel(conn),
    scimStagedMembers: scimStagedMembersModel(conn),
    imports: importModel(conn),
    invitations: invitationModel(conn),
    invitationTokens: invitationTokenModel(conn),
    invitationHandoffs: invitationHandoffModel(conn),
    invitationSlots: invitationSlotModel(conn),
    importChunks: importChunkModel(conn),
    importResults: importResultModel(conn),
    importTakeovers: importTakeoverModel(conn),
    events: eventModel(conn),
    webhookEndpoints: webhookEndpointModel(conn),
    webhookRunStates: webhookRunStateModel(conn),
    webhookEndpointChanges: webhookEndpointChangeModel(conn),
    webhookDeliveries: webhookDeliveryModel(conn),
    webhookAttempts: webhookAttemptModel(conn),
  };
}

export type Models = ReturnType<typeof createModels>;

/** MongoDB's answer when an index of that name exists with other options (e.g. `users.email` before it became sparse). */
const INDEX_CHANGED = new Set([85 /* IndexOptionsConflict */, 86 /* IndexKeySpecsConflict */]);

/**
 * Create every collection's indexes (unique keys are what make activities
 * idempotent). An index whose definition changed between versions is
 * rebuilt to the schema's (mongoose syncIndexes); FerretDB v1 never reports
 * such a conflict.
 */
export async function ensureIndexes(models: Models): Promise<void> {
  for (const model of Object.values(models)) {
    await model.createCollection().catch(() => undefined);
    try {
      await model.createIndexes();
    } catch (err) {
      const code = typeof err === 'object' && err !== null && 'code' in err ? (err as { code: unknown }).code : null;
      if (typeof code !== 'number' || !INDEX_CHANGED.has(code)) throw err;
      await model.syncIndexes();
    }
  }
}
