import type { SourceConfig } from '../config.js';
import type { EngineContext } from '../engine/context.js';
import { runRead } from '../engine/read.js';
import type { StreamJob } from '../engine/read-stream.js';
import type { ProtocolWriter } from '../protocol/writer.js';
import { createRuntime, planClock, REQUESTS_PER_HOUR } from '../runtime.js';
import { createLeakWatch } from '../scopes.js';
import { parseStateInput } from '../state/input.js';
import { ECHO_CHARS, selectStreams, unknownStreamMessage } from './catalog.js';
import { clip } from '../protocol/writer.js';

/** Longer than any stream name of the table, by far. */
const MAX_STREAM_NAME = 1_000;

/**
 * Configured streams this version does not have: INCOMPLETE and a config_error each, after the other
 * streams were read. The platform decides whether to retry an attempt by its earliest error
 * (AirbyteMessageTracker.errorTraceMessageFailure sorts by time; ConnectionManagerWorkflowImpl.reportFailure
 * reads the first): an outage of a real stream, reported before, still gets its retry, and a read whose only
 * fault is a stale catalog entry is not retried for nothing.
 */
async function reportUnknown(names: readonly string[], writer: ProtocolWriter): Promise<void> {
  for (const name of names) {
    // A name no stream could have (longer than any) is not echoed whole into a descriptor.
    const descriptor = name.length <= MAX_STREAM_NAME ? name : undefined;
    if (descriptor) await writer.status(descriptor, 'INCOMPLETE');
    await writer.error(unknownStreamMessage(name), 'config_error', {
      stream: descriptor,
      internal: `unknown stream '${clip(name, ECHO_CHARS)}' in the configured catalog`,
    });
  }
}

export async function readCommand(
  config: SourceConfig,
  catalog: unknown,
  stateText: string | undefined,
  writer: ProtocolWriter,
): Promise<number> {
  const { selected, unknown } = selectStreams(catalog);
  const log = (level: Parameters<ProtocolWriter['log']>[0], message: string): void => void writer.log(level, message);
  const states = parseStateInput(stateText, log);
  const names = new Set(selected.map((s) => s.def.name));
  for (const name of states.keys()) {
    if (!names.has(name)) log('INFO', `The state file has a state for stream '${clip(name, ECHO_CHARS)}', which the catalog does not select; it is ignored.`);
  }
  if (selected.length === 0) {
    await reportUnknown(unknown, writer);
    return 1;
  }
  const { client, limiter, spaces } = await createRuntime(config, writer);
  const ctx: EngineContext = {
    client,
    writer,
    log,
    concurrency: config.maxConcurrency,
    maxPagesPerList: config.maxPagesPerList,
    exhaustiveFanout: config.exhaustiveFanout,
    budget: {
      requestsPerMinute: config.requestsPerMinute,
      requestsPerHour: REQUESTS_PER_HOUR,
      remaining: () => limiter.remaining,
      made: () => client.requestCount,
    },
    planning: {
      requestBudget: config.requestBudget,
      hoursScale: config.freshness?.hoursScale ?? 1,
      hoursOverride: config.freshness?.hours ?? {},
      ...planClock(),
    },
    abort: new AbortController(),
    leakWatch: createLeakWatch(),
    spaces,
  };
  const jobs: StreamJob[] = selected.map(({ def, mode }) => ({ def, mode, inputState: states.get(def.name) }));
  const started = Date.now();
  const outcome = await runRead(jobs, ctx, config.startDate);
  log('INFO', `Read ${jobs.length} streams with ${client.requestCount + (spaces?.client.requestCount ?? 0)} requests in ${((Date.now() - started) / 1000).toFixed(1)} s; ${outcome.failedStreams.length} failed.`);
  await reportUnknown(unknown, writer);
  return outcome.failedStreams.length > 0 || unknown.length > 0 ? 1 : 0;
}
