/**
 * The server floor's workflows (bench/floor.ts): no steps at all, so what a
 * caller waits for them is the Temporal server's and the SDK's own round trip.
 */
import { condition, defineUpdate, setHandler } from '@temporalio/workflow';

export const answerUpdate = defineUpdate<string>('answer');

/** Ends at once: start → result. */
export async function bare(): Promise<string> {
  return 'done';
}

/** Answers one update at once, then ends: the shape of a sign-in's Update-with-Start, without its steps. */
export async function answered(): Promise<string> {
  let answered = false;
  setHandler(answerUpdate, () => {
    answered = true;
    return 'answered';
  });
  await condition(() => answered);
  return 'done';
}
