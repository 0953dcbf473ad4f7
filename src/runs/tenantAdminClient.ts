import { randomUUID } from 'node:crypto';
import { WithStartWorkflowOperation, type Client } from '@temporalio/client';
import { adminWriteUpdate, tenantAdminWorkflow } from '../../workflows/tenantAdmin';
import type { AdminWrite, AdminWriteResult } from '../../workflows/tenantAdminFlow';
import { OnrampError } from '../errors';
import { SA_OPERATION, SA_OUTCOME, SA_TENANT } from './searchAttributes';
import { boundedUpdateWithStart } from './updateWithStart';

/** One run per tenant serves its admins' lifecycle writes, one at a time. */
export const tenantAdminWorkflowId = (tenantId: string): string => `admin-${tenantId}`;

export type AdminWriteInput = AdminWrite extends infer W ? (W extends AdminWrite ? Omit<W, 'id'> : never) : never;

export interface TenantAdminRunner {
  /**
   * Apply one write through the tenant's lifecycle run (Update-with-Start) and
   * return its result. `id` (the update's ID) makes a re-sent write harmless;
   * a fresh one by default.
   */
  write(tenantId: string, write: AdminWriteInput, id?: string): Promise<AdminWriteResult>;
}

export function createTenantAdminRunner(client: Client, opts: { taskQueue: string; waitMs: number; workflowTaskTimeoutMs: number }): TenantAdminRunner {
  const pending = () =>
    new OnrampError('service_unavailable', 'The change is still being carried out; it completes on its own. Read the member again shortly.', {
      status: 503,
      details: { retryAfterSeconds: 5 },
    });
  return {
    write(tenantId, input, id = randomUUID()) {
      const write = { ...input, id } as AdminWrite;
      const start = () =>
        new WithStartWorkflowOperation(tenantAdminWorkflow, {
          workflowId: tenantAdminWorkflowId(tenantId),
          taskQueue: opts.taskQueue,
          workflowIdConflictPolicy: 'USE_EXISTING',
          workflowTaskTimeout: opts.workflowTaskTimeoutMs,
          staticSummary: `Admin changes to tenant ${tenantId}`,
          typedSearchAttributes: [
            { key: SA_TENANT, value: tenantId },
            { key: SA_OPERATION, value: 'admin' },
            { key: SA_OUTCOME, value: 'Running' },
          ],
          args: [{ tenantId }],
        });
      return boundedUpdateWithStart(client, adminWriteUpdate, [write], start, opts.waitMs, pending, write.id);
    },
  };
}
