import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { spawnManaged, type ManagedProcess } from './process';

export type EmbeddedBackend = 'postgresql' | 'sqlite';

export interface RunningMongo {
  uri: string;
  /** The FerretDB handler serving it. */
  backend: EmbeddedBackend;
  stop(): Promise<void>;
}

/**
 * Start the embedded FerretDB on loopback (a free port unless given): on PostgreSQL when `postgresqlUrl` is
 * given, else on SQLite files in `dataDir`; resolves with its URI.
 */
export async function startFerretDb(bin: string, dataDir: string, logDir: string, port = 0, postgresqlUrl?: string): Promise<RunningMongo> {
  const backendArgs = postgresqlUrl ? ['-postgresql-url', postgresqlUrl] : ['-data-dir', dataDir];
  const proc: ManagedProcess = spawnManaged(bin, ['-listen', `127.0.0.1:${port}`, ...backendArgs], join(logDir, 'ferretdb.log'));
  const stdout = proc.child.stdout;
  if (!stdout) throw new Error('ferretdb has no stdout');
  const lines = createInterface({ input: stdout });
  const uri = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('embedded FerretDB did not start within 30 s')), 30_000);
    proc.child.once('exit', (code) => reject(new Error(`embedded FerretDB exited with ${code}; see ${logDir}/ferretdb.log`)));
    lines.once('line', (line) => {
      clearTimeout(timer);
      try {
        resolve((JSON.parse(line) as { uri: string }).uri);
      } catch {
        reject(new Error(`unexpected FerretDB output: ${line}`));
      }
    });
  });
  lines.close();
  stdout.resume();
  return { uri, backend: postgresqlUrl ? 'postgresql' : 'sqlite', stop: () => proc.stop() };
}
