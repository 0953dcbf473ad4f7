import { execFile } from 'node:child_process';
import { access, chmod, constants, mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const exists = (path: string, mode = constants.F_OK) =>
  access(path, mode).then(
    () => true,
    () => false,
  );

/** Temporal's time-skipping test server (Java), from Maven Central: GitHub's release downloads are not reachable here. */
export const TEST_SERVER_VERSION = '1.38.0';

const pom = (version: string) => `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.onramp</groupId><artifactId>temporal-test-server-fetch</artifactId><version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>io.temporal</groupId><artifactId>temporal-test-server</artifactId><version>${version}</version></dependency>
  </dependencies>
</project>
`;

// sdk-core spawns `<exe> <port>` and SIGKILLs that process at teardown: the wrapper must exec java.
const wrapper = `#!/bin/sh
DIR="$(cd "$(dirname "$0")" && pwd)"
exec "\${JAVA:-java}" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp "$DIR/lib/*" io.temporal.testserver.TestServer "$@"
`;

/** Install Debian's Maven (and with it a JDK) when missing; needs root, as Chromium's install does. */
async function ensureMaven(): Promise<void> {
  if (
    await run('mvn', ['-v']).then(
      () => true,
      () => false,
    )
  )
    return;
  if (process.getuid?.() !== 0 || !(await exists('/usr/bin/apt-get'))) {
    throw new Error('Maven (and Java 17+) is needed once to fetch Temporal\'s time-skipping test server; install Debian\'s "maven" package');
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  await run('apt-get', ['update'], { env, maxBuffer: 64 * 1024 * 1024 });
  await run('apt-get', ['install', '-y', '--no-install-recommends', 'maven', 'default-jdk-headless'], { env, maxBuffer: 64 * 1024 * 1024 });
}

/**
 * The time-skipping test server as an executable that takes the port as its
 * argument (what @temporalio/testing's `existing-path` expects): its jars are
 * fetched once from Maven Central into the cache (~40 MB, a few seconds).
 */
export async function ensureTimeSkippingServer(cache: string): Promise<string> {
  const dir = join(cache, 'temporal-test-server', TEST_SERVER_VERSION);
  const bin = join(dir, 'temporal-test-server');
  if (await exists(bin, constants.X_OK)) return bin;
  await ensureMaven();
  await mkdir(dir, { recursive: true });
  process.stderr.write(`onramp: fetching Temporal's time-skipping test server ${TEST_SERVER_VERSION} from Maven Central (first run only)…\n`);
  await writeFile(join(dir, 'pom.xml'), pom(TEST_SERVER_VERSION));
  await run(
    'mvn',
    [
      '-q',
      '-B',
      '-f',
      join(dir, 'pom.xml'),
      `-Dmaven.repo.local=${join(dir, 'm2')}`,
      'dependency:copy-dependencies',
      '-DincludeScope=runtime',
      `-DoutputDirectory=${join(dir, 'lib')}`,
    ],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  const tmp = `${bin}.tmp-${process.pid}`;
  await writeFile(tmp, wrapper);
  await chmod(tmp, 0o755);
  await rename(tmp, bin);
  return bin;
}
