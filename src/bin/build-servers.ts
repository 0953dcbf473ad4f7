/**
 * Build (once) the Go servers the development stack and the tests use: the
 * Temporal CLI and the embedded FerretDB. Skips what is already in the
 * per-user cache, so it is fast when there is nothing to do. With
 * `--browser` (npm test) it also installs Debian's Chromium when missing.
 */
import { loadConfig } from '../config';
import { ensureFerretDb, ensureTemporalCli } from '../devservices/goBinaries';
import { cacheDir } from '../devservices/paths';
import { ensureChromium } from '../devservices/chromium';

const config = loadConfig();
const cache = cacheDir(config.paths.cacheDir);
const started = Date.now();
const needTemporal = !config.temporal.address;
const needMongo = !config.mongo.uri;
const [temporal, ferret, chromium] = await Promise.all([
  needTemporal ? ensureTemporalCli(cache, config.temporal.cliPath) : Promise.resolve('(external Temporal)'),
  needMongo ? ensureFerretDb(cache) : Promise.resolve('(external MongoDB)'),
  process.argv.includes('--browser') ? ensureChromium() : Promise.resolve('(not needed)'),
]);
process.stderr.write(
  `onramp: servers ready in ${((Date.now() - started) / 1000).toFixed(1)} s\n  temporal: ${temporal}\n  ferretdb: ${ferret}\n  chromium: ${chromium}\n`,
);
