import { createHash } from 'node:crypto';
import { WithStartWorkflowOperation, type Client } from '@temporalio/client';
import type { IdentityClaim } from '../domain/claim';
import type { SignInDecision } from '../domain/decision';
import { decisionUpdate, signInWorkflow } from '../../workflows/signIn';
import { SA_CONNECTION, SA_EMAIL, SA_OUTCOME, SA_TENANT } from './searchAttributes';
import { OnrampError } from '../errors';
import { boundedUpdateWithStart } from './updateWithStart';
import type { EmailSearchValue } from './searchEmail';

const signInPending = () =>
  new OnrampError('signin_pending', 'Your sign-in is still being processed. Please try again in a moment.', { status: 503, expose: true });

/**
 * One workflow ID per identity, so concurrent sign-ins of the same identity
 * (double click, two tabs) attach to one run. The subject is hashed: it may
 * be long or contain characters unsuitable for IDs.
 */
export function signInWorkflowId(connectionId: string, subject: string): string {
  const digest = createHash('sha256').update(subject).digest('base64url').slice(0, 22);
  return `signin-${connectionId}-${digest}`;
}

export interface SignInStarter {
  /**
   * `claim`: already within bounds (the sign-in edge, src/http/completeSignIn.ts, checks them);
   * `email`: its address normalized by the edge (domain/email.ts), or null.
   */
  signIn(claim: IdentityClaim, email: string | null): Promise<{ decision: SignInDecision; workflowId: string }>;
}

/**
 * The login waits for the decision at most `waitMs`; past that (workers down,
 * cluster overloaded) the user gets a clear "try again" answer while the run
 * carries on durably — the next attempt attaches to it.
 */
export interface SignInStarterOptions {
  taskQueue: string;
  /** How long the login waits for the decision before answering "try again" (503). */
  waitMs: number;
  /** The runs' workflow task timeout: how soon a task lost with a crashed worker goes to another. */
  workflowTaskTimeoutMs: number;
  /** What `OnrampEmail` holds for the claim's address (a keyed hash unless configured otherwise). */
  searchEmail: EmailSearchValue;
}

export function createSignInStarter(client: Client, { taskQueue, waitMs, workflowTaskTimeoutMs, searchEmail }: SignInStarterOptions): SignInStarter {
  return {
    async signIn(claim, normalizedEmail) {
      const workflowId = signInWorkflowId(claim.connectionId, claim.subject);
      const email = normalizedEmail ?? '';
      // A run that finishes between our attach and our update answers "completed"; the next attempt starts a fresh run.
      const startOperation = () =>
        new WithStartWorkflowOperation(signInWorkflow, {
          workflowId,
          taskQueue,
          args: [{ claim }],
          workflowIdConflictPolicy: 'USE_EXISTING',
          // No execution timeout: a run may wait for an approval as long as the tenant's expiry (up to 90 days);
          // its own durable timer ends that wait (approval.expired). A '1 day' timeout here killed week-long approvals.
          workflowTaskTimeout: workflowTaskTimeoutMs,
          staticSummary: `Sign-in of ${email || claim.subject} via connection ${claim.connectionId}`,
          typedSearchAttributes: [
            { key: SA_TENANT, value: claim.tenantId },
            { key: SA_CONNECTION, value: claim.connectionId },
            { key: SA_EMAIL, value: searchEmail(email) },
            { key: SA_OUTCOME, value: 'Running' },
          ],
        });
      const decision = await boundedUpdateWithStart(client, decisionUpdate, [], startOperation, waitMs, signInPending);
      return { decision, workflowId };
    },
  };
}
