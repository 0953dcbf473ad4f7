/**
 * Why an import stopped, told to the admin who reads it (GET …/imports/:id).
 * Pure: how the chunk's last attempt ended in, a reason code and the
 * product's message out — never an error's own text, which may quote a
 * driver or the file.
 */

export const IMPORT_FAILURE_REASONS = ['chunk_refused', 'chunk_retries_exhausted', 'chunk_timed_out', 'chunk_failed'] as const;
export type ImportFailureReason = (typeof IMPORT_FAILURE_REASONS)[number];

/** Temporal's retry state of the chunk's activity when it gave up (RetryState names). */
export function importFailureReason(retryState: string | null | undefined): ImportFailureReason {
  switch (retryState) {
    case 'NON_RETRYABLE_FAILURE':
      return 'chunk_refused';
    case 'MAXIMUM_ATTEMPTS_REACHED':
      return 'chunk_retries_exhausted';
    case 'TIMEOUT':
      return 'chunk_timed_out';
    default:
      return 'chunk_failed';
  }
}

const WHY: Record<ImportFailureReason, string> = {
  chunk_refused: 'were refused with an error that retrying cannot fix',
  chunk_retries_exhausted: 'kept failing until its retries were spent',
  chunk_timed_out: 'ran out of time',
  chunk_failed: 'failed',
};

/** The message stored with a failed import: which rows stopped, why, and how to go on. */
export function importFailureMessage(reason: ImportFailureReason, chunk: number, rowsPerChunk: number, errorType: string | null): string {
  const first = chunk * rowsPerChunk + 1;
  const type = errorType && /^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(errorType) ? ` (${errorType})` : '';
  return `Rows ${first}–${first + rowsPerChunk - 1} ${WHY[reason]}${type}. Rows before them are done; send the same file with the same key again to resume.`;
}
