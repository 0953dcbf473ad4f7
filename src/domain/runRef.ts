/** The workflow run that asks for (or wrote) something; lets a retried activity recognize its own earlier write. */
export interface RunRef {
  workflowId: string;
  runId: string;
}

export const sameRun = (a: RunRef | null | undefined, b: RunRef): boolean => !!a && a.workflowId === b.workflowId && a.runId === b.runId;
