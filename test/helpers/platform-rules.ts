import type { Message } from './protocol.js';

/**
 * What the Airbyte platform does with a source's messages on its replication path, written as checks on
 * our output. Each rule names the platform file it comes from, read at airbyte-platform commit
 * 310e6cb6ac0e7bd310fe99bfd505d5c36ba71f2e (2026-08-21). The JSON Schema of a message line is checked
 * elsewhere (test/helpers/protocol.ts); these are the rules the platform adds on top of it.
 */
export const PLATFORM_COMMIT = '310e6cb6ac0e7bd310fe99bfd505d5c36ba71f2e';

const ORCH = 'airbyte-container-orchestrator/src/main/kotlin/io/airbyte/container/orchestrator';

export interface ConfiguredStream {
  name: string;
  syncMode: 'full_refresh' | 'incremental';
  destinationSyncMode: string;
  primaryKey: string[][];
}

export interface Rule {
  id: string;
  source: string;
  says: string;
  check(messages: readonly Message[], catalog: readonly ConfiguredStream[]): string[];
}

type Raw = Record<string, unknown>;
const raw = (m: Message): Raw => m as unknown as Raw;
const traceOf = (m: Message): Raw | undefined => (m.type === 'TRACE' ? (raw(m).trace as Raw) : undefined);

function names(catalog: readonly ConfiguredStream[]): Set<string> {
  return new Set(catalog.map((s) => s.name));
}

function valueAt(data: Raw, path: readonly string[]): unknown {
  let value: unknown = data;
  for (const key of path) value = value !== null && typeof value === 'object' ? (value as Raw)[key] : undefined;
  return value;
}

export const RULES: readonly Rule[] = [
  {
    id: 'estimate-both-counts',
    source: `${ORCH}/bookkeeping/StatsTracker.kt (trackEstimates) and ParallelStreamStatsTracker.kt (updateEstimates, SYNC branch)`,
    says: 'estimatedBytesCount.set(msg.byteEstimate) and estimatedRecordsCount.set(msg.rowEstimate) unbox java.lang.Long: an ESTIMATE without either is a NullPointerException that fails the attempt',
    check: (messages) =>
      messages.flatMap((m) => {
        const estimate = traceOf(m)?.type === 'ESTIMATE' ? ((traceOf(m) as Raw).estimate as Raw) : undefined;
        if (!estimate) return [];
        const bad = ['row_estimate', 'byte_estimate'].filter((k) => !Number.isInteger(estimate[k]) || (estimate[k] as number) < 0);
        return bad.length ? [`ESTIMATE for '${String(estimate.name)}' lacks a whole ${bad.join(' and ')}`] : [];
      }),
  },
  {
    id: 'estimate-one-type',
    source: `${ORCH}/bookkeeping/ParallelStreamStatsTracker.kt (updateEstimates)`,
    says: 'STREAM and SYNC estimates in one sync: every estimate after the first of the other type is dropped',
    check: (messages) => {
      const types = new Set(messages.map((m) => traceOf(m)).filter((t) => t?.type === 'ESTIMATE').map((t) => String((t?.estimate as Raw).type)));
      return types.size > 1 ? [`ESTIMATE types mixed: ${[...types].join(', ')}`] : [];
    },
  },
  {
    id: 'estimate-configured-stream',
    source: `${ORCH}/bookkeeping/ParallelStreamStatsTracker.kt (updateEstimates → getOrCreateStreamStatsTracker)`,
    says: 'a STREAM estimate creates stats for the stream it names: it must name a configured stream',
    check: (messages, catalog) =>
      messages
        .map((m) => traceOf(m))
        .filter((t) => t?.type === 'ESTIMATE' && !names(catalog).has(String((t.estimate as Raw).name)))
        .map((t) => `ESTIMATE names '${String((t?.estimate as Raw).name)}', which is not in the configured catalog`),
  },
  {
    id: 'record-in-catalog',
    source: 'airbyte-commons-worker/src/main/kotlin/io/airbyte/workers/internal/BasicAirbyteMessageValidator.kt (RECORD)',
    says: 'a RECORD of a stream the configured catalog lacks throws SourceException ("Missing catalog stream")',
    check: (messages, catalog) => {
      const known = names(catalog);
      const stray = new Set(messages.filter((m) => m.type === 'RECORD' && !known.has(m.record?.stream ?? '')).map((m) => m.record?.stream));
      return [...stray].map((s) => `RECORD of '${String(s)}', which is not in the configured catalog`);
    },
  },
  {
    id: 'record-data-not-empty',
    source: 'airbyte-commons-worker/src/main/kotlin/io/airbyte/workers/internal/BasicAirbyteMessageValidator.kt (RECORD)',
    says: 'a RECORD whose data is null or {} is dropped without a word',
    check: (messages) => {
      const empty = messages.filter((m) => m.type === 'RECORD' && (!m.record?.data || Object.keys(m.record.data).length === 0));
      return empty.length ? [`${empty.length} RECORD(s) with empty data, first in '${String(empty[0].record?.stream)}'`] : [];
    },
  },
  {
    id: 'record-dedup-key',
    source: 'airbyte-commons-worker/src/main/kotlin/io/airbyte/workers/internal/BasicAirbyteMessageValidator.kt (RECORD, incremental + dedup)',
    says: 'in incremental + append_dedup, a record whose primary key fields are all null throws SourceException',
    check: (messages, catalog) => {
      const dedup = new Map(catalog.filter((s) => s.syncMode === 'incremental' && s.destinationSyncMode.includes('dedup')).map((s) => [s.name, s.primaryKey]));
      const errors = new Set<string>();
      for (const m of messages) {
        const pk = m.type === 'RECORD' ? dedup.get(m.record?.stream ?? '') : undefined;
        if (!pk || !m.record) continue;
        if (pk.length === 0) errors.add(`'${m.record.stream}' is deduplicated without a primary key`);
        else if (!pk.some((field) => valueAt(m.record?.data as Raw, field) != null)) errors.add(`a '${m.record.stream}' record has every primary key field null`);
      }
      return [...errors];
    },
  },
  {
    id: 'trace-emitted-at',
    source: 'airbyte-commons-worker/src/main/kotlin/io/airbyte/workers/internal/BasicAirbyteMessageValidator.kt (TRACE)',
    says: 'a TRACE without type or emitted_at is dropped',
    check: (messages) => messages.map((m) => traceOf(m)).filter((t) => t && (typeof t.type !== 'string' || typeof t.emitted_at !== 'number')).map(() => 'a TRACE lacks type or emitted_at'),
  },
  {
    id: 'error-internal-message',
    source: 'airbyte-workers/src/main/kotlin/io/airbyte/workers/temporal/scheduling/ConnectionManagerWorkflowImpl.kt (reportFailure)',
    says: 'a failed job is described by its first failure\'s internal message, "Unknown failure reason" when it has none',
    check: (messages) =>
      messages
        .map((m) => traceOf(m))
        .filter((t) => t?.type === 'ERROR' && !((t.error as Raw).internal_message as string | undefined))
        .map((t) => `TRACE ERROR without internal_message: ${String((t?.error as Raw).message).slice(0, 80)}`),
  },
  {
    id: 'status-complete-in-catalog',
    source: `${ORCH}/tracker/StreamStatusCompletionTracker.kt (track)`,
    says: 'a COMPLETE status for a stream not in the configured catalog throws WorkerException',
    check: (messages, catalog) => {
      const known = names(catalog);
      return messages
        .filter((m) => m.trace?.type === 'STREAM_STATUS' && m.trace.stream_status?.status === 'COMPLETE' && !known.has(m.trace.stream_status.stream_descriptor.name))
        .map((m) => `COMPLETE for '${m.trace?.stream_status?.stream_descriptor.name}', which is not in the configured catalog`);
    },
  },
  {
    id: 'status-in-catalog',
    source: `${ORCH}/bookkeeping/streamstatus/StreamStatusTracker.kt (trackStream)`,
    says: 'statuses are stored per stream descriptor and shown for the connection\'s streams only: one for another stream is lost (a RATE_LIMITED the user never sees)',
    check: (messages, catalog) => {
      const known = names(catalog);
      const stray = new Set(
        messages
          .filter((m) => m.trace?.type === 'STREAM_STATUS' && !known.has(m.trace.stream_status?.stream_descriptor.name ?? ''))
          .map((m) => m.trace?.stream_status?.stream_descriptor.name),
      );
      return [...stray].map((s) => `STREAM_STATUS for '${String(s)}', which is not in the configured catalog`);
    },
  },
  {
    id: 'rate-limited-one-reason',
    source: `${ORCH}/RateLimitedMessageHelper.kt (isStreamStatusRateLimitedMessage)`,
    says: 'a RUNNING status is RATE_LIMITED only with exactly one reason, of type RATE_LIMITED',
    check: (messages) =>
      messages
        .filter((m) => m.trace?.type === 'STREAM_STATUS' && m.trace.stream_status?.reasons !== undefined)
        .filter((m) => {
          const reasons = m.trace?.stream_status?.reasons as Raw[];
          return m.trace?.stream_status?.status !== 'RUNNING' || reasons.length !== 1 || reasons[0].type !== 'RATE_LIMITED';
        })
        .map((m) => `a status with reasons that is not one RUNNING/RATE_LIMITED: ${JSON.stringify(m.trace?.stream_status).slice(0, 120)}`),
  },
  {
    id: 'state-per-stream-in-catalog',
    source: `${ORCH}/bookkeeping/streamstatus/StreamStatusTracker.kt (trackStreamState) and StatsTracker.kt (trackStateFromSource)`,
    says: 'stream states are tracked per descriptor: each must be a STREAM state of a configured stream',
    check: (messages, catalog) => {
      const known = names(catalog);
      return messages
        .filter((m) => m.type === 'STATE' && (m.state?.type !== 'STREAM' || !known.has(m.state.stream?.stream_descriptor?.name ?? '')))
        .map((m) => `STATE not a STREAM state of a configured stream: ${JSON.stringify(m.state).slice(0, 120)}`);
    },
  },
  {
    id: 'state-record-count',
    source: `${ORCH}/bookkeeping/ParallelStreamStatsTracker.kt (updateSourceStatesStats) and StateCheckSumCountEventHandler.kt (validateStateChecksum)`,
    says: "a STREAM state's sourceStats.recordCount must equal the records of that stream since its previous state; a mismatch is a checksum error that fails the sync where FailSyncOnInvalidChecksum is on",
    check: (messages) => {
      const since = new Map<string, number>();
      const errors: string[] = [];
      for (const m of messages) {
        if (m.type === 'RECORD' && m.record) since.set(m.record.stream, (since.get(m.record.stream) ?? 0) + 1);
        if (m.type !== 'STATE' || m.state?.type !== 'STREAM') continue;
        const name = m.state.stream.stream_descriptor.name;
        const counted = since.get(name) ?? 0;
        const said = m.state.sourceStats?.recordCount;
        if (said !== undefined && said !== counted) errors.push(`a '${name}' state says ${said} records since the last one, the platform counted ${counted}`);
        since.set(name, 0);
      }
      return errors.slice(0, 10);
    },
  },
];

/** Every rule's violations, prefixed by the rule's id. */
export function platformViolations(messages: readonly Message[], catalog: readonly ConfiguredStream[]): string[] {
  return RULES.flatMap((rule) => rule.check(messages, catalog).map((v) => `${rule.id}: ${v}`));
}

/** The configured catalog the rules need, from a catalog file's content. */
export function configured(catalog: { streams: { stream: { name: string }; sync_mode: string; destination_sync_mode?: string; primary_key?: string[][] }[] }): ConfiguredStream[] {
  return catalog.streams.map((s) => ({
    name: s.stream.name,
    syncMode: s.sync_mode === 'incremental' ? 'incremental' : 'full_refresh',
    destinationSyncMode: s.destination_sync_mode ?? 'append',
    primaryKey: s.primary_key ?? [],
  }));
}
