export { signInWorkflow, decisionUpdate, stateQuery } from './signIn';
export { directoryUserWorkflow, scimUserWriteUpdate } from './directoryUser';
export { directoryGroupWorkflow, groupMembersWorkflow, scimGroupWriteUpdate } from './directoryGroup';
export { tenantAdminWorkflow, adminWriteUpdate } from './tenantAdmin';
export { memberCreationWorkflow } from './memberCreation';
export { importWorkflow, importProgressQuery } from './import';
export { importApprovalWorkflow } from './importApproval';
export { invitationAcceptanceWorkflow } from './invitationAcceptance';
export { webhookEndpointWorkflow, webhookRunQuery } from './webhookEndpoint';
