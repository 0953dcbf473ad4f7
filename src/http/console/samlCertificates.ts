import { z } from 'zod';
import type { Router } from 'express';
import { idpCertificate } from '../admin/connectionSchemas';
import { connectionParams } from '../admin/schemas';
import { escapeHtml as e } from '../pages';
import { route } from '../route';
import { formRefused, type ConsoleContext, type ConsoleDeps } from './context';
import { hiddenCsrf } from './layout';

/** The "add a signing certificate" form (besides its CSRF field): the PEM, armored or not. */
const addForm = z.object({ certificate: z.string().max(16_000).default('') });
/** The "remove" button's form: which certificate, by its SHA-256 fingerprint. */
const removeForm = z.object({ fingerprint256: z.string().max(200).default('') });

type ShownCertificate = { fingerprint256: string; validTo: string; expired: boolean; expiresSoon: boolean };

/** A certificate's state as the console shows it: expired, expiring within 30 days, or valid. */
export const certificateState = (k: ShownCertificate): string =>
  k.expired ? '<strong class="error">expired</strong>' : k.expiresSoon ? '<strong data-expires-soon>expires within 30 days</strong>' : 'valid';

/** A SAML connection's IdP signing certificates: each with its expiry (flagged within 30 days), a remove button, and the add form. */
export function certificatesSection(base: string, certificates: ShownCertificate[], csrf: string): string {
  const rows = certificates
    .map((k) => {
      const state = certificateState(k);
      const remove = `<form class="inline" method="post" action="${base}/certificates/remove">${hiddenCsrf(csrf)}<input type="hidden" name="fingerprint256" value="${e(k.fingerprint256)}"><button type="submit" aria-label="Remove certificate ${e(k.fingerprint256)}">Remove</button></form>`;
      return `<tr data-certificate="${e(k.fingerprint256)}"><td><code>${e(k.fingerprint256)}</code></td><td>${e(k.validTo)}</td><td>${state}</td><td>${remove}</td></tr>`;
    })
    .join('');
  const add = `<form method="post" action="${base}/certificates">${hiddenCsrf(csrf)}
<p><label for="certificate">Add a signing certificate (PEM, e.g. the IdP's next certificate before it switches to it)</label><br>
<textarea id="certificate" name="certificate" rows="6" cols="70" required placeholder="-----BEGIN CERTIFICATE-----"></textarea></p>
<p><button type="submit">Add certificate</button></p></form>`;
  return `<h2>IdP signing certificates</h2><p class="muted">A response signed with any of these is accepted. Remove one once the IdP no longer signs with it.</p>
<table><thead><tr><th scope="col">SHA-256 fingerprint</th><th scope="col">Expires</th><th scope="col">State</th><th scope="col"><span class="muted">Action</span></th></tr></thead><tbody>${rows}</tbody></table>${add}`;
}

/**
 * Certificates by hand: add one (refused when it is not an X.509 certificate
 * or has expired) and remove one (never the last) — through the library's
 * certificate changes, which go through the same update as the admin API's PATCH.
 */
export function samlCertificateForms(r: Router, deps: ConsoleDeps, ctx: ConsoleContext) {
  const back = (slug: string, id: string) => `/console/t/${slug}/connections/saml/${id}`;

  r.post(
    '/console/t/:tenant/connections/saml/:connectionId/certificates',
    route({ params: connectionParams, guard: ctx.formGuard, body: addForm }, async ({ params, auth, body, req, res }) =>
      ctx.attempt(req, res, auth.tenant, 'connections', 'The certificate was not added', async () => {
        const parsed = z.object({ certificate: idpCertificate }).safeParse({ certificate: body.certificate.trim() });
        if (!parsed.success) throw formRefused(parsed.error);
        const conn = await deps.samlConnections.addCertificate(auth.tenant._id, params.connectionId, parsed.data.certificate, auth.actor);
        await ctx.flashAndGo(req, res, back(auth.tenant.slug, conn.id), 'Certificate added: responses signed with it are accepted now.');
      }),
    ),
  );

  r.post(
    '/console/t/:tenant/connections/saml/:connectionId/certificates/remove',
    route({ params: connectionParams, guard: ctx.formGuard, body: removeForm }, async ({ params, auth, body, req, res }) =>
      ctx.attempt(req, res, auth.tenant, 'connections', 'The certificate was not removed', async () => {
        const conn = await deps.samlConnections.removeCertificate(auth.tenant._id, params.connectionId, body.fingerprint256, auth.actor);
        await ctx.flashAndGo(req, res, back(auth.tenant.slug, conn.id), 'Certificate removed: responses signed with it are refused now.');
      }),
    ),
  );
}
