/**
 * Types of the non-retryable failures activities raise on input no retry can
 * fix; the workflows' retry policies name them, and the workflow answers
 * `provisioning_failed` when one ends a step.
 */
export const FAILURE_TYPES = {
  invalidId: 'InvalidId',
  invalidEmail: 'InvalidEmail',
  databaseRefused: 'DatabaseRefused',
  stagedMembersMissing: 'StagedMembersMissing',
  webhooksNotConfigured: 'WebhooksNotConfigured',
  lifecycleNotConfigured: 'LifecycleNotConfigured',
  lifecycleRefused: 'LifecycleRefused',
} as const;
export const NON_RETRYABLE_FAILURES: string[] = Object.values(FAILURE_TYPES);
