import type { Connection } from 'mongoose';
import { approvalRequestModel } from './approvalRequest';
import { auditEventModel } from './auditEvent';
import { conflictModel } from './conflict';
import { grantModel } from './grant';
import { groupModel } from './group';
import { oidcConnectionModel, oidcStateModel } from './oidcConnection';
import { emailCodeModel, emailConnectionModel, outboxModel, rateSlotModel } from './emailSignIn';
import { identityModel } from './identity';
import { membershipModel } from './membership';
import { samlConnectionModel } from './samlConnection';
import { samlRequestModel, usedAssertionModel } from './samlState';
import { sessionModel } from './session';
import { tenantModel, verifiedDomainModel } from './tenant';
import { userAttributeModel } from './userAttribute';
import { userEmailModel, userModel } from './user';

export function createModels(conn: Connection) {
  return {
    tenants: tenantModel(conn),
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
    groups: groupModel(conn),
    grants: grantModel(conn),
    auditEvents: auditEventModel(conn),
    conflicts: conflictModel(conn),
    approvalRequests: approvalRequestModel(conn),
    samlRequests: samlRequestModel(conn),
    usedAssertions: usedAssertionModel(conn),
    sessions: sessionModel(conn),
  };
}

export type Models = ReturnType<typeof createModels>;

/** Create every collection's indexes (unique keys are what make activities idempotent). */
export async function ensureIndexes(models: Models): Promise<void> {
  for (const model of Object.values(models)) {
    await model.createCollection().catch(() => undefined);
    await model.createIndexes();
  }
}
