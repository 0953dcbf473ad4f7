import { createHash, randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { memberCreationWorkflow } from '../../workflows/memberCreation';
import type { MemberResult } from '../../workflows/memberProvisioningFlow';
import type { MemberRequest } from '../domain/adminProvisioning';
import type { ProvisioningActor } from '../domain/provisioningContext';
import { OnrampError } from '../errors';
import { SA_EMAIL, SA_OPERATION, SA_OUTCOME, SA_TENANT } from './searchAttributes';
import { withDeadline } from './updateWithStart';
import type { EmailSearchValue } from './searchEmail';

const digest = (s: string) => createHash('sha256').update(s).digest('hex');

/** A request with an Idempotency-Key runs under an ID derived from it: a retry meets the same run. */
export const memberCreationWorkflowId = (tenantId: string, idempotencyKey: string | null): string =>
  `member-create-${tenantId}-${idempotencyKey === null ? randomUUID() : digest(idempotencyKey).slice(0, 32)}`;

export interface MemberCreator {
  create(tenantId: string, request: MemberRequest, actor: ProvisioningActor, idempotencyKey: string | null): Promise<MemberResult>;
}

/**
 * Starts (or meets) the member's creation run and waits for its result. The
 * run's memo holds a digest of the request: the same key with another body
 * is refused (422 `idempotency_key_reused`), as Stripe-style keys are.
 */
export function createMemberCreator(client: Client, opts: { taskQueue: string; waitMs: number; searchEmail: EmailSearchValue }): MemberCreator {
  const pending = () =>
    new OnrampError('service_unavailable', 'The member is still being created; retry with the same Idempotency-Key to read the result.', {
      status: 503,
      details: { retryAfterSeconds: 5 },
    });
  return {
    async create(tenantId, request, actor, idempotencyKey) {
      const workflowId = memberCreationWorkflowId(tenantId, idempotencyKey);
      const requestDigest = digest(JSON.stringify([tenantId, request]));
      let handle: WorkflowHandle<typeof memberCreationWorkflow>;
      try {
        handle = await client.workflow.start(memberCreationWorkflow, {
          workflowId,
          taskQueue: opts.taskQueue,
          args: [{ tenantId, request, actor }],
          workflowIdConflictPolicy: 'USE_EXISTING',
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          memo: { requestDigest },
          staticSummary: `Admin API creates ${request.email} in tenant ${tenantId}`,
          typedSearchAttributes: [
            { key: SA_TENANT, value: tenantId },
            { key: SA_EMAIL, value: opts.searchEmail(request.email) },
            { key: SA_OPERATION, value: 'create member' },
            { key: SA_OUTCOME, value: 'Running' },
          ],
        });
      } catch (err) {
        // The key's run ended already: its result is the answer.
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
        handle = client.workflow.getHandle(workflowId);
      }
      if (idempotencyKey !== null) {
        const { memo } = await handle.describe();
        if (memo?.requestDigest !== requestDigest) {
          throw new OnrampError('idempotency_key_reused', 'This Idempotency-Key was used with a different request; use a new key for a new request.', {
            status: 422,
          });
        }
      }
      return withDeadline(handle.result(), opts.waitMs, pending);
    },
  };
}
