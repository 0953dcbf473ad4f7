#!/usr/bin/env -S node --import tsx
/**
 * The onramp CLI, a thin client of the admin API (and one operator command):
 *
 *   onramp approvals list    --tenant <slug> [--kind link|new-member|privileged-grant] [--email <e>] [--limit <n>] [--cursor <c>] [--json]
 *   onramp approvals approve <request-id> --tenant <slug> [--roles member,admin] [--reason <text>]
 *   onramp approvals reject  <request-id> --tenant <slug> --reason <text>
 *   onramp directories create --tenant <slug> --name <name> [--provider entra|okta|google|onelogin|jumpcloud|generic]
 *   onramp directories list|rotate|revoke-token|enable|disable|delete|users|groups|operations|sync-settings … --tenant <slug>
 *   onramp connections list|show|saml-from-metadata|saml-metadata|refresh-metadata … --tenant <slug>  (SAML set-up from the IdP's metadata)
 *   onramp members suspend|reactivate|remove <user-id> --tenant <slug>;  onramp members remove-group <group> --tenant <slug>
 *   onramp invitations create --tenant <slug> --email <e> [--roles a,b] [--groups a,b] [--allow-any-email];  onramp invitations list|resend|revoke …
 *   onramp import <file.csv|file.jsonl> --tenant <slug> [--dry-run] [--key <k>] [--format csv|jsonl] [--results <out.csv>]
 *   onramp webhooks add|list|rotate|deliveries|resend|replay|enable|disable|delete … [--tenant <slug>];  onramp events list|tail [--tenant <slug>] …
 *     (without --tenant: the operator's endpoints and every tenant's events)
 *   onramp setup-temporal    (register onramp's search attributes on TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE)
 *   onramp runs --email <e>  (a person's Temporal runs, by the keyed hash OnrampEmail holds; TEMPORAL_* and ONRAMP_SEARCH_* settings)
 *
 * ONRAMP_URL (default http://127.0.0.1:3000) and ONRAMP_ADMIN_TOKEN, or --url / --token.
 * Exit codes: 0 done, 1 the API refused (its error code and message are printed), 2 usage.
 */
import { runCli } from '../cli/main';

process.exitCode = await runCli(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  progress: process.stderr,
  env: process.env,
});
