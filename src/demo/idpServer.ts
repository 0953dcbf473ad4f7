/**
 * The development demo IdP: a tiny web page where a newcomer types who they
 * are, and samlify signs a real SAML response for onramp's ACS. Development
 * only — never started by the production entry point.
 */
import type { Server } from 'node:http';
import express from 'express';
import { escapeHtml, page } from '../http/pages';
import type { SamlIdp } from './samlIdp';

export function startDemoIdpServer(idp: SamlIdp, spMetadata: () => Promise<string>, host: string, port: number): Promise<Server> {
  const app = express();
  app.use(express.urlencoded({ extended: false, limit: '64kb' }));

  app.get('/sso', (req, res) => {
    const original = `${req.protocol}://${req.get('host')}${req.originalUrl}`;
    res.type('html').send(
      page(
        'Demo IdP (development only)',
        `<p>This stands in for your company's identity provider (Okta, Entra ID…).</p>
<form method="post" action="/sso">
<input type="hidden" name="authnRequestUrl" value="${escapeHtml(original)}">
<p><label>Email <input name="email" value="sarah@superfantasy.test" size="32"></label></p>
<p><label>Name <input name="name" value="Sarah Connor" size="32"></label></p>
<p><label>Groups <input name="groups" value="admins, eng" size="32"></label> <span class="muted">(comma-separated; empty = none)</span></p>
<p><button type="submit">Sign in</button></p></form>`,
      ),
    );
  });

  app.post('/sso', async (req, res) => {
    const body = req.body as Record<string, string | undefined>;
    const email = (body.email ?? '').trim();
    const name = (body.name ?? '').trim() || email;
    const authnRequestUrl = body.authnRequestUrl ?? null;
    const groups = (body.groups ?? '')
      .split(',')
      .map((g) => g.trim())
      .filter(Boolean);
    const r = await idp.respond(await spMetadata(), authnRequestUrl, { nameId: email, email, name, groups });
    res.type('html').send(`<!doctype html><html><body onload="document.forms[0].submit()">
<form method="post" action="${escapeHtml(r.acsUrl)}"><input type="hidden" name="SAMLResponse" value="${escapeHtml(r.SAMLResponse)}">
${r.RelayState ? `<input type="hidden" name="RelayState" value="${escapeHtml(r.RelayState)}">` : ''}
<noscript><button type="submit">Continue</button></noscript></form></body></html>`);
  });

  return new Promise((resolve, reject) => {
    const server = app.listen(port, host, () => resolve(server));
    server.once('error', reject);
  });
}
