import { loadConfig } from '../config';
import { connectClient } from '../runs/connection';
import { temporalDataConverter } from '../runs/dataConverter';
import { SA_OUTCOME, SA_TENANT } from '../runs/searchAttributes';
import { emailSearchValue } from '../runs/searchEmail';
import { UsageError } from './adminClient';

/** Where the CLI finds Temporal when TEMPORAL_ADDRESS is unset: the dev stack's server. */
const DEV_TEMPORAL_ADDRESS = '127.0.0.1:7233';

/** A value inside a visibility query's double quotes. */
const quoted = (v: string) => `"${v.replace(/["\\]/g, (c) => `\\${c}`)}"`;

/**
 * `onramp runs --email <address>`: a person's runs, found by the value
 * `OnrampEmail` holds for the address (its keyed hash, computed with
 * ONRAMP_SEARCH_HASH_KEY, unless ONRAMP_SEARCH_EMAIL=clear). Prints the
 * visibility query too, to paste into the Temporal UI's filter.
 */
export async function runsCommand(values: Record<string, string | boolean | undefined>, out: (line: string) => void): Promise<number> {
  const email = typeof values.email === 'string' ? values.email.trim() : '';
  if (!email) throw new UsageError('onramp runs --email <address> [--limit <n>] [--json]');
  const limit = Number(typeof values.limit === 'string' ? values.limit : '50');
  if (!Number.isInteger(limit) || limit < 1 || limit > 1_000) throw new UsageError('--limit must be 1..1000');
  const config = loadConfig();
  const query = `OnrampEmail = ${quoted(emailSearchValue(config.temporal.searchEmail)(email))}`;
  const client = await connectClient({
    address: config.temporal.address ?? DEV_TEMPORAL_ADDRESS,
    namespace: config.temporal.namespace,
    tls: config.temporal.tls,
    apiKey: config.temporal.apiKey,
    dataConverter: temporalDataConverter(config.temporal.encryption),
  });
  try {
    if (values.json !== true) out(`query: ${query}`);
    let n = 0;
    for await (const run of client.workflow.list({ query, pageSize: Math.min(limit, 100) })) {
      const row = {
        workflowId: run.workflowId,
        runId: run.runId,
        type: run.type,
        status: run.status.name,
        startTime: run.startTime.toISOString(),
        tenant: run.typedSearchAttributes.get(SA_TENANT) ?? null,
        outcome: run.typedSearchAttributes.get(SA_OUTCOME) ?? null,
      };
      out(
        values.json === true
          ? JSON.stringify(row)
          : [row.startTime, row.status, row.outcome ?? '-', row.type, row.workflowId, row.runId, `tenant:${row.tenant ?? '-'}`].join('\t'),
      );
      if (++n >= limit) break;
    }
    if (values.json !== true && n === 0) out('no runs found for that address');
    return 0;
  } finally {
    await client.connection.close();
  }
}
