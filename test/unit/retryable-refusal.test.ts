import { Metadata, status } from '@grpc/grpc-js';
import { ServiceError, WithStartWorkflowOperation, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError, type Client } from '@temporalio/client';
import { ApplicationFailure, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/common';
import { defineUpdate } from '@temporalio/workflow';
import { describe, expect, it } from 'vitest';
import { OnrampError } from '../../src/errors';
import { isRetryableUpdateRefusal } from '../../src/runs/retryableRefusal';
import { boundedUpdateWithStart } from '../../src/runs/updateWithStart';

/** A gRPC service error as @grpc/grpc-js builds it (callErrorFromStatus): message, code, details, metadata. */
const grpcError = (code: status, details: string): Error =>
  Object.assign(new Error(`${code} ${status[code]}: ${details}`), { code, details, metadata: new Metadata() });

/** How the Temporal client hands a refused Update-with-Start on (rethrowGrpcError). */
const updateWithStartFailed = (code: status, details: string) => new ServiceError('Update-With-Start failed', { cause: grpcError(code, details) });

describe('isRetryableUpdateRefusal', () => {
  it('matches the refusals a retry gets past', () => {
    // A run whose workflow task keeps failing (a worker killed mid-task) takes no update.
    expect(
      isRetryableUpdateRefusal(
        updateWithStartFailed(status.FAILED_PRECONDITION, 'Unable to perform workflow execution update due to unexpected workflow task failure.'),
      ),
    ).toBe(true);
    // As the dev server words it (seen in test/integration/update-refusal.test.ts).
    expect(
      isRetryableUpdateRefusal(
        updateWithStartFailed(status.FAILED_PRECONDITION, 'Unable to perform workflow execution update due to Workflow Task in failed state.'),
      ),
    ).toBe(true);
    expect(isRetryableUpdateRefusal(updateWithStartFailed(status.UNAVAILABLE, 'Workflow Update was aborted.'))).toBe(true);
    expect(isRetryableUpdateRefusal(updateWithStartFailed(status.DEADLINE_EXCEEDED, 'context deadline exceeded'))).toBe(true);
    expect(isRetryableUpdateRefusal(updateWithStartFailed(status.RESOURCE_EXHAUSTED, 'namespace rate limit exceeded'))).toBe(true);
    // The server's words, whatever status carried them.
    expect(isRetryableUpdateRefusal(updateWithStartFailed(status.INTERNAL, 'workflow update was rejected because the workflow task failed'))).toBe(true);
    expect(
      isRetryableUpdateRefusal(
        new WorkflowUpdateRPCTimeoutOrCancelledError('Workflow update call timeout or cancelled', { cause: grpcError(status.CANCELLED, 'cancelled') }),
      ),
    ).toBe(true);
    expect(isRetryableUpdateRefusal(grpcError(status.UNAVAILABLE, 'connection refused'))).toBe(true);
  });

  it('leaves decisions, defects and anything not from Temporal alone', () => {
    // The workflow refused the update: a decision, answered as such.
    expect(
      isRetryableUpdateRefusal(new WorkflowUpdateFailedError('Workflow Update failed', ApplicationFailure.nonRetryable('link refused', 'link_refused'))),
    ).toBe(false);
    expect(isRetryableUpdateRefusal(updateWithStartFailed(status.INVALID_ARGUMENT, 'WorkflowIdConflictPolicy must be USE_EXISTING'))).toBe(false);
    expect(isRetryableUpdateRefusal(updateWithStartFailed(status.PERMISSION_DENIED, 'update is disabled on this namespace'))).toBe(false);
    expect(isRetryableUpdateRefusal(new WorkflowExecutionAlreadyStartedError('Workflow execution already started', 'w', 'signIn'))).toBe(false);
    expect(isRetryableUpdateRefusal(new WorkflowNotFoundError('not found', 'w', undefined))).toBe(false);
    // Text or shapes from elsewhere (an IdP's message, a plain object) never pass for Temporal's refusal.
    expect(isRetryableUpdateRefusal(new Error('FAILED_PRECONDITION: workflow task in failed state'))).toBe(false);
    expect(isRetryableUpdateRefusal(new Error('x', { cause: grpcError(status.FAILED_PRECONDITION, 'x') }))).toBe(false);
    expect(isRetryableUpdateRefusal({ code: 9, details: 'workflow task failed', metadata: {} })).toBe(false);
    expect(isRetryableUpdateRefusal(new TypeError('cannot read properties of undefined'))).toBe(false);
  });
});

describe('boundedUpdateWithStart', () => {
  const update = defineUpdate<string>('decision');
  const start = () => new WithStartWorkflowOperation('signIn', { workflowId: 'w', taskQueue: 'q', workflowIdConflictPolicy: 'USE_EXISTING' });
  const pending = () => new OnrampError('signin_pending', 'still being processed', { status: 503, expose: true });
  const clientFailingWith = (err: unknown): Client => ({ workflow: { executeUpdateWithStart: () => Promise.reject(err) } }) as unknown as Client;

  it("answers a transient refusal with the entry point's 503 code, retryable, the cause kept", async () => {
    const refusal = updateWithStartFailed(status.FAILED_PRECONDITION, 'Unable to perform workflow execution update due to unexpected workflow task failure.');
    const err = await boundedUpdateWithStart(clientFailingWith(refusal), update, [], start, 1_000, pending).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OnrampError);
    expect(err).toMatchObject({ code: 'signin_pending', status: 503, expose: true, details: { retryAfterSeconds: 5 } });
    expect((err as OnrampError).cause).toBe(refusal);
  });

  it('passes a decision and a defect on as they are', async () => {
    const decision = new WorkflowUpdateFailedError('Workflow Update failed', ApplicationFailure.nonRetryable('no', 'link_refused'));
    await expect(boundedUpdateWithStart(clientFailingWith(decision), update, [], start, 1_000, pending)).rejects.toBe(decision);
    const defect = new TypeError('boom');
    await expect(boundedUpdateWithStart(clientFailingWith(defect), update, [], start, 1_000, pending)).rejects.toBe(defect);
  });
});
