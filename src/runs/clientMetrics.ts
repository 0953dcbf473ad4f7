import { InterceptingCall, status as grpcStatus, type Interceptor } from '@grpc/grpc-js';
import { countTemporalError } from '../metrics/registry';

const CODE_NAMES = new Map<number, string>(Object.entries(grpcStatus).flatMap(([name, code]) => (typeof code === 'number' ? [[code, name]] : [])));

/** The RPC's short name: `/temporal.api.workflowservice.v1.WorkflowService/StartWorkflowExecution` → `StartWorkflowExecution`. */
export const rpcName = (path: string): string => path.slice(path.lastIndexOf('/') + 1) || 'unknown';

/**
 * A gRPC interceptor counting Temporal client calls that end in an error
 * (`onramp_temporal_client_errors_total`), placed outside the client's retry
 * interceptor: a call retried to success is not an error.
 */
export const errorCountingInterceptor: Interceptor = (options, nextCall) =>
  new InterceptingCall(nextCall(options), {
    start(metadata, listener, next) {
      next(metadata, {
        onReceiveStatus(status, nextStatus) {
          if (status.code !== grpcStatus.OK) countTemporalError(rpcName(options.method_definition.path), CODE_NAMES.get(status.code) ?? String(status.code));
          nextStatus(status);
        },
      });
    },
  });
