import { isDuplicateKeyError } from '../errors';
import type { Models } from './models';

/** A change not applied this long after it was taken is its dead writer's: the next writer applies it. */
const STALE_MS = 10_000;

export type EndpointChangeKind = 'update' | 'rotate' | 'auto_disable';

const changeKey = (endpointId: string, generation: number) => `${endpointId}:${String(generation).padStart(10, '0')}`;

/**
 * Change an endpoint as its next generation: insert the change under
 * `<endpoint>:<generation+1>` (a unique key, so of concurrent writers that
 * read the same generation exactly one wins), then write `set` to the
 * endpoint. FerretDB v1 updates are not atomic, so no two writers may
 * read-modify-write the endpoint at once: this makes them take turns.
 * 'conflict': another change was taken at the same time (nothing written).
 */
export async function changeEndpoint(
  models: Models,
  endpoint: { _id: string; generation?: number | null },
  kind: EndpointChangeKind,
  set: Record<string, unknown>,
  now = new Date(),
): Promise<'applied' | 'conflict'> {
  const generation = (endpoint.generation ?? 0) + 1;
  const full = { ...set, generation };
  try {
    await models.webhookEndpointChanges.create({ _id: changeKey(endpoint._id, generation), endpointId: endpoint._id, generation, kind, set: full, at: now });
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
    await rollForward(models, endpoint._id, generation, now);
    return 'conflict';
  }
  await models.webhookEndpoints.updateOne({ _id: endpoint._id }, { $set: full });
  return 'applied';
}

/** A taken change whose writer died before writing the endpoint: applied now, so the endpoint does not stay stuck behind it. */
async function rollForward(models: Models, endpointId: string, generation: number, now: Date): Promise<void> {
  const taken = await models.webhookEndpointChanges.findById(changeKey(endpointId, generation)).lean();
  if (!taken || now.getTime() - taken.at.getTime() < STALE_MS) return;
  const current = await models.webhookEndpoints.findById(endpointId, { generation: 1 }).lean();
  if (current && (current.generation ?? 0) < generation)
    await models.webhookEndpoints.updateOne({ _id: endpointId }, { $set: taken.set as Record<string, unknown> });
}
