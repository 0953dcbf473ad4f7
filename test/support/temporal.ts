import type { Client } from '@temporalio/client';
import { signInWorkflowId } from '../../src/temporal/signInClient';

/** Wait for every run of an identity's sign-in workflow to close (the durable tail included). */
export async function waitForSignInRuns(client: Client, connectionId: string, subject: string): Promise<void> {
  const handle = client.workflow.getHandle(signInWorkflowId(connectionId, subject));
  await handle.result();
}

/** Visibility is eventually consistent: poll a list query until it returns at least `min` runs. */
export async function listRuns(client: Client, query: string, min: number, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const runs = [];
    for await (const wf of client.workflow.list({ query })) runs.push(wf);
    if (runs.length >= min || Date.now() > deadline) return runs;
    await new Promise((r) => setTimeout(r, 300));
  }
}
