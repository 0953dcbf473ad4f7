/**
 * Benchmark-only web entry point: the production web app, except that each
 * sign-in and each SCIM write runs the same flow and activities inline in
 * the request handler instead of through Temporal (bench/inlineSignIn.ts,
 * bench/inlineDirectory.ts). Never part of the product: nothing under src/
 * imports it.
 */
import { serveRole } from '../src/bin/serveRole';
import { createInlineDirectoryWriter } from './inlineDirectory';
import { createInlineSignInStarter } from './inlineSignIn';

await serveRole({
  signInStarter: (db, logger) => createInlineSignInStarter(db.models, logger),
  directoryWriter: (db, logger) => createInlineDirectoryWriter(db.models, logger),
});
