import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { startFerretDb, type EmbeddedBackend, type RunningMongo } from './ferretdbServer';
import { findPostgresBinaries, startPostgres, type PostgresBinaries } from './postgresServer';

export interface EmbeddedMongo extends RunningMongo {
  /** What was started, for the launcher's summary. */
  started: string[];
  /** The PostgreSQL cluster behind it, when on PostgreSQL. */
  postgresql?: { url: string; dataDir: string };
}

export interface EmbeddedMongoOptions {
  ferretBin: string;
  /** `auto` takes PostgreSQL when installed and falls back to SQLite. */
  wanted: 'auto' | EmbeddedBackend;
  /** FerretDB's SQLite files, the PostgreSQL cluster (when kept) and the logs go here. */
  dataDir: string;
  /** Keep the PostgreSQL cluster across restarts (development); a throwaway one otherwise (tests, bench). */
  keep: boolean;
  /** PostgreSQL's binaries; found on this machine when not given, none when null. */
  postgres?: PostgresBinaries | null;
}

/**
 * FerretDB on a private PostgreSQL cluster when PostgreSQL's server binaries are installed (`auto`) or required
 * (`postgresql`), else on SQLite; `auto` falls back to SQLite, saying so once, when PostgreSQL is absent or fails.
 * stop() stops FerretDB, then PostgreSQL.
 */
export async function startEmbeddedMongo({ ferretBin, wanted, dataDir, keep, postgres }: EmbeddedMongoOptions): Promise<EmbeddedMongo> {
  await mkdir(dataDir, { recursive: true });
  const sqliteDir = join(dataDir, 'ferretdb');
  if (wanted !== 'sqlite') {
    try {
      const bins = postgres === undefined ? await findPostgresBinaries() : postgres;
      if (!bins) throw new Error('no PostgreSQL server binaries (initdb, postgres) on PATH, in /usr/lib/postgresql/*/bin or /usr/local/bin');
      const pg = await startPostgres({ bins, dataDir: join(dataDir, 'postgresql'), logDir: dataDir, keep });
      let mongo: RunningMongo;
      try {
        mongo = await startFerretDb(ferretBin, sqliteDir, dataDir, 0, pg.url);
      } catch (err) {
        await pg.stop();
        throw err;
      }
      return {
        ...mongo,
        postgresql: { url: pg.url, dataDir: pg.dataDir },
        started: [`PostgreSQL ${bins.dir} (${pg.dataDir})`, `FerretDB (postgresql) ${mongo.uri}`],
        async stop() {
          await mongo.stop();
          await pg.stop();
        },
      };
    } catch (err) {
      if (wanted === 'postgresql') throw err;
      process.stderr.write(`onramp: the embedded FerretDB runs on SQLite: PostgreSQL is unavailable (${err instanceof Error ? err.message : String(err)})\n`);
    }
  }
  const mongo = await startFerretDb(ferretBin, sqliteDir, dataDir);
  return { ...mongo, started: [`FerretDB (sqlite) ${mongo.uri}`] };
}
