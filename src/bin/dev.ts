/**
 * `npm run dev` — the first README command. Starts whatever is missing
 * (embedded FerretDB, Temporal dev server + UI), the worker and the web app,
 * and a demo tenant with a demo SAML IdP so a newcomer can sign in from a
 * browser and then watch the run in the Temporal UI. Development only.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { generateIdpKeys, createSamlIdp, type IdpKeys } from '../demo/samlIdp';
import { startDemoIdpServer } from '../demo/idpServer';
import { devPayloadKey } from '../devservices/devPayloadKey';
import { startStack } from '../devservices/launcher';
import { groupKey } from '../store/models/group';
import { createServices } from '../services';
import { boot, onShutdown } from './main';

const { config: configured, logger } = boot();
if (configured.env === 'production') {
  process.stderr.write('onramp: `npm run dev` is for development; use src/bin/serve.ts in production\n');
  process.exit(2);
}
const dataDir = resolve(configured.paths.dataDir ?? '.onramp/dev');
await mkdir(dataDir, { recursive: true });

// Temporal payloads are sealed here too: with the configured keys, or a key of this dev stack kept in its data directory.
const { encryption } = configured.temporal;
const withKey = encryption.developmentKey
  ? { ...configured, temporal: { ...configured.temporal, encryption: { ...encryption, keys: [await devPayloadKey(dataDir)] } } }
  : configured;
// The dev server's Web UI decodes payloads through the web app's codec endpoint (for the operator signed in to the console).
const codecEndpoint = `${withKey.http.publicUrl}/api/temporal-codec`;
const stack = await startStack({
  config: withKey,
  dataDir,
  persistTemporal: true,
  keepPostgres: true,
  preferredTemporalPorts: { port: 7233, uiPort: 8233 },
  uiCodecEndpoint: codecEndpoint,
});
const config = {
  ...withKey,
  temporal: { ...withKey.temporal, uiOrigin: withKey.temporal.uiOrigin ?? (stack.temporalUiUrl ? new URL(stack.temporalUiUrl).origin : undefined) },
};
const services = await createServices({ config, logger, mongoUri: stack.mongoUri, temporal: stack.temporal, web: true, worker: true });

// Demo IdP with a key kept across restarts, so its connection keeps matching.
const demoIdpPort = Number(process.env.ONRAMP_DEMO_IDP_PORT ?? 3001);
const keysFile = join(dataDir, 'demo-idp-keys.json');
const keys: IdpKeys = existsSync(keysFile) ? (JSON.parse(await readFile(keysFile, 'utf8')) as IdpKeys) : generateIdpKeys('onramp demo IdP', 365);
await writeFile(keysFile, JSON.stringify(keys), { mode: 0o600 });
const idpBase = `http://${config.http.host}:${demoIdpPort}`;
const idp = createSamlIdp({ entityId: `${idpBase}/metadata`, ssoUrl: `${idpBase}/sso`, keys });

const { models } = services.db;
const { tenants, samlConnections: connections, groups } = services.libraries;
const actor = { type: 'admin' as const, id: 'dev-seed' };
const tenant =
  (await models.tenants.findOne({ slug: 'superfantasy' }).lean()) ??
  (await tenants.create({ slug: 'superfantasy', name: 'SuperFantasy', jit: { enabled: true, defaultRoles: ['member'] } }, actor));
const existing = await models.samlConnections.findOne({ tenantId: tenant._id, idpEntityId: idp.entityId }).lean();
const body = idp.certificate.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
const conn = existing
  ? connections.present(existing)
  : await connections.create(
      tenant._id,
      {
        name: 'Demo IdP',
        idpEntityId: idp.entityId,
        ssoUrl: idp.ssoUrl,
        certificates: [body],
        attributeMapping: { email: 'email', name: 'name', groups: 'groups', custom: {} },
        allowIdpInitiated: false,
        linkPolicy: null,
        allowedDomains: null,
        signatures: 'either',
        allowSha1: false,
        subjectAttribute: null,
        signAuthnRequests: true,
      },
      actor,
    );
if (existing && !existing.certificates.includes(body)) {
  await models.samlConnections.updateOne({ _id: existing._id }, { $set: { certificates: [body] } });
}
if (existing && !existing.spSigningKeys?.length) await connections.addSpKey(tenant._id, conn.id, actor); // data from before SP keys

// Demo groups: the IdP's "admins" makes a tenant admin (who can use the console), "eng" a member of engineering.
for (const g of [
  { name: 'admins', roles: ['admin'] },
  { name: 'engineering', roles: [] },
]) {
  if (!(await models.groups.findById(groupKey(String(tenant._id), g.name)).lean())) await groups.create(tenant._id, g, actor);
}
if ((await groups.groupSync(tenant._id, conn.id)).mode === 'off') {
  await groups.setGroupSync(
    tenant._id,
    conn.id,
    {
      mode: 'full',
      whenAbsent: 'keep',
      allowList: null,
      unmapped: 'ignore',
      mappings: [
        { value: 'admins', group: 'admins', roles: [] },
        { value: 'eng', group: 'engineering', roles: [] },
      ],
    },
    actor,
  );
}

const idpServer = await startDemoIdpServer(idp, async () => (await fetch(conn.metadataUrl)).text(), config.http.host, demoIdpPort);

const lines = [
  '',
  'onramp is running (development).',
  `  Web app:           ${services.url}`,
  `  Sign in (demo):    ${conn.loginUrl}`,
  `  Admin console:     ${services.url}/console  (organization "superfantasy", sign in with the demo IdP's group "admins")`,
  `  Temporal UI:       ${stack.temporalUiUrl ?? '(external cluster)'}  → Workflows, filter: OnrampTenant = "${String(tenant._id)}"`,
  `  Payloads:          sealed (key ${config.temporal.encryption.keys[0]?.id ?? 'none'}); to read them in the UI, sign in to the console with the admin token, then in the UI's codec settings tick "Include cross-origin credentials" (endpoint ${codecEndpoint})`,
  `  Admin API token:   ${config.adminTokenGenerated ? config.adminToken : '(from ONRAMP_ADMIN_TOKEN)'}`,
  `  Data directory:    ${dataDir}`,
  `  Started:           ${stack.started.join('; ') || 'nothing (all external)'}`,
  '',
  'Press Ctrl+C to stop everything that was started.',
  '',
];
process.stdout.write(lines.join('\n'));

onShutdown(async () => {
  await new Promise<void>((r) => idpServer.close(() => r()));
  await services.close();
  await stack.stop();
});
