import { WithStartWorkflowOperation, type Client } from '@temporalio/client';
import { directoryGroupWorkflow, scimGroupWriteUpdate } from '../../workflows/directoryGroup';
import type { DirectoryGroupTarget } from '../../workflows/directoryGroupFlow';
import { directoryUserWorkflow, scimUserWriteUpdate } from '../../workflows/directoryUser';
import type { ScimGroupWrite, ScimGroupWriteResult } from '../scim/groupWrites';
import { OnrampError } from '../errors';
import type { ScimUserWrite, ScimWriteResult } from '../scim/userWrites';
import { SA_DIRECTORY, SA_EMAIL, SA_OPERATION, SA_OUTCOME, SA_TENANT } from './searchAttributes';
import { boundedUpdateWithStart } from './updateWithStart';
import type { EmailSearchValue } from './searchEmail';

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
  /** What `OnrampEmail` holds for an address (a keyed hash unless configured otherwise). */
  searchEmail: EmailSearchValue;
}

const writePending = () =>
  new OnrampError('service_unavailable', 'The write is still being processed. Retry the request; it is applied once.', {
    status: 503,
    expose: true,
    details: { retryAfterSeconds: 5 },
  });

/** Sends each SCIM write to its resource's run (Update-with-Start) and returns the run's result. */
export function createDirectoryWriter(client: Client, { taskQueue, waitMs, workflowTaskTimeoutMs, searchEmail }: DirectoryWriterOptions): DirectoryWriter {
  /** The options of one resource's run, started if none is open: one per workflow ID, searchable by tenant, directory and operation. */
  const runOptions = (workflowId: string, summary: string, target: { tenantId: string; directoryId: string }, kind: string, email?: string | null) => ({
    workflowId,
    taskQueue,
    workflowIdConflictPolicy: 'USE_EXISTING' as const,
    workflowTaskTimeout: workflowTaskTimeoutMs,
    staticSummary: summary,
    typedSearchAttributes: [
      { key: SA_TENANT, value: target.tenantId },
      { key: SA_DIRECTORY, value: target.directoryId },
      ...(email !== undefined ? [{ key: SA_EMAIL, value: searchEmail(email) }] : []),
      { key: SA_OPERATION, value: kind },
      { key: SA_OUTCOME, value: 'Running' },
    ],
  });
  return {
    writeUser(target, write, email) {
      const workflowId = directoryUserWorkflowId(target.directoryId, target.scimId);
      const options = runOptions(workflowId, `SCIM User ${target.scimId} of directory ${target.directoryId}`, target, write.kind, email);
      const start = () => new WithStartWorkflowOperation(directoryUserWorkflow, { ...options, args: [target] });
      return boundedUpdateWithStart(client, scimUserWriteUpdate, [write], start, waitMs, writePending, write.id);
    },
    writeGroup(target, write) {
      const workflowId = directoryGroupWorkflowId(target.directoryId, target.scimId);
      const options = runOptions(workflowId, `SCIM Group ${target.scimId} of directory ${target.directoryId}`, target, write.kind);
      const start = () => new WithStartWorkflowOperation(directoryGroupWorkflow, { ...options, args: [target] });
      return boundedUpdateWithStart(client, scimGroupWriteUpdate, [write], start, waitMs, writePending, write.id);
    },
  };
}
