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
  /** `npm run build`'s output (src/bin/build.ts), built once per run: spawned worker processes run it with plain node. */
  builtDir: string;
  dataDir: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    stack: ProvidedStack;
  }
}
