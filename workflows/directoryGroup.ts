import { continueAsNew, executeChild, proxyLocalActivities, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { SA_DECISIONS, SA_OPERATION, SA_OUTCOME } from '../src/runs/searchAttributes';
import type { ScimGroupWrite, ScimGroupWriteResult } from '../src/scim/groupWrites';
import { scimGroupWriteUpdate } from './definitions';
import { MAX_DECISIONS } from './directoryUser';
import { FAN_OUT_STEPS, runDirectoryGroupWrite, type DirectoryGroupActivitySet, type DirectoryGroupTarget } from './directoryGroupFlow';
import { runMemberWork, type MemberWork } from './groupMembers';
import { serveSerializedWrites } from './serializedWrites';
import { retry, writeFailure } from './steps';

export { scimGroupWriteUpdate };

/** Short MongoDB batches, as the User's steps; a batch of 500 members fits well within the timeout. */
const steps = proxyLocalActivities<DirectoryGroupActivitySet>({
  startToCloseTimeout: '60 seconds',
  scheduleToCloseTimeout: '5 minutes',
  localRetryThreshold: '10 seconds',
  retry,
});

const OPERATION: Record<ScimGroupWrite['kind'], string> = { create: 'POST Group', replace: 'PUT Group', patch: 'PATCH Group', delete: 'DELETE Group' };

/**
 * One run per directory Group (workflow ID `scim-group-<directory>-<id>`):
 * writes arrive as updates and are applied one at a time (serializedWrites.ts).
 * A write's member operations run in batches; past a budget the rest goes to
 * `groupMembersWorkflow`, a child that continues as new every
 * `fanOutSteps` batches, so no history grows with the group's size.
 */
export async function directoryGroupWorkflow(target: DirectoryGroupTarget): Promise<void> {
  const info = workflowInfo();
  const run = { workflowId: info.workflowId, runId: info.runId };
  const decisions: string[] = [];

  const fanOut = (work: MemberWork) =>
    executeChild(groupMembersWorkflow, {
      workflowId: `${info.workflowId}-members-${work.writeId}`,
      args: [work, target.fanOutSteps ?? FAN_OUT_STEPS],
      staticSummary: `Members of SCIM group ${target.scimId}, write ${work.writeId}`,
    });

  const apply = async (write: ScimGroupWrite): Promise<ScimGroupWriteResult> => {
    upsertSearchAttributes([{ key: SA_OPERATION, value: OPERATION[write.kind] }]);
    try {
      const result = await runDirectoryGroupWrite(target, write, run, steps, fanOut, (d) => {
        decisions.push(d.slice(0, 200));
        upsertSearchAttributes([{ key: SA_DECISIONS, value: decisions.slice(-MAX_DECISIONS) }]);
      });
      upsertSearchAttributes([{ key: SA_OUTCOME, value: !result.ok ? 'Refused' : result.status === 204 ? 'Deleted' : 'Provisioned' }]);
      return result;
    } catch (err) {
      upsertSearchAttributes([{ key: SA_OUTCOME, value: 'Failed' }]);
      throw writeFailure(err);
    }
  };

  await serveSerializedWrites(scimGroupWriteUpdate, apply, target.historyLimit);
}

/** The rest of a large write's member operations: `steps` batches per run, then continue-as-new with the state left. */
export async function groupMembersWorkflow(work: MemberWork, budget: number): Promise<void> {
  const info = workflowInfo();
  const rest = await runMemberWork(
    work,
    budget,
    { run: { workflowId: info.workflowId, runId: info.runId }, source: 'directory', actor: { type: 'directory', id: work.directoryId } },
    steps,
  );
  if (rest) await continueAsNew<typeof groupMembersWorkflow>(rest, budget);
}
