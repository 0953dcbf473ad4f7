import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../config';
import { connectClient, type TemporalTarget } from '../runs/connection';
import { temporalDataConverter } from '../runs/dataConverter';
import { prepareSearchAttributes } from '../runs/searchAttributeSetup';
import { startEmbeddedMongo } from './embeddedMongo';
import type { EmbeddedBackend } from './ferretdbServer';
import { ensureFerretDb, ensureTemporalCli } from './goBinaries';
import { isPortFree } from './ports';
import { cacheDir } from './paths';
import { startTemporalDevServer } from './temporalDevServer';

export interface Stack {
  mongoUri: string;
  /** The embedded FerretDB's backend; undefined when MONGODB_URI points elsewhere. */
  mongoBackend: EmbeddedBackend | undefined;
  temporal: TemporalTarget;
  /** Web UI of the Temporal server, when known. */
  temporalUiUrl: string | undefined;
  /** What this launcher started (and stop() stops). */
  started: string[];
  stop(): Promise<void>;
}

export interface StackOptions {
  config: Config;
  /** Where the embedded servers keep data and logs. */
  dataDir: string;
  /** Keep Temporal's state in a file under dataDir (survives restarts); in memory otherwise. */
  persistTemporal: boolean;
  /** Keep the embedded PostgreSQL cluster under dataDir across restarts (development); a throwaway one otherwise. */
  keepPostgres?: boolean;
  /** Ports to prefer for the Temporal dev server and its UI (the familiar 7233/8233 in development); random when taken. */
  preferredTemporalPorts?: { port: number; uiPort: number };
  /** The codec server the dev server's Web UI decodes payloads with (onramp's codec endpoint). */
  uiCodecEndpoint?: string;
}

/**
 * Start whatever the configuration does not point at: an embedded FerretDB
 * (on a private PostgreSQL cluster when PostgreSQL is installed, else on
 * SQLite; ONRAMP_EMBEDDED_BACKEND) unless MONGODB_URI is set, a Temporal dev server unless TEMPORAL_ADDRESS
 * is set. Waits until each answers; stop() stops only what it started.
 */
export async function startStack({
  config,
  dataDir,
  persistTemporal,
  keepPostgres = false,
  preferredTemporalPorts,
  uiCodecEndpoint,
}: StackOptions): Promise<Stack> {
  await mkdir(dataDir, { recursive: true });
  const cache = cacheDir(config.paths.cacheDir);
  const stops: Array<() => Promise<void>> = [];
  const started: string[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => undefined);
  };

  try {
    let mongoUri = config.mongo.uri;
    let mongoBackend: EmbeddedBackend | undefined;
    if (!mongoUri) {
      const ferretBin = await ensureFerretDb(cache);
      const mongo = await startEmbeddedMongo({ ferretBin, wanted: config.mongo.embeddedBackend, dataDir, keep: keepPostgres });
      stops.push(mongo.stop);
      started.push(...mongo.started);
      mongoUri = mongo.uri;
      mongoBackend = mongo.backend;
    }

    const dataConverter = temporalDataConverter(config.temporal.encryption);
    let temporal: TemporalTarget;
    let temporalUiUrl = config.temporal.uiUrl;
    if (config.temporal.address) {
      temporal = {
        address: config.temporal.address,
        namespace: config.temporal.namespace,
        tls: config.temporal.tls,
        apiKey: config.temporal.apiKey,
        dataConverter,
      };
      const client = await connectClient(temporal);
      try {
        await prepareSearchAttributes(client, temporal.namespace, config.temporal.searchAttributes);
      } finally {
        await client.connection.close();
      }
    } else {
      const bin = await ensureTemporalCli(cache, config.temporal.cliPath);
      const preferred =
        preferredTemporalPorts && (await isPortFree(preferredTemporalPorts.port)) && (await isPortFree(preferredTemporalPorts.uiPort))
          ? preferredTemporalPorts
          : {};
      const server = await startTemporalDevServer({
        bin,
        ...preferred,
        logDir: dataDir,
        namespace: config.temporal.namespace,
        ...(uiCodecEndpoint ? { uiCodecEndpoint } : {}),
        ...(persistTemporal ? { dbFile: join(dataDir, 'temporal.sqlite') } : {}),
      });
      stops.push(server.stop);
      started.push(`Temporal dev server ${server.address} (UI ${server.uiUrl})`);
      temporal = {
        address: server.address,
        namespace: server.namespace,
        tls: { enabled: false, certPath: undefined, keyPath: undefined },
        apiKey: undefined,
        dataConverter,
      };
      temporalUiUrl = server.uiUrl;
    }
    return { mongoUri, mongoBackend, temporal, temporalUiUrl, started, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
