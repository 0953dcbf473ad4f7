import { z } from 'zod';
import type { Router } from 'express';
import { createOidcConnectionBody } from '../admin/connectionSchemas';
import { connectionParams, tenantParams } from '../admin/schemas';
import { discoveryFailure } from '../oidc/providerErrors';
import { escapeHtml as e } from '../pages';
import { route } from '../route';
import { formRefused, type ConsoleContext, type ConsoleDeps } from './context';
import { groupSyncSection } from './connectionSettings';
import { hiddenCsrf } from './layout';

/** The "new OIDC connection" form (besides its CSRF field): a name, the issuer, and the client registered at the provider. */
const oidcForm = z.object({
  oidcName: z.string().max(200).default(''),
  issuer: z.string().max(2048).default(''),
  clientId: z.string().max(512).default(''),
  clientSecret: z.string().max(2048).default(''),
  scopes: z.string().max(3000).default(''),
});

/** The form creating an OIDC connection from its issuer (shown on the connections page). */
export function newOidcForm(base: string, csrf: string): string {
  return `<h2>New OIDC connection from the issuer's discovery</h2><form method="post" action="${base}/oidc">${hiddenCsrf(csrf)}
<p><label>Name <input name="oidcName" required maxlength="200" size="30"></label></p>
<p><label>Issuer URL <input name="issuer" type="url" required size="60" placeholder="https://login.example.com"></label> <span class="muted">(its <code>/.well-known/openid-configuration</code> is read)</span></p>
<p><label>Client ID <input name="clientId" required maxlength="512" size="40" autocomplete="off"></label></p>
<p><label>Client secret <input name="clientSecret" type="password" required maxlength="2048" size="40" autocomplete="off"></label></p>
<p><label>Scopes <input name="scopes" value="openid email profile" maxlength="3000" size="40"></label> <span class="muted">(space-separated; add the provider's groups scope, e.g. <code>groups</code>, to receive groups)</span></p>
<p><button type="submit">Create OIDC connection</button></p></form>`;
}

/**
 * OIDC connections: one created from the issuer URL and the client the
 * provider registered (its discovery tried at once, as the admin API does:
 * a failure is reported, the connection kept), and its page with the values
 * to give the provider (the redirect URI), whether discovery answers now, and
 * a test sign-in.
 */
export function oidcConnectionPages(r: Router, deps: ConsoleDeps, ctx: ConsoleContext) {
  const discovery = async (id: string) => {
    const doc = await deps.oidcConnections.byId(id);
    if (!doc) return null;
    return deps.oidcClients.config(doc).then(
      () => null,
      (err: unknown) => discoveryFailure(err, doc.issuer),
    );
  };

  ctx.tenantPage('connections/oidc/:connectionId', 'connections', { params: connectionParams }, async ({ tenant, params, csrf }) => {
    const c = await deps.oidcConnections.get(tenant._id, params.connectionId);
    const sync = await deps.groups.groupSync(tenant._id, c.id);
    const failure = await discovery(c.id);
    const status = failure
      ? `<span class="error" data-discovery="failed">failed: ${e(failure.message)} (<code>${e(failure.code)}</code>)</span>`
      : '<span data-discovery="ok">the issuer answers</span>';
    const body = `<h2>Give these to the provider's administrator</h2><dl>
<dt>Redirect URI (callback)</dt><dd><code data-op="redirectUri">${e(c.redirectUri)}</code></dd>
<dt>Sign-in URL (initiate login)</dt><dd><code data-op="loginUrl">${e(c.loginUrl)}</code></dd></dl>
<h2>Provider</h2><dl><dt>Status</dt><dd>${c.enabled ? 'enabled' : 'disabled'}</dd><dt>Issuer</dt><dd><code>${e(c.issuer)}</code></dd>
<dt>Discovery</dt><dd>${status}</dd><dt>Client ID</dt><dd><code>${e(c.clientId)}</code></dd><dt>Scopes</dt><dd>${e(c.scopes.join(' '))}</dd>
<dt>Claims</dt><dd>email: <code>${e(c.claimMapping.email)}</code>, verified: <code>${e(c.claimMapping.emailVerified)}</code>, name: <code>${e(c.claimMapping.name)}</code>, groups: <code>${e(c.claimMapping.groups)}</code></dd></dl>
${groupSyncSection(`/console/t/${e(tenant.slug)}/connections/oidc/${e(c.id)}`, sync, csrf)}
<h2>Actions</h2><p><a href="${e(c.loginUrl)}">Test sign-in through this connection</a></p>`;
    return { title: `OIDC connection ${c.name}`, body };
  });

  r.post(
    '/console/t/:tenant/connections/oidc',
    route({ params: tenantParams, guard: ctx.formGuard, body: oidcForm }, async ({ auth, body, req, res }) =>
      ctx.attempt(req, res, auth.tenant, 'connections', 'The connection was not created', async () => {
        const parsed = createOidcConnectionBody(deps.allowHttpIdpUrls).safeParse({
          name: body.oidcName,
          issuer: body.issuer.trim(),
          clientId: body.clientId.trim(),
          clientSecret: body.clientSecret,
          ...(body.scopes.trim() ? { scopes: body.scopes.trim().split(/\s+/) } : {}),
        });
        if (!parsed.success) throw formRefused(parsed.error);
        const conn = await deps.oidcConnections.create(auth.tenant._id, parsed.data, auth.actor);
        const failure = await discovery(conn.id);
        await ctx.flashAndGo(
          req,
          res,
          `/console/t/${auth.tenant.slug}/connections/oidc/${conn.id}`,
          failure
            ? `!Connection ${conn.name} created, but the issuer's discovery failed: ${failure.message} (${failure.code}). Check the issuer URL; the page shows when it answers.`
            : `Connection ${conn.name} created: the issuer's discovery answers.`,
        );
      }),
    ),
  );
}
