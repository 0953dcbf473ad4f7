import { proxyLocalActivities, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { MemberRequest } from '../src/domain/adminProvisioning';
import type { ProvisioningActor } from '../src/domain/provisioningContext';
import { SA_OUTCOME, SA_USER } from '../src/runs/searchAttributes';
import { provisionMember, type MemberProvisioningActivities, type MemberResult } from './memberProvisioningFlow';
import { retry, writeFailure } from './steps';

const steps = proxyLocalActivities<MemberProvisioningActivities>({
  startToCloseTimeout: '10 seconds',
  scheduleToCloseTimeout: '2 minutes',
  localRetryThreshold: '10 seconds',
  retry,
});

/**
 * One member created by the admin API (`POST …/members`). Its
 * workflow ID comes from the request's Idempotency-Key, so a retried request
 * attaches to this run — or, once it ended, reads its result — and nothing
 * is written twice.
 */
export async function memberCreationWorkflow(input: { tenantId: string; request: MemberRequest; actor: ProvisioningActor }): Promise<MemberResult> {
  const { workflowId, runId } = workflowInfo();
  try {
    const result = await provisionMember(
      input.request,
      { run: { workflowId, runId }, tenantId: input.tenantId, source: 'admin', actor: input.actor },
      'admin',
      steps,
    );
    upsertSearchAttributes([{ key: SA_OUTCOME, value: result.outcome }, ...(result.userId ? [{ key: SA_USER, value: result.userId }] : [])]);
    return result;
  } catch (err) {
    upsertSearchAttributes([{ key: SA_OUTCOME, value: 'Failed' }]);
    throw writeFailure(err);
  }
}
