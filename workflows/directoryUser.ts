import { patched, proxyLocalActivities, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { SA_DECISIONS, SA_OPERATION, SA_OUTCOME, SA_USER } from '../src/runs/searchAttributes';
import type { ScimUserWrite, ScimWriteResult } from '../src/scim/userWrites';
import { scimUserWriteUpdate } from './definitions';
import { runDirectoryUserWrite, type DirectoryResourceTarget, type DirectoryUserActivities } from './directoryUserFlow';
import { serveSerializedWrites } from './serializedWrites';
import { retry, writeFailure } from './steps';

export { scimUserWriteUpdate };

/**
 * The directory's request waits for every step (its answer is the result):
 * short MongoDB writes, run as local activities like a sign-in's decision
 * steps. Idempotent and retried; a crash replays them.
 */
const shortSteps = proxyLocalActivities<DirectoryUserActivities>({
  startToCloseTimeout: '10 seconds',
  scheduleToCloseTimeout: '2 minutes',
  localRetryThreshold: '10 seconds',
  retry,
});

/** A status change waits for the tenant's lifecycle run, which may be carrying out another member's change first. */
const lifecycleSteps = proxyLocalActivities<Pick<DirectoryUserActivities, 'requestLifecycleChange'>>({
  startToCloseTimeout: '60 seconds',
  scheduleToCloseTimeout: '5 minutes',
  localRetryThreshold: '10 seconds',
  retry,
});

const steps: DirectoryUserActivities = new Proxy(shortSteps, {
  get: (short, name: keyof DirectoryUserActivities) => (name === 'requestLifecycleChange' ? lifecycleSteps.requestLifecycleChange : short[name]),
});

/** Runs from before directory status changes went through the tenant's lifecycle run keep their own steps on replay. */
const LIFECYCLE_THROUGH_RUN = 'directory-lifecycle-through-tenant-run';

/** A run may apply many writes: the search attribute keeps the latest decisions. */
export const MAX_DECISIONS = 20;

const OPERATION: Record<ScimUserWrite['kind'], string> = { create: 'POST User', replace: 'PUT User', patch: 'PATCH User', delete: 'DELETE User' };

/**
 * One run per directory User (workflow ID `scim-user-<directory>-<id>`):
 * writes arrive as updates and are applied one at a time, in arrival order
 * (serializedWrites.ts).
 */
export async function directoryUserWorkflow(target: DirectoryResourceTarget): Promise<void> {
  const info = workflowInfo();
  const run = { workflowId: info.workflowId, runId: info.runId };
  const decisions: string[] = [];

  const apply = async (write: ScimUserWrite): Promise<ScimWriteResult> => {
    upsertSearchAttributes([{ key: SA_OPERATION, value: OPERATION[write.kind] }]);
    try {
      const result = await runDirectoryUserWrite(
        target,
        write,
        run,
        steps,
        (d) => {
          decisions.push(d.slice(0, 200));
          upsertSearchAttributes([{ key: SA_DECISIONS, value: decisions.slice(-MAX_DECISIONS) }]);
        },
        () => patched(LIFECYCLE_THROUGH_RUN),
      );
      const outcome = !result.ok ? 'Refused' : result.status === 204 ? 'Deleted' : result.user?.resource.active === false ? 'Deactivated' : 'Provisioned';
      const userId = result.ok ? result.user?.userId : null;
      upsertSearchAttributes([{ key: SA_OUTCOME, value: outcome }, ...(userId ? [{ key: SA_USER, value: userId }] : [])]);
      return result;
    } catch (err) {
      // A step refused for good: the directory gets a 500 with the run as reference; ops find the run among failed ones.
      upsertSearchAttributes([{ key: SA_OUTCOME, value: 'Failed' }]);
      throw writeFailure(err);
    }
  };

  await serveSerializedWrites(scimUserWriteUpdate, apply);
}
