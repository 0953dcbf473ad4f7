import { z } from 'zod';
import type { Router } from 'express';
import { createSamlFromMetadataBody } from '../admin/connectionSchemas';
import { connectionParams, tenantParams } from '../admin/schemas';
import { escapeHtml as e } from '../pages';
import { route } from '../route';
import { blankAsAbsent, formRefused, type ConsoleContext, type ConsoleDeps } from './context';
import { dateTime, hiddenCsrf } from './layout';
import { connectionSettingForms, groupSyncSection, mappingSection } from './connectionSettings';
import { newOidcForm, oidcConnectionPages } from './oidcConnections';
import { certificatesSection, certificateState, samlCertificateForms } from './samlCertificates';
import { consoleUpload } from './upload';
import { MAX_METADATA_BYTES } from '../../domain/samlMetadata';
import { OnrampError } from '../../errors';

/** The file field of the "new SAML connection" form. */
const METADATA_FILE_FIELD = 'metadataFile';

/** The "new SAML connection" form (besides its CSRF field and the uploaded file): a name, and the IdP's metadata XML pasted or its URL. */
const fromMetadataForm = z.object({
  name: z.string().max(200).default(''),
  metadataXml: z.preprocess(blankAsAbsent, z.string().optional()),
  metadataUrl: z.preprocess(blankAsAbsent, z.string().optional()),
  metadataSigningCertificate: z.preprocess(blankAsAbsent, z.string().max(16_000).optional()),
});

const yesNo = (b: boolean) => (b ? 'enabled' : 'disabled');

/**
 * Connections: every protocol's list with its status; a SAML connection's page
 * (the SP values to give the IdP admin, its certificates with expiry, where its
 * metadata came from); a SAML connection created from the IdP's metadata (XML or
 * URL) and its metadata refreshed — through the same libraries as the admin API.
 */
export function connectionPages(r: Router, deps: ConsoleDeps, ctx: ConsoleContext) {
  const fromMetadata = createSamlFromMetadataBody(deps.allowHttpIdpUrls);
  /** The metadata document, uploaded or pasted, at most the admin API's metadata size. */
  const metadataUpload = consoleUpload(ctx, {
    field: METADATA_FILE_FIELD,
    fileSize: MAX_METADATA_BYTES,
    fieldSize: MAX_METADATA_BYTES,
    fields: 11,
    fieldsCarryTheDocument: true,
    tooLarge: () => new OnrampError('saml_metadata_too_large', `The metadata document is larger than ${MAX_METADATA_BYTES / 1024 / 1024} MB.`, { status: 413 }),
    notTheForm: 'The form was refused: it is not the metadata form (one file, its fields).',
  });

  ctx.tenantPage('connections', 'connections', {}, async ({ tenant, csrf }) => {
    const base = `/console/t/${e(tenant.slug)}/connections`;
    const rows = await deps.connections.listForTenant(tenant._id);
    const table = `<table><thead><tr><th scope="col">Name</th><th scope="col">Protocol</th><th scope="col">Status</th><th scope="col">Sign-in URL</th></tr></thead><tbody>${rows
      .map(
        (c) =>
          `<tr data-connection="${e(c.id)}"><th scope="row"><a href="${base}/${c.kind}/${e(c.id)}">${e(c.name)}</a></th><td>${c.kind.toUpperCase()}</td><td>${yesNo(c.enabled)}</td><td><code>${e(c.loginUrl)}</code></td></tr>`,
      )
      .join(
        '',
      )}<tr data-connection="email"><th scope="row">Email sign-in</th><td>Email</td><td>${yesNo(Boolean(tenant.domainJit))}</td><td class="muted">follows domain sign-up (verified domains)</td></tr></tbody></table>`;
    const create = `<h2>New SAML connection from the IdP's metadata</h2><form method="post" action="${base}/saml" enctype="multipart/form-data">${hiddenCsrf(csrf)}
<p><label>Name <input name="name" required maxlength="200" size="30"></label></p>
<p><label>Metadata file (the XML the IdP lets you download) <input name="${METADATA_FILE_FIELD}" type="file" accept=".xml,application/xml,text/xml,application/samlmetadata+xml"></label></p>
<p><label for="metadataXml">or the metadata XML (paste the document)</label><br><textarea id="metadataXml" name="metadataXml" rows="8" cols="90"></textarea></p>
<p><label>or its metadata URL <input name="metadataUrl" type="url" size="60" placeholder="https://idp.example.com/metadata"></label></p>
<p><label for="metadataSigningCertificate">Metadata signing certificate (optional, PEM): the metadata, and every refresh of it, must then be signed with it</label><br><textarea id="metadataSigningCertificate" name="metadataSigningCertificate" rows="4" cols="70" placeholder="-----BEGIN CERTIFICATE-----"></textarea></p>
<p><button type="submit">Create connection</button></p></form>`;
    return { title: 'Connections', body: table + create + newOidcForm(base, csrf) };
  });

  ctx.tenantPage('connections/saml/:connectionId', 'connections', { params: connectionParams }, async ({ tenant, params, csrf }) => {
    const [c, sync] = await Promise.all([deps.samlConnections.get(tenant._id, params.connectionId), deps.groups.groupSync(tenant._id, params.connectionId)]);
    const base = `/console/t/${e(tenant.slug)}/connections/saml/${e(c.id)}`;
    const sp = `<h2>Give these to the IdP's administrator</h2><dl>
<dt>SP metadata URL</dt><dd><code data-sp="metadataUrl">${e(c.metadataUrl)}</code></dd>
<dt>ACS URL (reply URL)</dt><dd><code data-sp="acsUrl">${e(c.acsUrl)}</code></dd>
<dt>Entity ID (audience)</dt><dd><code data-sp="spEntityId">${e(c.spEntityId)}</code></dd></dl>`;
    const idp = `<h2>Identity provider</h2><dl><dt>Status</dt><dd>${yesNo(c.enabled)}</dd><dt>Entity ID</dt><dd><code>${e(c.idpEntityId)}</code></dd>
<dt>SSO URL</dt><dd><code>${e(c.ssoUrl)}</code> (${e(c.ssoBinding)})</dd>
<dt>Metadata</dt><dd>${
      c.metadata
        ? `${c.metadata.url ? `from <code>${e(c.metadata.url)}</code>` : 'uploaded'}; applied ${dateTime(c.metadata.appliedAt)}, last read ${dateTime(c.metadata.checkedAt)}${
            c.metadata.lastError
              ? ` <span class="error">last refresh refused: ${e(c.metadata.lastError.message)} (<code>${e(c.metadata.lastError.code)}</code>)</span>`
              : ''
          }`
        : 'entered by hand'
    }</dd>${
      c.metadataSigningCertificate
        ? `<dt>Metadata signing certificate</dt><dd data-metadata-signing-certificate="${e(c.metadataSigningCertificate.fingerprint256)}"><code>${e(c.metadataSigningCertificate.fingerprint256)}</code>, expires ${e(c.metadataSigningCertificate.validTo)} (${certificateState(c.metadataSigningCertificate)}); every metadata document applied must be signed with it</dd>`
        : c.metadata
          ? '<dt>Metadata signing certificate</dt><dd class="muted">none: metadata signatures are not verified</dd>'
          : ''
    }</dl>`;
    const certs = certificatesSection(base, c.certificates, csrf);
    const actions = `<h2>Actions</h2><p><a href="${e(c.loginUrl)}">Test sign-in through this connection</a></p>${
      c.metadata?.url
        ? `<form method="post" action="${base}/metadata/refresh">${hiddenCsrf(csrf)}<button type="submit">Refresh metadata</button></form>`
        : '<p class="muted">No metadata URL to refresh from (the document was uploaded).</p>'
    }`;
    return {
      title: `SAML connection ${c.name}`,
      body: sp + idp + certs + mappingSection(base, c, csrf) + groupSyncSection(base, sync, csrf) + actions,
    };
  });

  r.post(
    '/console/t/:tenant/connections/saml',
    ...metadataUpload.handlers,
    route({ params: tenantParams, guard: ctx.formGuard, body: fromMetadataForm }, async ({ auth, body, req, res }) =>
      ctx.attempt(req, res, auth.tenant, 'connections', 'The connection was not created', async () => {
        const file = metadataUpload.take(req);
        const uploaded = file && file.buffer.length > 0 ? file.buffer.toString('utf8') : undefined;
        const pasted = body.metadataXml?.trim();
        if (uploaded !== undefined && pasted !== undefined)
          throw new OnrampError('validation_failed', 'The form was refused: give the metadata once (a file, the pasted XML or a URL).', { status: 400 });
        const parsed = fromMetadata.safeParse({
          name: body.name,
          metadataXml: uploaded ?? pasted,
          metadataUrl: body.metadataUrl?.trim(),
          ...(body.metadataSigningCertificate !== undefined ? { metadataSigningCertificate: body.metadataSigningCertificate } : {}),
        });
        if (!parsed.success) throw formRefused(parsed.error);
        const { metadataXml, metadataUrl, ...settings } = parsed.data;
        const source = metadataUrl !== undefined ? { metadataUrl } : { metadataXml: metadataXml ?? '' };
        const conn = await deps.samlMetadata.create(auth.tenant._id, { ...settings, ...source }, auth.actor);
        await ctx.flashAndGo(req, res, `/console/t/${auth.tenant.slug}/connections/saml/${conn.id}`, `Connection ${conn.name} created from the metadata.`);
      }),
    ),
  );

  samlCertificateForms(r, deps, ctx);
  oidcConnectionPages(r, deps, ctx);
  connectionSettingForms(r, deps, ctx);

  r.post(
    '/console/t/:tenant/connections/saml/:connectionId/metadata/refresh',
    route({ params: connectionParams, guard: ctx.formGuard }, async ({ params, auth, req, res }) =>
      ctx.attempt(req, res, auth.tenant, 'connections', 'The metadata was not refreshed', async () => {
        const conn = await deps.samlMetadata.refresh(auth.tenant._id, params.connectionId, auth.actor);
        await ctx.flashAndGo(req, res, `/console/t/${auth.tenant.slug}/connections/saml/${conn.id}`, 'Metadata fetched again and applied.');
      }),
    ),
  );
}
