import { X509Certificate } from 'node:crypto';
import type { Models } from './models';

/** The most webhook endpoints the backlog gauge reads (the oldest first). */
const MAX_ENDPOINTS = 200;
/** The most enabled SAML connections the certificate-expiry gauge reads (the oldest first). */
const MAX_SAML_CONNECTIONS = 1000;

/** When a stored IdP certificate (a PEM body) expires, in ms since the epoch; null when it does not parse. */
const notAfterMs = (body: string): number | null => {
  try {
    return new Date(new X509Certificate(`-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`).validTo).getTime();
  } catch {
    return null;
  }
};

/** Each enabled SAML connection's soonest-expiring IdP signing certificate (one bounded read of their certificates). */
export async function readSamlCertificateExpiries(models: Models): Promise<Array<{ tenant: string; connection: string; notAfterMs: number }>> {
  const conns = await models.samlConnections.find({ enabled: true }, { tenantId: 1, certificates: 1 }).sort({ _id: 1 }).limit(MAX_SAML_CONNECTIONS).lean();
  return conns.flatMap((c) => {
    const ends = c.certificates.map(notAfterMs).filter((t): t is number => t !== null);
    return ends.length > 0 ? [{ tenant: String(c.tenantId), connection: String(c._id), notAfterMs: Math.min(...ends) }] : [];
  });
}

/**
 * The backlogs an operator watches, each a count on an indexed filter that
 * stops at `cap` (so a scrape costs the same however much data there is):
 * approvals pending, mail waiting in the outbox, and the events each enabled
 * webhook endpoint's delivery run has not passed yet (type filters not
 * applied: an upper bound), summed — and, for the certificate-expiry gauge,
 * each enabled SAML connection's soonest-expiring IdP certificate.
 */
export async function readBacklogs(
  models: Models,
  cap: number,
): Promise<{
  approvalsPending: number;
  webhookBacklog: number;
  outboxBacklog: number;
  samlCertificateExpiries: Array<{ tenant: string; connection: string; notAfterMs: number }>;
}> {
  const [approvalsPending, outboxBacklog, endpoints, samlCertificateExpiries] = await Promise.all([
    models.approvalRequests.countDocuments({ status: 'pending' }, { limit: cap }),
    models.outbox.countDocuments({ status: 'pending' }, { limit: cap }),
    models.webhookEndpoints.find({ enabled: true }, { _id: 1, tenantId: 1, startAfter: 1 }).sort({ _id: 1 }).limit(MAX_ENDPOINTS).lean(),
    readSamlCertificateExpiries(models),
  ]);
  const states = await models.webhookRunStates.find({ _id: { $in: endpoints.map((e) => e._id) } }, { cursor: 1 }).lean();
  const cursorOf = new Map(states.map((s) => [String(s._id), s.cursor ?? null]));
  let webhookBacklog = 0;
  for (const e of endpoints) {
    const after = cursorOf.get(String(e._id)) ?? e.startAfter;
    webhookBacklog += await models.events.countDocuments({ _id: { $gt: after }, ...(e.tenantId ? { tenantId: e.tenantId } : {}) }, { limit: cap });
  }
  return { approvalsPending, webhookBacklog, outboxBacklog, samlCertificateExpiries };
}
