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
  dataDir: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    stack: ProvidedStack;
  }
}
