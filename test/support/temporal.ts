import type { Client } from '@temporalio/client';
import { signInWorkflowId } from '../../src/runs/signInClient';

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

interface HistoryEvent {
  markerRecordedEventAttributes?: {
    markerName?: string | null;
    details?: Record<string, { payloads?: Array<{ data?: Uint8Array | null }> | null }> | null;
  } | null;
}

/** The activity type of a local activity's marker in a history, or null for any other event. */
export function localActivityType(event: HistoryEvent): string | null {
  const marker = event.markerRecordedEventAttributes;
  if (marker?.markerName !== 'core_local_activity') return null;
  const data = marker.details?.data?.payloads?.[0]?.data;
  if (!data) return null;
  const parsed = JSON.parse(new TextDecoder().decode(data)) as { activityType?: string; activity_type?: string };
  return parsed.activityType ?? parsed.activity_type ?? null;
}
