/**
 * Build (once) the Go servers the development stack and the tests use: the
 * Temporal CLI and the embedded FerretDB. Skips what is already in the
 * per-user cache, so it is fast when there is nothing to do. With
 * `--test` (npm test) it also installs Debian's Chromium when missing (the
 * browser test), fetches Temporal's time-skipping test server (the
 * long-approval test), the SCIM conformance suites and schemathesis (cached
 * virtualenvs).
 */
import { loadConfig } from '../config';
import { ensureFerretDb, ensureTemporalCli } from '../devservices/goBinaries';
import { cacheDir } from '../devservices/paths';
import { ensureChromium } from '../devservices/chromium';
import { ensureTimeSkippingServer } from '../devservices/timeSkippingServer';
import { ensureScimPeerSuites } from '../devservices/scimPeers';
import { ensureSchemathesis } from '../devservices/schemathesis';

const config = loadConfig();
const cache = cacheDir(config.paths.cacheDir);
const started = Date.now();
const needTemporal = !config.temporal.address;
const needMongo = !config.mongo.uri;
const forTests = process.argv.includes('--test');
/** What may need apt-get (Chromium; Maven for the test server; python3-venv for the Python tools) runs one after the other: dpkg takes one lock. */
const testTools = async (): Promise<[string, string, string, string]> => {
  if (!forTests) return ['(not needed)', '(not needed)', '(not needed)', '(not needed)'];
  const chromium = await ensureChromium();
  const testServer = await ensureTimeSkippingServer(cache);
  const peers = await ensureScimPeerSuites(cache);
  const schemathesis = await ensureSchemathesis(cache);
  return [chromium, testServer, `${peers.scim2Cli}, ${peers.scimSanity}`, schemathesis];
};
const [temporal, ferret, [chromium, testServer, scimPeers, schemathesis]] = await Promise.all([
  needTemporal ? ensureTemporalCli(cache, config.temporal.cliPath) : Promise.resolve('(external Temporal)'),
  needMongo ? ensureFerretDb(cache) : Promise.resolve('(external MongoDB)'),
  testTools(),
]);
process.stderr.write(
  `onramp: servers ready in ${((Date.now() - started) / 1000).toFixed(1)} s\n  temporal: ${temporal}\n  ferretdb: ${ferret}\n  chromium: ${chromium}\n  time-skipping test server: ${testServer}\n  SCIM conformance suites: ${scimPeers}\n  schemathesis: ${schemathesis}\n`,
);
