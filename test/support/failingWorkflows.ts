/**
 * A worker that cannot run sign-ins (a bad deploy, a crash loop): every
 * workflow task of a sign-in run fails, so Temporal retries the task and,
 * after a few attempts, refuses updates to the run (FAILED_PRECONDITION).
 * Bundled by a test worker in place of the real workflows; same type name.
 */
export async function signInWorkflow(): Promise<never> {
  throw new Error('this worker cannot run sign-ins');
}

/** A directory User's run, likewise (SCIM writes go through Update-with-Start the same way). */
export async function directoryUserWorkflow(): Promise<never> {
  throw new Error('this worker cannot run directory writes');
}
