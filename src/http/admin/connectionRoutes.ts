import { Router } from 'express';
import { z } from 'zod';
import { setConnectionSetting } from '../../store/connections';
import type { Models } from '../../store/models';
import type { createConnectionLibrary } from '../../library/connections';
import type { createTenantLibrary } from '../../library/tenants';
import { route } from '../route';
import { connectionParams, spKeyParams, tenantParams } from './schemas';
import {
  createOidcConnectionBody,
  createSamlConnectionBody,
  createSamlFromMetadataBody,
  metadataSourceBody,
  oidcConnectionOut,
  samlConnectionOut,
  samlSettingsBody,
} from './connectionSchemas';
import type { createSamlMetadataLibrary, MetadataSource } from '../../library/samlMetadata';
import type { OidcClients } from '../oidc/client';
import { discoveryFailure } from '../oidc/providerErrors';
import type { createSamlConnectionLibrary } from '../../library/samlConnections';
import type { createOidcConnectionLibrary } from '../../library/oidcConnections';

export interface ConnectionRouterDeps {
  models: Models;
  tenants: ReturnType<typeof createTenantLibrary>;
  connections: ReturnType<typeof createConnectionLibrary>;
  samlConnections: ReturnType<typeof createSamlConnectionLibrary>;
  oidcConnections: ReturnType<typeof createOidcConnectionLibrary>;
  samlMetadata: ReturnType<typeof createSamlMetadataLibrary>;
  oidcClients: OidcClients;
  /** Outside production an IdP may be reached over http (a local test IdP). */
  allowHttpIdpUrls: boolean;
  actor: { type: 'admin'; id: string | null };
}

const connectionOut = z.object({
  id: z.string(),
  kind: z.enum(['saml', 'oidc']),
  name: z.string(),
  enabled: z.boolean(),
  loginUrl: z.string(),
  /** SAML: which signatures a response must carry (`either`, `assertion`, `response`, `both`); null for OIDC. */
  signatures: z.string().nullable(),
});
const enabledBody = z.strictObject({ enabled: z.boolean() });

/** A tenant's connections: SAML and OIDC set-up (SP keys, discovery), and every protocol's list, enable, disable (mounted inside the admin router). */
export function connectionRouter({
  models,
  tenants,
  connections,
  samlConnections,
  oidcConnections,
  samlMetadata,
  oidcClients,
  allowHttpIdpUrls,
  actor,
}: ConnectionRouterDeps): Router {
  const r = Router();
  const tenantOf = (params: { tenant: string }) => tenants.bySlug(params.tenant);

  r.get(
    '/tenants/:tenant/connections',
    route(
      { summary: "List the tenant's connections (SAML and OIDC)", params: tenantParams, response: z.object({ data: z.array(connectionOut) }) },
      async ({ params }) => ({
        data: await connections.listForTenant((await tenantOf(params))._id),
      }),
    ),
  );

  /** Disabling stops new sign-ins through the connection at once (login and callback refuse; runs deny). */
  r.patch(
    '/tenants/:tenant/connections/:connectionId',
    route(
      { summary: 'Enable or disable a connection', params: connectionParams, body: enabledBody, response: z.object({ id: z.string(), enabled: z.boolean() }) },
      async ({ params, body }) => {
        const { enabled } = body;
        await setConnectionSetting(
          models,
          (await tenantOf(params))._id,
          params.connectionId,
          'enabled',
          enabled,
          enabled ? 'connection.enabled' : 'connection.disabled',
          actor,
        );
        return { id: params.connectionId, enabled };
      },
    ),
  );

  r.post(
    '/tenants/:tenant/connections/saml',
    route(
      { summary: 'Add a SAML connection', params: tenantParams, body: createSamlConnectionBody(allowHttpIdpUrls), response: samlConnectionOut, status: 201 },
      async ({ params, body }) => samlConnections.create((await tenantOf(params))._id, body, actor),
    ),
  );

  /** Metadata refusals: 400 (unusable document or URL), 409 (another IdP), 413 (too large), 422 (the URL yields no document). */
  const metadataErrors = [409, 413, 422] as const;
  const sourceOf = (b: { metadataXml?: string | undefined; metadataUrl?: string | undefined }): MetadataSource =>
    b.metadataUrl !== undefined ? { metadataUrl: b.metadataUrl } : { metadataXml: b.metadataXml ?? '' };

  r.post(
    '/tenants/:tenant/connections/saml/from-metadata',
    route(
      {
        summary: "Add a SAML connection from the IdP's metadata (XML or URL)",
        params: tenantParams,
        body: createSamlFromMetadataBody(allowHttpIdpUrls),
        response: samlConnectionOut,
        status: 201,
        errors: [...metadataErrors],
      },
      async ({ params, body }) => {
        const { metadataXml, metadataUrl, metadataSigningCertificate, ...settings } = body;
        return samlMetadata.create(
          (await tenantOf(params))._id,
          { ...settings, ...sourceOf({ metadataXml, metadataUrl }), metadataSigningCertificate: metadataSigningCertificate ?? null },
          actor,
        );
      },
    ),
  );

  r.put(
    '/tenants/:tenant/connections/saml/:connectionId/metadata',
    route(
      {
        summary: "Replace a SAML connection's IdP values from new metadata (XML or URL)",
        params: connectionParams,
        body: metadataSourceBody(allowHttpIdpUrls),
        response: samlConnectionOut,
        errors: [...metadataErrors],
      },
      async ({ params, body }) =>
        samlMetadata.update((await tenantOf(params))._id, params.connectionId, sourceOf(body), actor, {
          metadataSigningCertificate: body.metadataSigningCertificate,
        }),
    ),
  );

  r.post(
    '/tenants/:tenant/connections/saml/:connectionId/metadata/refresh',
    route(
      {
        summary: "Fetch a SAML connection's metadata URL again and apply it",
        params: connectionParams,
        response: samlConnectionOut,
        errors: [...metadataErrors],
      },
      async ({ params }) => samlMetadata.refresh((await tenantOf(params))._id, params.connectionId, actor),
    ),
  );

  r.get(
    '/tenants/:tenant/connections/saml/:connectionId',
    route({ summary: 'Read a SAML connection', params: connectionParams, response: samlConnectionOut }, async ({ params }) =>
      samlConnections.get((await tenantOf(params))._id, params.connectionId),
    ),
  );

  r.patch(
    '/tenants/:tenant/connections/saml/:connectionId',
    route(
      { summary: 'Change how a SAML connection validates and signs', params: connectionParams, body: samlSettingsBody, response: samlConnectionOut },
      async ({ params, body }) => samlConnections.updateSettings((await tenantOf(params))._id, params.connectionId, body, actor),
    ),
  );

  r.post(
    '/tenants/:tenant/connections/saml/:connectionId/sp-keys',
    route(
      {
        summary: 'Add an SP signing key to a SAML connection (key rotation)',
        params: connectionParams,
        response: samlConnectionOut,
        status: 201,
        errors: [409],
      },
      async ({ params }) => samlConnections.addSpKey((await tenantOf(params))._id, params.connectionId, actor),
    ),
  );

  r.post(
    '/tenants/:tenant/connections/saml/:connectionId/sp-keys/:keyId/activate',
    route({ summary: 'Make an SP signing key the one that signs AuthnRequests', params: spKeyParams, response: samlConnectionOut }, async ({ params }) =>
      samlConnections.activateSpKey((await tenantOf(params))._id, params.connectionId, params.keyId, actor),
    ),
  );

  r.delete(
    '/tenants/:tenant/connections/saml/:connectionId/sp-keys/:keyId',
    route({ summary: 'Retire an SP signing key', params: spKeyParams, response: samlConnectionOut, errors: [409] }, async ({ params }) =>
      samlConnections.retireSpKey((await tenantOf(params))._id, params.connectionId, params.keyId, actor),
    ),
  );

  r.post(
    '/tenants/:tenant/connections/oidc',
    route(
      {
        summary: "Add an OIDC connection (its issuer's discovery is tried at once)",
        params: tenantParams,
        body: createOidcConnectionBody(allowHttpIdpUrls),
        response: oidcConnectionOut.extend({
          discovery: z.enum(['ok', 'failed']),
          discoveryError: z.object({ code: z.string(), message: z.string() }).optional(),
        }),
        status: 201,
        errors: [409],
      },
      async ({ params, body }) => {
        const conn = await oidcConnections.create((await tenantOf(params))._id, body, actor);
        // Prove the issuer answers discovery now, not at someone's first sign-in; say why not.
        const doc = await oidcConnections.byId(conn.id);
        const failure = doc
          ? await oidcClients.config(doc).then(
              () => null,
              (err: unknown) => discoveryFailure(err, doc.issuer),
            )
          : null;
        return failure
          ? { ...conn, discovery: 'failed' as const, discoveryError: { code: failure.code, message: failure.message } }
          : { ...conn, discovery: 'ok' as const };
      },
    ),
  );

  return r;
}
