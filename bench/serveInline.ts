/**
 * Benchmark-only web entry point: the production web app, except that each
 * sign-in, SCIM write, import and invitation acceptance runs the same flow and activities inline in
 * the request handler instead of through Temporal (bench/inlineSignIn.ts,
 * bench/inlineDirectory.ts, bench/inlineAdmin.ts). Never part of the product: nothing under src/
 * imports it.
 */
import { serveRole } from '../src/bin/serveRole';
import { createInlineImportRunner, createInlineInvitationAcceptor } from './inlineAdmin';
import { createInlineDirectoryWriter } from './inlineDirectory';
import { createInlineSignInStarter } from './inlineSignIn';

await serveRole({
  runs: (db, logger) => ({
    signIn: createInlineSignInStarter(db.models, logger),
    directory: createInlineDirectoryWriter(db.models, logger),
    imports: createInlineImportRunner(db.models, logger),
    invitations: createInlineInvitationAcceptor(db.models, logger),
  }),
});
