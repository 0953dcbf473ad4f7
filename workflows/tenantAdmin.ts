import { proxyLocalActivities, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { SA_DECISIONS, SA_OPERATION, SA_OUTCOME } from '../src/runs/searchAttributes';
import { adminWriteUpdate } from './definitions';
import { MAX_DECISIONS } from './directoryUser';
import { serveSerializedWrites } from './serializedWrites';
import { retry, writeFailure } from './steps';
import { runAdminWrite, type AdminWrite, type AdminWriteResult, type TenantAdminActivities } from './tenantAdminFlow';

export { adminWriteUpdate };

/** Short MongoDB steps, as a SCIM write's: the admin's request waits for the result. */
const steps = proxyLocalActivities<TenantAdminActivities>({
  startToCloseTimeout: '60 seconds',
  scheduleToCloseTimeout: '5 minutes',
  localRetryThreshold: '10 seconds',
  retry,
});

const operation = (w: AdminWrite): string => (w.kind === 'member' ? `${w.action} member` : 'remove group');

/**
 * One run per tenant (workflow ID `admin-<tenant>`) serves its admins'
 * lifecycle writes one at a time (serializedWrites.ts): two admins removing
 * the last two owners at once are decided one after the other, so the
 * last-owner guard holds. Each write's steps use a run reference of its own
 * (the write's id), so a write retried on a fresh run is applied once.
 */
export async function tenantAdminWorkflow(target: { tenantId: string }): Promise<void> {
  const { workflowId } = workflowInfo();
  const decisions: string[] = [];
  const apply = async (write: AdminWrite): Promise<AdminWriteResult> => {
    upsertSearchAttributes([{ key: SA_OPERATION, value: operation(write) }]);
    try {
      const result = await runAdminWrite(target.tenantId, write, { workflowId, runId: write.id }, steps, (d) => {
        decisions.push(d.slice(0, 200));
        upsertSearchAttributes([{ key: SA_DECISIONS, value: decisions.slice(-MAX_DECISIONS) }]);
      });
      upsertSearchAttributes([{ key: SA_OUTCOME, value: result.ok ? 'Done' : 'Refused' }]);
      return result;
    } catch (err) {
      upsertSearchAttributes([{ key: SA_OUTCOME, value: 'Failed' }]);
      throw writeFailure(err);
    }
  };
  await serveSerializedWrites(adminWriteUpdate, apply);
}
