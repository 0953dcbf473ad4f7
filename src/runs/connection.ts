import { readFile } from 'node:fs/promises';
import { Client, Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { NativeConnection } from '@temporalio/worker';
import type { Config } from '../config';
import { errorCountingInterceptor } from './clientMetrics';

export interface TemporalTarget {
  address: string;
  namespace: string;
  tls: Config['temporal']['tls'];
  apiKey: string | undefined;
  /** How payloads are encoded (src/runs/dataConverter.ts: the encryption codec); undefined only for a plain client (tests). */
  dataConverter: DataConverter | undefined;
}

async function tlsOptions(target: TemporalTarget) {
  if (!target.tls.enabled) return undefined;
  if (!target.tls.certPath || !target.tls.keyPath) return true;
  return {
    clientCertPair: { crt: await readFile(target.tls.certPath), key: await readFile(target.tls.keyPath) },
  };
}

export async function connectClient(target: TemporalTarget): Promise<Client> {
  const connection = await Connection.connect({
    address: target.address,
    tls: await tlsOptions(target),
    ...(target.apiKey ? { apiKey: target.apiKey } : {}),
    // The SDK's own retries (its default), inside the error counter.
    interceptors: [errorCountingInterceptor, makeGrpcRetryInterceptor(defaultGrpcRetryOptions())],
  });
  return new Client({ connection, namespace: target.namespace, ...(target.dataConverter ? { dataConverter: target.dataConverter } : {}) });
}

/**
 * A connection for readiness probes: no retries (a probe answers within its
 * deadline or fails; the client's retry timers would outlive it and fire on a
 * closed channel), its errors counted like the client's.
 */
export async function connectProbeConnection(target: TemporalTarget): Promise<Connection> {
  return Connection.connect({
    address: target.address,
    tls: await tlsOptions(target),
    ...(target.apiKey ? { apiKey: target.apiKey } : {}),
    interceptors: [errorCountingInterceptor],
  });
}

export async function connectWorkerConnection(target: TemporalTarget): Promise<NativeConnection> {
  return NativeConnection.connect({
    address: target.address,
    tls: await tlsOptions(target),
    ...(target.apiKey ? { apiKey: target.apiKey } : {}),
  });
}
