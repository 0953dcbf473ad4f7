import type {} from 'vitest';

export interface ProvidedStack {
  mongoUri: string;
  /** The embedded FerretDB's backend (`postgresql` or `sqlite`); null when MONGODB_URI points elsewhere. */
  mongoBackend: 'postgresql' | 'sqlite' | null;
  temporalAddress: string;
  namespace: string;
  temporalUiUrl: string | null;
  temporalCli: string | null;
  workflowBundlePath: string;
  /** `src/bin/serve.ts` bundled into one file (test/support/entryBundle.ts), for spawned worker processes. */
  serveEntryPath: string;
  dataDir: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    stack: ProvidedStack;
  }
}
