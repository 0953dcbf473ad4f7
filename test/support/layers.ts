/**
 * The layer rules of docs/architecture.md as data, checked against the real
 * import graph by test/unit/layering.test.ts.
 *
 * The store is `src/store` (the only code that touches models) and the runs
 * layer `src/runs` (the only code that talks to Temporal from outside workflows).
 */

export type Layer =
  | 'domain'
  | 'foundation'
  | 'models'
  | 'store'
  | 'runs'
  | 'worker'
  | 'scim'
  | 'effects'
  | 'library'
  | 'http'
  | 'workflowMessages'
  | 'workflows'
  | 'activities'
  | 'wiring'
  | 'cli'
  | 'devtools'
  | 'bench';

/** Layer → files: a path, or a folder ending in `/**`. The first layer with a matching pattern wins. */
export const LAYERS: ReadonlyArray<readonly [Layer, readonly string[]]> = [
  ['domain', ['src/domain/**']],
  ['foundation', ['src/errors.ts', 'src/errorCodes.ts', 'src/logger.ts', 'src/config/**', 'src/crypto/**', 'src/types/**', 'src/metrics/**', 'package.json']],
  // The mongoose models: the store reaches the database through them; libraries never do.
  ['models', ['src/store/models/**']],
  ['store', ['src/store/**']],
  // The worker and the interceptors it installs; it bundles workflows/ by path.
  ['worker', ['src/runs/worker.ts', 'src/runs/activityErrors.ts', 'src/runs/faultInjection.ts']],
  ['runs', ['src/runs/**']],
  // SCIM's resource model (RFC 7643/7644): parsing, filters, patches, projections.
  ['scim', ['src/scim/**']],
  // Outbound effects that are not the store: mail outbox, webhook delivery.
  ['effects', ['src/mail/**', 'src/webhooks/**']],
  ['library', ['src/library/**']],
  ['http', ['src/http/**']],
  // Update/signal/query definitions: what a client may know of a workflow.
  ['workflowMessages', ['workflows/definitions.ts']],
  ['workflows', ['workflows/**']],
  ['activities', ['activities/**']],
  ['wiring', ['src/services.ts', 'src/bin/**']],
  ['cli', ['src/cli/**']],
  ['devtools', ['src/demo/**', 'src/devservices/**']],
  ['bench', ['bench/**']],
];

/** What a layer may import besides itself: `value` any import, `types` only `import type` / `export type`. */
export interface Allowed {
  value: readonly Layer[];
  types?: readonly Layer[];
}

const PRODUCTION: readonly Layer[] = ['domain', 'foundation', 'models', 'store', 'runs', 'scim', 'effects', 'library', 'http'];

export const ALLOWED: Record<Layer, Allowed> = {
  domain: { value: [] },
  foundation: { value: ['domain'] },
  models: { value: ['domain', 'foundation'] },
  store: { value: ['domain', 'foundation', 'models'] },
  runs: { value: ['domain', 'foundation', 'scim', 'workflowMessages'], types: ['workflows'] },
  worker: { value: ['domain', 'foundation', 'models', 'store', 'runs', 'effects', 'activities'] },
  scim: { value: ['domain', 'foundation'] },
  effects: { value: ['domain', 'foundation', 'models', 'store'] },
  library: { value: ['domain', 'foundation', 'store', 'runs', 'scim', 'effects'] },
  http: { value: ['domain', 'foundation', 'scim', 'library'] },
  workflowMessages: { value: ['domain'], types: ['workflows'] },
  workflows: { value: ['domain', 'workflowMessages'], types: ['activities'] },
  activities: { value: ['domain', 'foundation', 'store', 'scim', 'effects'] },
  wiring: { value: [...PRODUCTION, 'worker', 'cli', 'devtools'] },
  // `onramp runs` lists runs in Temporal through the runs layer; every other command calls the HTTP API.
  cli: { value: ['domain', 'foundation', 'runs'] },
  devtools: { value: PRODUCTION },
  bench: { value: [...PRODUCTION, 'wiring', 'devtools'], types: ['workflows', 'activities'] },
};

/**
 * The only packages `workflows/` may load at run time (everything else must be deterministic code of this repository).
 * `@temporalio/common`: the SDK's shared, deterministic types and failures (WorkflowExecutionAlreadyStartedError is not re-exported by the workflow package).
 */
export const WORKFLOW_PACKAGES: readonly string[] = ['@temporalio/workflow', '@temporalio/common'];

/** Packages `src/domain` may import: pure computation, no I/O, safe inside the workflow bundle. */
export const DOMAIN_PACKAGES: readonly string[] = ['punycode'];

/** `src/x/**` matches every file below `src/x`; any other pattern matches one file. */
export const matches = (pattern: string, file: string): boolean => (pattern.endsWith('/**') ? file.startsWith(pattern.slice(0, -2)) : file === pattern);

export function layerOf(file: string): Layer | undefined {
  return LAYERS.find(([, patterns]) => patterns.some((p) => matches(p, file)))?.[0];
}

/** Whether an import from layer `from` to layer `to` is allowed. */
export function allowed(from: Layer, to: Layer, typeOnly: boolean): boolean {
  if (from === to) return true;
  const rule = ALLOWED[from];
  return rule.value.includes(to) || (typeOnly && (rule.types ?? []).includes(to));
}

const WHY = {
  benchInline: 'the inline benchmark runs flows and builds activities without Temporal; it should swap Runs through createServices',
  httpModelTypes: "handlers are typed with the store's models/documents instead of a library's types",
  httpAudit: 'HTTP writes audit records through the store instead of a library',
  libraryFlowTypes: 'result types live in workflow files; they belong in src/domain or Runs',
  runsWorkflowCode: 'the client imports the workflow function from workflow code; it should start by name with `import type`',
  scimShapes: 'SCIM write shapes ride through workflows; they belong in src/domain once the core takes intents',
  searchAttributes: 'search attribute keys live in src/runs; they belong beside the workflow messages',
} as const;

/**
 * Edges that break the rules today, each with why. The test fails on any
 * other violation and on an entry here that no longer exists: the list only
 * shrinks. Fix an edge, then delete its line.
 */
export const KNOWN_VIOLATIONS: ReadonlyArray<readonly [from: string, to: string, reason: string]> = [
  ['activities/imports.ts', 'workflows/memberProvisioningFlow.ts', 'an activity runs workflow code (import rows); a patched() there would throw'],
  ['bench/inlineAdmin.ts', 'activities/provisioning.ts', WHY.benchInline],
  ['bench/inlineAdmin.ts', 'workflows/invitationAcceptanceFlow.ts', WHY.benchInline],
  ['bench/inlineDirectory.ts', 'activities/provisioning.ts', WHY.benchInline],
  ['bench/inlineDirectory.ts', 'workflows/directoryGroupFlow.ts', WHY.benchInline],
  ['bench/inlineDirectory.ts', 'workflows/directoryUserFlow.ts', WHY.benchInline],
  ['bench/inlineDirectory.ts', 'workflows/groupMembers.ts', WHY.benchInline],
  ['bench/inlineDirectory.ts', 'workflows/tenantAdminFlow.ts', WHY.benchInline],
  ['bench/inlineSignIn.ts', 'activities/provisioning.ts', WHY.benchInline],
  ['bench/inlineSignIn.ts', 'workflows/signInFlow.ts', WHY.benchInline],
  ['src/config/index.ts', 'src/webhooks/outbound.ts', "config's shape reuses a webhook delivery type; the type belongs in config"],
  ['src/config/index.ts', 'src/runs/payloadCodec.ts', "config parses codec keys with the runs layer's codec; key parsing belongs in src/crypto"],
  ['src/domain/claimBounds.ts', 'src/errors.ts', 'a pure rule throws OnrampError; it should return a refusal code'],
  ['src/http/admin/connectionRoutes.ts', 'src/store/connections.ts', 'a connection setting is written straight to the store, not through a library'],
  ['src/http/admin/connectionRoutes.ts', 'src/store/models/index.ts', WHY.httpModelTypes],
  ['src/http/admin/directoryRoutes.ts', 'src/store/models/scimDirectory.ts', 'the provider list is read from the model'],
  ['src/http/admin/routes.ts', 'src/store/models/index.ts', WHY.httpModelTypes],
  ['src/http/app.ts', 'src/store/models/index.ts', WHY.httpModelTypes],
  ['src/http/app.ts', 'src/runs/dataConverter.ts', 'the codec endpoint builds the payload codec itself; wiring should hand it in'],
  ['src/http/email/routes.ts', 'src/mail/outbox.ts', 'the email route is typed with the outbox instead of a library'],
  ['src/http/oidc/claim.ts', 'src/store/models/oidcConnection.ts', WHY.httpModelTypes],
  ['src/http/oidc/client.ts', 'src/store/models/oidcConnection.ts', WHY.httpModelTypes],
  ['src/http/oidc/routes.ts', 'src/store/models/oidcConnection.ts', WHY.httpModelTypes],
  ['src/http/saml/claim.ts', 'src/store/models/samlConnection.ts', WHY.httpModelTypes],
  ['src/http/saml/routes.ts', 'src/store/models/samlConnection.ts', WHY.httpModelTypes],
  ['src/http/saml/strategy.ts', 'src/store/models/samlConnection.ts', WHY.httpModelTypes],
  ['src/http/session.ts', 'src/store/models/index.ts', WHY.httpModelTypes],
  ['src/http/session.ts', 'src/store/sessionStore.ts', 'HTTP builds the session store itself; wiring should pass it'],
  ['src/http/signInFailure.ts', 'src/store/audit.ts', WHY.httpAudit],
  ['src/http/signInFailure.ts', 'src/store/models/index.ts', WHY.httpModelTypes],
  ['src/http/tenantAdmin.ts', 'src/store/access.ts', "an admin's tenants are read from the store, not through a library"],
  ['src/http/tenantAdmin.ts', 'src/store/audit.ts', WHY.httpAudit],
  ['src/http/tenantAdmin.ts', 'src/store/models/index.ts', WHY.httpModelTypes],
  ['src/http/tenantApi.ts', 'src/store/models/index.ts', WHY.httpModelTypes],
  ['src/library/memberLifecycle.ts', 'workflows/tenantAdminFlow.ts', WHY.libraryFlowTypes],
  ['src/library/scimGroups.ts', 'workflows/directoryGroupFlow.ts', WHY.libraryFlowTypes],
  ['src/runs/directoryClient.ts', 'workflows/directoryGroup.ts', WHY.runsWorkflowCode],
  ['src/runs/directoryClient.ts', 'workflows/directoryUser.ts', WHY.runsWorkflowCode],
  ['src/runs/importClient.ts', 'workflows/import.ts', WHY.runsWorkflowCode],
  ['src/runs/invitationClient.ts', 'workflows/invitationAcceptance.ts', WHY.runsWorkflowCode],
  ['src/runs/memberCreationClient.ts', 'workflows/memberCreation.ts', WHY.runsWorkflowCode],
  ['src/runs/signInClient.ts', 'workflows/signIn.ts', WHY.runsWorkflowCode],
  ['src/runs/tenantAdminClient.ts', 'workflows/tenantAdmin.ts', WHY.runsWorkflowCode],
  ['src/runs/updateWithStart.ts', 'workflows/serializedWrites.ts', 'the draining refusal text lives in workflow code; it belongs with the workflow messages'],
  ['src/runs/webhookClient.ts', 'workflows/webhookEndpoint.ts', WHY.runsWorkflowCode],
  ['src/webhooks/waker.ts', 'src/runs/webhookClient.ts', 'the webhook waker is typed with the webhook starter; wiring should pass it'],
  ['workflows/definitions.ts', 'src/scim/groupWrites.ts', WHY.scimShapes],
  ['workflows/definitions.ts', 'src/scim/userWrites.ts', WHY.scimShapes],
  ['workflows/directoryGroup.ts', 'src/scim/groupWrites.ts', WHY.scimShapes],
  ['workflows/directoryGroup.ts', 'src/runs/searchAttributes.ts', WHY.searchAttributes],
  ['workflows/directoryGroupFlow.ts', 'src/scim/groupWrites.ts', WHY.scimShapes],
  ['workflows/directoryGroupFlow.ts', 'src/scim/groups.ts', WHY.scimShapes],
  ['workflows/directoryGroupFlow.ts', 'src/scim/userWrites.ts', WHY.scimShapes],
  ['workflows/directoryUser.ts', 'src/scim/userWrites.ts', WHY.scimShapes],
  ['workflows/directoryUser.ts', 'src/runs/searchAttributes.ts', WHY.searchAttributes],
  ['workflows/directoryUserFlow.ts', 'src/scim/canonical.ts', WHY.scimShapes],
  ['workflows/directoryUserFlow.ts', 'src/scim/userWrites.ts', WHY.scimShapes],
  ['workflows/directoryUserFlow.ts', 'src/scim/users.ts', 'the directory flow computes SCIM user facts itself; the adapter should hand it an intent'],
  ['workflows/groupMembers.ts', 'src/scim/groupWrites.ts', WHY.scimShapes],
  ['workflows/import.ts', 'src/runs/searchAttributes.ts', WHY.searchAttributes],
  ['workflows/importApproval.ts', 'src/runs/searchAttributes.ts', WHY.searchAttributes],
  ['workflows/invitationAcceptance.ts', 'src/runs/searchAttributes.ts', WHY.searchAttributes],
  ['workflows/memberCreation.ts', 'src/runs/searchAttributes.ts', WHY.searchAttributes],
  ['workflows/signIn.ts', 'src/runs/searchAttributes.ts', WHY.searchAttributes],
  ['workflows/tenantAdmin.ts', 'src/runs/searchAttributes.ts', WHY.searchAttributes],
];
