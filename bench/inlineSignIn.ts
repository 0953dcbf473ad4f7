/**
 * Benchmark-only baseline: the same sign-in flow (workflows/signInFlow.ts)
 * and the same activity code against the same MongoDB, run inline in the
 * request handler — no Temporal. Started only by bench/serveInline.ts. Not durable: a crash mid-way leaves
 * the sign-in half done until the user retries.
 */
import { createStore } from '../src/store/store';
import { randomUUID } from 'node:crypto';
import { createProvisioningActivities } from '../activities/provisioning';
import { runSignIn } from '../workflows/signInFlow';
import type { Models } from '../src/store/models';
import type { Logger } from '../src/logger';
import { signInWorkflowId, type SignInStarter } from '../src/runs/signInClient';

export function createInlineSignInStarter(models: Models, logger: Logger): SignInStarter {
  const acts = createProvisioningActivities({ store: createStore(models), logger });
  return {
    async signIn(claim) {
      const workflowId = signInWorkflowId(claim.connectionId, claim.subject);
      // Same flow; the "durable tail" simply runs before the answer here.
      const decision = await runSignIn(claim, { workflowId, runId: `inline-${randomUUID()}` }, acts, {
        progress: { phase: () => undefined, note: () => undefined, outcome: () => undefined, decided: () => undefined },
        // No durable wait without Temporal: a parked sign-in is simply not approved here.
        waits: { answer: async () => undefined, approval: async () => null, deadline: (seconds) => new Date(Date.now() + seconds * 1000).toISOString() },
      });
      return { decision, workflowId };
    },
  };
}
