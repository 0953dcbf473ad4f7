import type {} from 'vitest';

export interface ProvidedStack {
  mongoUri: string;
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
