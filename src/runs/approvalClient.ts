import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { approvalUpdate } from '../../workflows/definitions';
import type { ApprovalVerdict } from '../domain/decision';
import { serviceUnavailable } from '../errors';
import { isRetryableUpdateRefusal } from './retryableRefusal';

export interface ApprovalSender {
  /**
   * Gives a parked run its admin's decision (an update: the run's validator
   * refuses a second one). `gone` when the run refused it or has ended.
   */
  decide(run: { workflowId: string; runId: string | null | undefined }, verdict: ApprovalVerdict): Promise<{ status: 'approved' | 'rejected' } | 'gone'>;
}

export function createApprovalSender(client: Client): ApprovalSender {
  return {
    async decide(run, verdict) {
      try {
        return await client.workflow.getHandle(run.workflowId, run.runId ?? undefined).executeUpdate(approvalUpdate, { args: [verdict] });
      } catch (err) {
        // The run refused (already decided) or has ended (expired meanwhile).
        if (err instanceof WorkflowUpdateFailedError || err instanceof WorkflowNotFoundError) return 'gone';
        // The run takes no update just now (its workflow task is failing, the cluster is busy): 503, decide again shortly.
        if (isRetryableUpdateRefusal(err)) throw serviceUnavailable(err);
        throw err;
      }
    },
  };
}
