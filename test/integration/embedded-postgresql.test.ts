import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startEmbeddedMongo } from '../../src/devservices/embeddedMongo';
import { ensureFerretDb } from '../../src/devservices/goBinaries';
import { cacheDir } from '../../src/devservices/paths';
import { findPostgresBinaries, type PostgresBinaries } from '../../src/devservices/postgresServer';

const run = promisify(execFile);

/** FerretDB's explain carries the backend's own plan: PostgreSQL's has a "Node Type" and the table it reads. */
async function explainFind(uri: string, db: string): Promise<Record<string, unknown>> {
  const client = await MongoClient.connect(uri);
  try {
    const coll = client.db(db).collection('backend_probe');
    await coll.insertOne({ probe: 1 });
    const explained = (await coll.find({ probe: 1 }).explain()) as { queryPlanner?: { Plan?: Record<string, unknown> } };
    return explained.queryPlanner?.Plan ?? {};
  } finally {
    await client.close();
  }
}

const configured = process.env.ONRAMP_EMBEDDED_BACKEND ?? 'auto';
const bins = await findPostgresBinaries();

describe('the embedded store on PostgreSQL', () => {
  let dataDir: string;
  let ferretBin: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'onramp-embedded-pg-'));
    ferretBin = await ensureFerretDb(cacheDir(process.env.ONRAMP_CACHE_DIR));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it.runIf(bins && configured !== 'sqlite' && !process.env.MONGODB_URI)(
    "the tests' stack runs FerretDB on PostgreSQL when PostgreSQL is installed",
    async () => {
      const stack = inject('stack');
      expect(stack.mongoBackend).toBe('postgresql');
      const plan = await explainFind(stack.mongoUri, 'embedded_backend_probe');
      expect(plan['Node Type']).toEqual(expect.any(String));
      expect(plan['Relation Name']).toEqual(expect.stringMatching(/^backend_probe_/));
    },
  );

  it.runIf(bins)('keeps documents in its own PostgreSQL cluster, and removes a throwaway cluster on stop', async () => {
    const pg = bins as PostgresBinaries;
    const mongo = await startEmbeddedMongo({ ferretBin, wanted: 'postgresql', dataDir: join(dataDir, 'throwaway'), keep: false });
    let clusterDir: string;
    try {
      expect(mongo.backend).toBe('postgresql');
      const client = await MongoClient.connect(mongo.uri);
      try {
        await client
          .db('onramp_pg_probe')
          .collection('members')
          .insertOne({ _id: 't1:u1' as never, email: 'a@example.com' });
      } finally {
        await client.close();
      }
      clusterDir = mongo.postgresql?.dataDir ?? '';
      expect(existsSync(join(clusterDir, 'PG_VERSION'))).toBe(true);
      const port = new URL(mongo.postgresql?.url ?? 'postgres://x').port;
      expect(port).toMatch(/^\d+$/);
      // FerretDB keeps each MongoDB database as a PostgreSQL schema: ask PostgreSQL itself, over its socket in the cluster dir.
      const { stdout } = await run(join(pg.dir, 'psql'), [
        '-h',
        clusterDir,
        '-p',
        String(port),
        '-U',
        'onramp',
        '-d',
        'postgres',
        '-Atc',
        "select count(*) from information_schema.schemata where schema_name = 'onramp_pg_probe'",
      ]);
      expect(stdout.trim()).toBe('1');
    } finally {
      await mongo.stop();
    }
    expect(existsSync(clusterDir)).toBe(false);
  });

  it('falls back to SQLite when PostgreSQL cannot start (auto), and fails when PostgreSQL is required', async () => {
    const broken: PostgresBinaries = { dir: '/bin', initdb: '/bin/false', postgres: '/bin/false' };
    const mongo = await startEmbeddedMongo({ ferretBin, wanted: 'auto', dataDir: join(dataDir, 'fallback'), keep: false, postgres: broken });
    try {
      expect(mongo.backend).toBe('sqlite');
      expect(existsSync(join(dataDir, 'fallback', 'ferretdb'))).toBe(true);
      const plan = await explainFind(mongo.uri, 'fallback_probe');
      expect(plan['Node Type']).toBeUndefined();
    } finally {
      await mongo.stop();
    }
    await expect(startEmbeddedMongo({ ferretBin, wanted: 'postgresql', dataDir: join(dataDir, 'required'), keep: false, postgres: broken })).rejects.toThrow(
      /initdb|false/,
    );
    await expect(startEmbeddedMongo({ ferretBin, wanted: 'postgresql', dataDir: join(dataDir, 'absent'), keep: false, postgres: null })).rejects.toThrow(
      /no PostgreSQL server binaries/,
    );
  });
});
