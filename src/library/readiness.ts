/** One readiness check: a name and work that resolves when what it checks is fine. */
export interface ReadinessCheck {
  name: string;
  run: () => Promise<void>;
}

export interface CheckResult {
  name: string;
  ok: boolean;
  ms: number;
  /** Why it failed, in onramp's words (never a driver's message: the endpoint is public). */
  error?: string;
}

export interface ReadinessReport {
  ready: boolean;
  checks: CheckResult[];
}

class ReadinessTimeout extends Error {
  constructor(readonly ms: number) {
    super(`timed out after ${ms} ms`);
  }
}

/** How a check's failure is described: its own `no worker polls …` text, a timeout, or `unreachable`. */
const describe = (err: unknown): string => {
  if (err instanceof ReadinessTimeout) return `no answer within ${err.ms} ms`;
  if (err instanceof Error && /^no worker polls task queue [\w.-]+$/.test(err.message)) return err.message;
  return 'unreachable';
};

async function timed(check: ReadinessCheck, timeoutMs: number): Promise<CheckResult> {
  const t0 = Date.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check.run(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new ReadinessTimeout(timeoutMs)), timeoutMs);
      }),
    ]);
    return { name: check.name, ok: true, ms: Date.now() - t0 };
  } catch (err) {
    return { name: check.name, ok: false, ms: Date.now() - t0, error: describe(err) };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Readiness (`/readyz`): every check at once, each within `timeoutMs`; ready
 * when all pass. Concurrent probes share one round of checks, so a flood of
 * probes while a dependency hangs starts no more work than one.
 */
export function createReadiness(checks: readonly ReadinessCheck[], timeoutMs: number) {
  let inFlight: Promise<ReadinessReport> | null = null;
  return {
    check(): Promise<ReadinessReport> {
      inFlight ??= Promise.all(checks.map((c) => timed(c, timeoutMs)))
        .then((results) => ({ ready: results.every((r) => r.ok), checks: results }))
        .finally(() => {
          inFlight = null;
        });
      return inFlight;
    },
  };
}

export type Readiness = ReturnType<typeof createReadiness>;
