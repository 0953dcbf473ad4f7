/**
 * Benchmark-only baseline for SCIM: the same write flows
 * (workflows/directoryUserFlow.ts, directoryGroupFlow.ts, groupMembers.ts)
 * and the same activity code against the same MongoDB, run inline in the
 * request handler — no Temporal. Writes to one resource are serialized by an
 * in-process promise chain (one web process only), as the workflow ID does
 * in the product. Not durable. Started only by bench/serveInline.ts.
 */
import { createStore } from '../src/store/store';
import { randomUUID } from 'node:crypto';
import { createProvisioningActivities } from '../activities/provisioning';
import type { LifecycleRunner } from '../activities/support';
import { runDirectoryGroupWrite } from '../workflows/directoryGroupFlow';
import { runDirectoryUserWrite } from '../workflows/directoryUserFlow';
import { runMemberWork } from '../workflows/groupMembers';
import { runAdminWrite } from '../workflows/tenantAdminFlow';
import type { Models } from '../src/store/models';
import type { Logger } from '../src/logger';
import { directoryGroupWorkflowId, directoryUserWorkflowId, type DirectoryWriter } from '../src/runs/directoryClient';

export function createInlineDirectoryWriter(models: Models, logger: Logger): DirectoryWriter {
  const tails = new Map<string, Promise<unknown>>();
  const serialized = <T>(key: string, work: () => Promise<T>): Promise<T> => {
    const result = (tails.get(key) ?? Promise.resolve()).then(work);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    tails.set(key, tail);
    void tail.then(() => {
      if (tails.get(key) === tail) tails.delete(key);
    });
    return result;
  };
  const ignore = () => undefined;
  // Directories' status changes go through the tenant's lifecycle flow, serialized per tenant as its run does.
  const lifecycle: LifecycleRunner = {
    write: (tenantId, write, id) =>
      serialized(`admin-${tenantId}`, () => runAdminWrite(tenantId, { ...write, id }, { workflowId: `admin-${tenantId}`, runId: id }, acts, ignore)),
  };
  const acts = createProvisioningActivities({ store: createStore(models), logger, lifecycle });
  return {
    writeUser(target, write) {
      const workflowId = directoryUserWorkflowId(target.directoryId, target.scimId);
      return serialized(workflowId, () => runDirectoryUserWrite(target, write, { workflowId, runId: `inline-${randomUUID()}` }, acts, ignore));
    },
    writeGroup(target, write) {
      const workflowId = directoryGroupWorkflowId(target.directoryId, target.scimId);
      const run = { workflowId, runId: `inline-${randomUUID()}` };
      const scope = { run, source: 'directory' as const, actor: { type: 'directory' as const, id: target.directoryId } };
      const fanOut = async (work: Parameters<typeof runMemberWork>[0]) => {
        for (let rest: typeof work | null = work; rest;) rest = await runMemberWork(rest, 1000, scope, acts);
      };
      return serialized(workflowId, () => runDirectoryGroupWrite(target, write, run, acts, fanOut, ignore));
    },
  };
}
