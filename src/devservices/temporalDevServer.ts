import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { freePort, waitFor } from './ports';
import { spawnManaged } from './process';
import { SEARCH_ATTRIBUTES } from '../runs/searchAttributes';

export interface RunningTemporal {
  address: string;
  uiUrl: string;
  namespace: string;
  stop(): Promise<void>;
}

export interface TemporalDevOptions {
  bin: string;
  /** Keep workflow state in this SQLite file across restarts; in-memory when omitted. */
  dbFile?: string;
  logDir: string;
  namespace: string;
  port?: number;
  uiPort?: number;
  /** Register onramp's search attributes at start (default true; false = a server that has never seen onramp). */
  searchAttributes?: boolean;
  /** The Web UI decodes payloads through this codec server (onramp's `/api/temporal-codec`). */
  uiCodecEndpoint?: string;
}

/** `temporal server start-dev` on loopback with its Web UI and onramp's search attributes. */
export async function startTemporalDevServer(opts: TemporalDevOptions): Promise<RunningTemporal> {
  const port = opts.port ?? (await freePort());
  const uiPort = opts.uiPort ?? (await freePort());
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--ui-port',
    String(uiPort),
    '--http-port',
    String(await freePort()),
    '--metrics-port',
    String(await freePort()),
    '--namespace',
    opts.namespace,
    '--log-level',
    'warn',
    ...(opts.dbFile ? ['--db-filename', opts.dbFile] : []),
    ...(opts.uiCodecEndpoint ? ['--ui-codec-endpoint', opts.uiCodecEndpoint] : []),
    ...(opts.searchAttributes === false ? [] : Object.entries(SEARCH_ATTRIBUTES).flatMap(([name, type]) => ['--search-attribute', `${name}=${type}`])),
  ];
  const proc = spawnManaged(opts.bin, args, join(opts.logDir, 'temporal.log'));
  proc.child.stdout?.resume();
  const address = `127.0.0.1:${port}`;
  try {
    await waitFor(
      'Temporal dev server',
      async () => {
        if (proc.child.exitCode !== null) throw new Error(`exited with ${proc.child.exitCode}; see ${opts.logDir}/temporal.log`);
        const conn = await Connection.connect({ address, connectTimeout: 1_000 });
        try {
          await conn.workflowService.describeNamespace({ namespace: opts.namespace });
        } finally {
          await conn.close();
        }
      },
      60_000,
    );
  } catch (err) {
    await proc.stop();
    throw err;
  }
  return { address, uiUrl: `http://127.0.0.1:${uiPort}`, namespace: opts.namespace, stop: () => proc.stop() };
}
