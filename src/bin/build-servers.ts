/**
 * Build (once) the Go servers the development stack and the tests use: the
 * Temporal CLI and the embedded FerretDB. Skips what is already in the
 * per-user cache, so it is fast when there is nothing to do.
 */
import { loadConfig } from '../config';
import { ensureFerretDb, ensureTemporalCli } from '../devservices/goBinaries';
import { cacheDir } from '../devservices/paths';

const config = loadConfig();
const cache = cacheDir(config.paths.cacheDir);
const started = Date.now();
const needTemporal = !config.temporal.address;
const needMongo = !config.mongo.uri;
const [temporal, ferret] = await Promise.all([
  needTemporal ? ensureTemporalCli(cache, config.temporal.cliPath) : Promise.resolve('(external Temporal)'),
  needMongo ? ensureFerretDb(cache) : Promise.resolve('(external MongoDB)'),
]);
process.stderr.write(`onramp: servers ready in ${((Date.now() - started) / 1000).toFixed(1)} s\n  temporal: ${temporal}\n  ferretdb: ${ferret}\n`);
