import type { Client } from '@temporalio/client';

interface Ts {
  seconds?: { toNumber(): number } | number | null;
  nanos?: number | null;
}
const ms = (t: Ts | null | undefined): number =>
  t ? (typeof t.seconds === 'number' ? t.seconds : (t.seconds?.toNumber() ?? 0)) * 1000 + (t.nanos ?? 0) / 1e6 : 0;

export interface RunProfile {
  runs: number;
  /** Median ms from workflow start to the decision update's completion. */
  startToDecisionMs: number;
  /** Median ms from workflow start to close (decision + durable tail). */
  startToCloseMs: number;
  /** Per activity type: median ms waiting in the task queue and executing. */
  activities: Record<string, { queueMs: number; execMs: number }>;
  /** Median share of start→decision spent in (regular) activity round trips. */
  activityShareOfDecision: number;
  /** Median local-activity markers recorded before the decision (steps run inside the workflow task). */
  localActivitiesBeforeDecision: number;
  /** Median workflow tasks (server round trips of the workflow itself) before the decision. */
  workflowTasksBeforeDecision: number;
  /** Median ms a workflow task waited between scheduled and started. */
  workflowTaskQueueMs: number;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? Math.round((s[Math.floor(s.length / 2)] ?? 0) * 10) / 10 : 0;
};

/** Read the event histories of sample runs: where the time of a durable sign-in goes, measured. */
export async function profileRuns(client: Client, workflowIds: string[]): Promise<RunProfile> {
  const toDecision: number[] = [];
  const toClose: number[] = [];
  const shares: number[] = [];
  const acts: Record<string, { queue: number[]; exec: number[] }> = {};
  const markers: number[] = [];
  const wfTasks: number[] = [];
  const wfQueue: number[] = [];
  for (const id of workflowIds) {
    const history = await client.workflow.getHandle(id).fetchHistory();
    const events = history.events ?? [];
    const start = ms(events[0]?.eventTime);
    const scheduled = new Map<string, { type: string; at: number; startedAt?: number }>();
    let decisionAt = 0;
    let closeAt = 0;
    let execBeforeDecision = 0;
    let markerCount = 0;
    let taskCount = 0;
    let wfScheduledAt = 0;
    for (const e of events) {
      const at = ms(e.eventTime);
      const eid = String(e.eventId);
      switch (e.eventType) {
        case 10: // ACTIVITY_TASK_SCHEDULED
          scheduled.set(eid, { type: e.activityTaskScheduledEventAttributes?.activityType?.name ?? '?', at });
          break;
        case 11: {
          // ACTIVITY_TASK_STARTED
          const s = scheduled.get(String(e.activityTaskStartedEventAttributes?.scheduledEventId));
          if (s) s.startedAt = at;
          break;
        }
        case 12: {
          // ACTIVITY_TASK_COMPLETED
          const s = scheduled.get(String(e.activityTaskCompletedEventAttributes?.scheduledEventId));
          if (s?.startedAt) {
            const a = (acts[s.type] ??= { queue: [], exec: [] });
            a.queue.push(s.startedAt - s.at);
            a.exec.push(at - s.startedAt);
            if (!decisionAt) execBeforeDecision += at - s.at;
          }
          break;
        }
        case 5: // WORKFLOW_TASK_SCHEDULED
          wfScheduledAt = at;
          break;
        case 6: // WORKFLOW_TASK_STARTED
          if (wfScheduledAt) wfQueue.push(at - wfScheduledAt);
          break;
        case 7: // WORKFLOW_TASK_COMPLETED
          if (!decisionAt) taskCount++;
          break;
        case 25: // MARKER_RECORDED (a local activity)
          if (!decisionAt) markerCount++;
          break;
        case 43: // WORKFLOW_EXECUTION_UPDATE_COMPLETED
          if (!decisionAt) decisionAt = at;
          break;
        case 2: // WORKFLOW_EXECUTION_COMPLETED
          closeAt = at;
          break;
      }
    }
    if (decisionAt) {
      toDecision.push(decisionAt - start);
      shares.push(execBeforeDecision / Math.max(1, decisionAt - start));
    }
    if (closeAt) toClose.push(closeAt - start);
    markers.push(markerCount);
    wfTasks.push(taskCount);
  }
  return {
    runs: workflowIds.length,
    startToDecisionMs: median(toDecision),
    startToCloseMs: median(toClose),
    activities: Object.fromEntries(Object.entries(acts).map(([k, v]) => [k, { queueMs: median(v.queue), execMs: median(v.exec) }])),
    activityShareOfDecision: Math.round(median(shares) * 100) / 100,
    localActivitiesBeforeDecision: median(markers),
    workflowTasksBeforeDecision: median(wfTasks),
    workflowTaskQueueMs: median(wfQueue),
  };
}
