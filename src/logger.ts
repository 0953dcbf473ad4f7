import { pino, type Logger } from 'pino';

export type { Logger };

/** Structured JSON logs; one logger per process, children per component. */
export function createLogger(level: string, name = 'onramp'): Logger {
  return pino({
    name,
    level,
    base: { pid: process.pid },
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', '*.SAMLResponse', '*.token'], censor: '[redacted]' },
  });
}
