import type { Models } from './models';

/** The most webhook endpoints the backlog gauge reads (the oldest first). */
const MAX_ENDPOINTS = 200;

/**
 * The backlogs an operator watches, each a count on an indexed filter that
 * stops at `cap` (so a scrape costs the same however much data there is):
 * approvals pending, mail waiting in the outbox, and the events each enabled
 * webhook endpoint's delivery run has not passed yet (type filters not
 * applied: an upper bound), summed.
 */
export async function readBacklogs(models: Models, cap: number): Promise<{ approvalsPending: number; webhookBacklog: number; outboxBacklog: number }> {
  const [approvalsPending, outboxBacklog, endpoints] = await Promise.all([
    models.approvalRequests.countDocuments({ status: 'pending' }, { limit: cap }),
    models.outbox.countDocuments({ status: 'pending' }, { limit: cap }),
    models.webhookEndpoints.find({ enabled: true }, { _id: 1, tenantId: 1, startAfter: 1 }).sort({ _id: 1 }).limit(MAX_ENDPOINTS).lean(),
  ]);
  const states = await models.webhookRunStates.find({ _id: { $in: endpoints.map((e) => e._id) } }, { cursor: 1 }).lean();
  const cursorOf = new Map(states.map((s) => [String(s._id), s.cursor ?? null]));
  let webhookBacklog = 0;
  for (const e of endpoints) {
    const after = cursorOf.get(String(e._id)) ?? e.startAfter;
    webhookBacklog += await models.events.countDocuments({ _id: { $gt: after }, ...(e.tenantId ? { tenantId: e.tenantId } : {}) }, { limit: cap });
  }
  return { approvalsPending, webhookBacklog, outboxBacklog };
}
