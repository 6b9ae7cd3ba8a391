/** The subset of the Airbyte protocol (v0.18) this source emits. */

export type FailureType = 'system_error' | 'config_error' | 'transient_error';
export type LogLevel = 'FATAL' | 'ERROR' | 'WARN' | 'INFO' | 'DEBUG' | 'TRACE';
export type StreamStatus = 'STARTED' | 'RUNNING' | 'COMPLETE' | 'INCOMPLETE';
export type SyncMode = 'full_refresh' | 'incremental';

export interface StreamDescriptor {
  name: string;
  namespace?: string;
}

export interface RecordMessage {
  type: 'RECORD';
  record: { stream: string; data: Record<string, unknown>; emitted_at: number };
}

export interface StateMessage {
  type: 'STATE';
  state: {
    type: 'STREAM';
    stream: { stream_descriptor: StreamDescriptor; stream_state: Record<string, unknown> };
    sourceStats: { recordCount: number };
  };
}

export interface LogMessage {
  type: 'LOG';
  log: { level: LogLevel; message: string };
}

export interface ErrorTrace {
  type: 'TRACE';
  trace: {
    type: 'ERROR';
    emitted_at: number;
    error: {
      message: string;
      internal_message: string;
      stack_trace?: string;
      failure_type: FailureType;
      stream_descriptor?: StreamDescriptor;
    };
  };
}

export interface StreamStatusTrace {
  type: 'TRACE';
  trace: {
    type: 'STREAM_STATUS';
    emitted_at: number;
    stream_status: {
      stream_descriptor: StreamDescriptor;
      status: StreamStatus;
      reasons?: { type: 'RATE_LIMITED'; rate_limited?: { quota_reset?: number } }[];
    };
  };
}

export interface EstimateTrace {
  type: 'TRACE';
  trace: {
    type: 'ESTIMATE';
    emitted_at: number;
    estimate: { name: string; type: 'STREAM'; row_estimate: number; byte_estimate: number };
  };
}

export interface SpecMessage {
  type: 'SPEC';
  spec: Record<string, unknown>;
}

export interface ConnectionStatusMessage {
  type: 'CONNECTION_STATUS';
  connectionStatus: { status: 'SUCCEEDED' | 'FAILED'; message?: string };
}

export interface AirbyteStream {
  name: string;
  json_schema: Record<string, unknown>;
  supported_sync_modes: SyncMode[];
  source_defined_cursor?: boolean;
  default_cursor_field?: string[];
  source_defined_primary_key?: string[][];
  is_resumable?: boolean;
}

export interface CatalogMessage {
  type: 'CATALOG';
  catalog: { streams: AirbyteStream[] };
}

export type AirbyteMessage =
  | RecordMessage
  | StateMessage
  | LogMessage
  | ErrorTrace
  | StreamStatusTrace
  | EstimateTrace
  | SpecMessage
  | ConnectionStatusMessage
  | CatalogMessage;

export interface ConfiguredStream {
  stream: { name: string; json_schema?: unknown; supported_sync_modes?: unknown };
  sync_mode: SyncMode;
  destination_sync_mode?: string;
  cursor_field?: string[];
  primary_key?: string[][];
}
