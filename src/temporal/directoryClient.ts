import { WithStartWorkflowOperation, type Client } from '@temporalio/client';
import { directoryGroupWorkflow, scimGroupWriteUpdate } from '../../workflows/directoryGroup';
import type { DirectoryGroupTarget } from '../../workflows/directoryGroupFlow';
import { directoryUserWorkflow, scimUserWriteUpdate } from '../../workflows/directoryUser';
import type { ScimGroupWrite, ScimGroupWriteResult } from '../scim/groupWrites';
import { OnrampError } from '../errors';
import type { ScimUserWrite, ScimWriteResult } from '../scim/userWrites';
import { SA_DIRECTORY, SA_EMAIL, SA_OPERATION, SA_OUTCOME, SA_TENANT } from './searchAttributes';
import { boundedUpdateWithStart } from './updateWithStart';

/** One run per directory resource: writes to one User are serialized by this ID. */
export const directoryUserWorkflowId = (directoryId: string, scimId: string): string => `scim-user-${directoryId}-${scimId}`;
/** One run per directory Group. */
export const directoryGroupWorkflowId = (directoryId: string, scimId: string): string => `scim-group-${directoryId}-${scimId}`;

export interface DirectoryWriter {
  writeUser(target: { directoryId: string; tenantId: string; scimId: string }, write: ScimUserWrite, email: string | null): Promise<ScimWriteResult>;
  writeGroup(target: DirectoryGroupTarget, write: ScimGroupWrite): Promise<ScimGroupWriteResult>;
}

export interface DirectoryWriterOptions {
  taskQueue: string;
  /** How long a SCIM request waits for its write before answering "try again" (503). */
  waitMs: number;
  workflowTaskTimeoutMs: number;
}

const writePending = () =>
  new OnrampError('service_unavailable', 'The write is still being processed. Retry the request; it is applied once.', {
    status: 503,
    expose: true,
    details: { retryAfterSeconds: 5 },
  });

/** Sends each SCIM write to its resource's run (Update-with-Start) and returns the run's result. */
export function createDirectoryWriter(client: Client, { taskQueue, waitMs, workflowTaskTimeoutMs }: DirectoryWriterOptions): DirectoryWriter {
  return {
    writeUser(target, write, email) {
      const workflowId = directoryUserWorkflowId(target.directoryId, target.scimId);
      const startOperation = () =>
        new WithStartWorkflowOperation(directoryUserWorkflow, {
          workflowId,
          taskQueue,
          args: [target],
          workflowIdConflictPolicy: 'USE_EXISTING',
          workflowTaskTimeout: workflowTaskTimeoutMs,
          staticSummary: `SCIM User ${target.scimId} of directory ${target.directoryId}`,
          typedSearchAttributes: [
            { key: SA_TENANT, value: target.tenantId },
            { key: SA_DIRECTORY, value: target.directoryId },
            { key: SA_EMAIL, value: email ?? '' },
            { key: SA_OPERATION, value: write.kind },
            { key: SA_OUTCOME, value: 'Running' },
          ],
        });
      return boundedUpdateWithStart(client, scimUserWriteUpdate, [write], startOperation, waitMs, writePending, write.id);
    },
    writeGroup(target, write) {
      const workflowId = directoryGroupWorkflowId(target.directoryId, target.scimId);
      const startOperation = () =>
        new WithStartWorkflowOperation(directoryGroupWorkflow, {
          workflowId,
          taskQueue,
          args: [target],
          workflowIdConflictPolicy: 'USE_EXISTING',
          workflowTaskTimeout: workflowTaskTimeoutMs,
          staticSummary: `SCIM Group ${target.scimId} of directory ${target.directoryId}`,
          typedSearchAttributes: [
            { key: SA_TENANT, value: target.tenantId },
            { key: SA_DIRECTORY, value: target.directoryId },
            { key: SA_OPERATION, value: write.kind },
            { key: SA_OUTCOME, value: 'Running' },
          ],
        });
      return boundedUpdateWithStart(client, scimGroupWriteUpdate, [write], startOperation, waitMs, writePending, write.id);
    },
  };
}
