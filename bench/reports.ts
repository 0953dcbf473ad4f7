/** What one run of `npm run bench` reports, per scenario set and mode (written to its JSON result). */
import type { ImportBenchResult } from './admin';
import type { LoadResult } from './load';
import type { Mode } from './options';
import type { ServerFloor } from './floor';
import type { RunProfile } from './profile';
import type { ScimSyncResult } from './scim';
import type { WebhookReport } from './webhooks';

export interface Consistency {
  ok: boolean;
  expected: Record<string, number>;
  actual: Record<string, number>;
}

export interface ModeReport {
  mode: Mode;
  scenarios: Record<string, LoadResult | { skipped: string }>;
  peakRssMiB: Record<string, number | null>;
  consistency: Consistency;
  profile?: RunProfile;
  /** Durable, concurrency 1: the Temporal server's own round trip, measured in the same run (bench/floor.ts). */
  serverFloor?: ServerFloor;
  /** Durable runs of groups-200: answer (decision) vs close (after 200 grants). */
  groups200Profile?: RunProfile;
}

export interface AdminReport {
  mode: Mode;
  import: ImportBenchResult;
  /** Peak RSS of each process up to the end of the import (the worker's, durable; the web's, inline). */
  importRssMiB: Record<string, number | null>;
  accepts: LoadResult;
  consistency: Consistency;
}

export interface ScimReport {
  mode: Mode;
  creates: LoadResult;
  sync: ScimSyncResult;
  peakRssMiB: Record<string, number | null>;
  consistency: Consistency;
}

/** The options a run's figures were taken with (the goals need the sizes and concurrencies). */
export interface RunOptions {
  count: number;
  concurrency: number;
  burst: number;
  burstConcurrency: number;
  scimUsers: number;
  scimGroups: number;
  scimGroupMax: number;
  importRows: number;
}

export interface BenchRun {
  options: RunOptions;
  reports: ModeReport[];
  scimReports: ScimReport[];
  adminReports: AdminReport[];
  webhookReports: WebhookReport[];
}
