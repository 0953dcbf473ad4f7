import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { access, chmod, chown, mkdir, mkdtemp, readdir, readFile, realpath, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, parse } from 'node:path';
import { freePort } from './ports';
import { spawnManaged } from './process';

export interface PostgresBinaries {
  dir: string;
  initdb: string;
  postgres: string;
}

export interface RunningPostgres {
  /** Connection string for FerretDB's postgresql handler (trust auth on loopback). */
  url: string;
  /** The cluster's data directory (its Unix sockets live there too). */
  dataDir: string;
  stop(): Promise<void>;
}

async function executable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Where PostgreSQL's server binaries may be: PATH, Debian's /usr/lib/postgresql/<major>/bin (newest first), /usr/local/bin. */
async function candidateDirs(): Promise<string[]> {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter((d) => d.length > 0);
  try {
    const majors = (await readdir('/usr/lib/postgresql')).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
    dirs.push(...majors.map((v) => `/usr/lib/postgresql/${v}/bin`));
  } catch {
    // no Debian-packaged PostgreSQL
  }
  dirs.push('/usr/local/bin');
  return dirs;
}

/** The first directory holding both `initdb` and `postgres` (symlinks resolved, so both come from one installation); undefined when none. */
export async function findPostgresBinaries(): Promise<PostgresBinaries | undefined> {
  for (const dir of await candidateDirs()) {
    if (!(await executable(join(dir, 'initdb')))) continue;
    const real = dirname(await realpath(join(dir, 'initdb')));
    const initdb = join(real, 'initdb');
    const postgres = join(real, 'postgres');
    if (await executable(postgres)) return { dir: real, initdb, postgres };
  }
  return undefined;
}

interface RunAs {
  uid: number;
  gid: number;
}

/** PostgreSQL refuses to run as root: then initdb and postgres run as the `postgres` system user, else `nobody`. */
async function unprivilegedUser(): Promise<RunAs | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const passwd = await readFile('/etc/passwd', 'utf8').catch(() => '');
  const users = new Map(
    passwd
      .split('\n')
      .map((line) => line.split(':'))
      .filter((f) => f.length >= 4)
      .map((f) => [f[0], { uid: Number(f[2]), gid: Number(f[3]) }] as const),
  );
  const user = users.get('postgres') ?? users.get('nobody');
  if (!user) throw new Error('running as root and neither a `postgres` nor a `nobody` user exists to run PostgreSQL as');
  return user;
}

/** Whether a user other than the owner can reach `path` (every ancestor searchable by others). */
async function reachableByOthers(path: string): Promise<boolean> {
  let dir = path;
  const { root } = parse(path);
  while (dir !== root) {
    dir = dirname(dir);
    const info = await stat(dir).catch(() => undefined);
    if (!info || (info.mode & 0o001) === 0) return false;
  }
  return true;
}

function run(cmd: string, args: string[], runAs: RunAs | undefined): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: tmpdir(), ...(runAs ?? {}) });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', (err) => reject(new Error(`cannot run ${cmd}: ${err.message}`)));
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} exited with ${code}: ${out.trim().slice(-500)}`))));
  });
}

export interface StartPostgresOptions {
  bins: PostgresBinaries;
  /** Preferred place for the cluster (kept across restarts when `keep`). */
  dataDir: string;
  logDir: string;
  /** Keep the cluster (development) or remove it on stop (tests; also turns off fsync). */
  keep: boolean;
}

/**
 * Start a private PostgreSQL cluster: initdb once (trust auth, loopback only), then postgres on a free
 * 127.0.0.1 port with its Unix sockets in the data directory. As root, both run as an unprivileged user, and the
 * cluster moves to the temp directory when that user cannot reach `dataDir`.
 */
export async function startPostgres({ bins, dataDir, logDir, keep }: StartPostgresOptions): Promise<RunningPostgres> {
  const runAs = await unprivilegedUser();
  let pgData = dataDir;
  let removeOnStop: string | undefined;
  if (runAs && !(await reachableByOthers(dataDir))) {
    if (keep) {
      const id = createHash('sha256').update(dataDir).digest('hex').slice(0, 12);
      pgData = join(tmpdir(), `onramp-postgresql-${id}`);
    } else {
      removeOnStop = await mkdtemp(join(tmpdir(), 'onramp-postgresql-'));
      pgData = join(removeOnStop, 'data');
    }
  } else if (!keep) {
    removeOnStop = pgData;
  }
  if (removeOnStop && runAs) {
    await chmod(removeOnStop, 0o711);
  }
  await mkdir(pgData, { recursive: true, mode: 0o700 });
  if (runAs) await chown(pgData, runAs.uid, runAs.gid);
  await chmod(pgData, 0o700);

  const cleanup = async () => {
    if (removeOnStop) await rm(removeOnStop, { recursive: true, force: true });
  };
  try {
    const initialized = await access(join(pgData, 'PG_VERSION')).then(
      () => true,
      () => false,
    );
    if (!initialized) {
      await run(bins.initdb, ['-D', pgData, '-U', 'onramp', '--auth=trust', '--encoding=UTF8', '--locale=C', ...(keep ? [] : ['--no-sync'])], runAs);
    }
    const port = await freePort();
    const args = ['-D', pgData, '-p', String(port), '-h', '127.0.0.1', '-k', pgData, '-c', 'max_connections=200'];
    if (!keep) args.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
    const proc = spawnManaged(bins.postgres, args, join(logDir, 'postgresql.log'), { cwd: tmpdir(), ...(runAs ?? {}) });
    const stderr = proc.child.stderr;
    if (!stderr) throw new Error('postgres has no stderr');
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`PostgreSQL did not start within 30 s; see ${logDir}/postgresql.log`)), 30_000);
      let seen = '';
      const onData = (d: Buffer) => {
        seen = (seen + d.toString()).slice(-4096);
        if (seen.includes('ready to accept connections')) {
          clearTimeout(timer);
          stderr.off('data', onData);
          resolve();
        }
      };
      stderr.on('data', onData);
      proc.child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`PostgreSQL exited with ${code}; see ${logDir}/postgresql.log`));
      });
    });
    proc.child.stdout?.resume();
    return {
      url: `postgres://onramp@127.0.0.1:${port}/postgres`,
      dataDir: pgData,
      async stop() {
        await proc.stop();
        await cleanup();
      },
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
