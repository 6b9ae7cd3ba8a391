import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { Ajv, type ValidateFunction } from 'ajv';
import formats from 'ajv-formats';
import { runCli } from '../../src/cli.js';
import { ProtocolWriter } from '../../src/protocol/writer.js';
import { loadSchema } from '../../src/streams/schemas.js';

const addFormats = formats.default;

// In-process runs compress every wait (pacing, backoff) as the spawned end-to-end runs do.
process.env.SOURCE_DIGITALOCEAN_TIME_SCALE ??= '0.001';

export interface Message {
  type: string;
  record?: { stream: string; data: Record<string, unknown>; emitted_at: number };
  state?: { type: string; stream: { stream_descriptor: { name: string }; stream_state: Record<string, unknown> }; sourceStats?: { recordCount: number } };
  log?: { level: string; message: string };
  trace?: {
    type: string;
    error?: { message: string; failure_type: string; internal_message?: string; stream_descriptor?: { name: string } };
    stream_status?: { stream_descriptor: { name: string }; status: string; reasons?: unknown[] };
    estimate?: { name: string; row_estimate: number };
  };
  spec?: Record<string, unknown>;
  catalog?: { streams: { name: string; json_schema: Record<string, unknown>; supported_sync_modes: string[]; source_defined_primary_key?: string[][]; default_cursor_field?: string[] }[] };
  connectionStatus?: { status: string; message?: string };
}

let lineValidator: ValidateFunction | undefined;
const recordValidators = new Map<string, ValidateFunction>();
const recordAjv = new Ajv({ strict: false, allowUnionTypes: true, allErrors: true });
addFormats(recordAjv);

/** Errors for one stdout line: not JSON, or not a valid AirbyteMessage (plus payload/type checks the schema lacks). */
export function protocolErrors(line: string): string[] {
  return checkLine(line).errors;
}

/** One stdout line parsed once: the message (when it is JSON) and its protocol errors. */
function checkLine(line: string): { message?: Message; errors: string[] } {
  if (!lineValidator) {
    const ajv = new Ajv({ strict: false, allowUnionTypes: true });
    addFormats(ajv);
    const schema = JSON.parse(readFileSync(new URL('../fixtures/airbyte_protocol.schema.json', import.meta.url), 'utf8')) as Record<string, unknown>;
    lineValidator = ajv.compile(schema);
  }
  let message: Message;
  try {
    message = JSON.parse(line) as Message;
  } catch {
    return { errors: [`not JSON: ${line.slice(0, 200)}`] };
  }
  const errors: string[] = [];
  if (!lineValidator(message)) errors.push(`invalid AirbyteMessage: ${JSON.stringify(lineValidator.errors)} in ${line.slice(0, 200)}`);
  const payloadKey: Record<string, keyof Message> = {
    RECORD: 'record', STATE: 'state', LOG: 'log', TRACE: 'trace', SPEC: 'spec', CATALOG: 'catalog', CONNECTION_STATUS: 'connectionStatus',
  };
  const key = payloadKey[message.type];
  if (!key || message[key] === undefined) errors.push(`message of type ${message.type} lacks its payload`);
  if (message.type === 'STATE' && message.state?.type !== 'STREAM') errors.push('state is not of type STREAM');
  if (message.type === 'RECORD' && (!Number.isInteger(message.record?.emitted_at) || Object.keys(message.record?.data ?? {}).length === 0)) {
    errors.push('record has a non-integer emitted_at or empty data');
  }
  return { message, errors };
}

/** Errors of a record against its stream's committed schema. */
export function recordErrors(stream: string, data: unknown): string[] {
  let validate = recordValidators.get(stream);
  if (!validate) {
    validate = recordAjv.compile(loadSchema(stream));
    recordValidators.set(stream, validate);
  }
  return validate(data) ? [] : (validate.errors ?? []).map((e) => `${stream}${e.instancePath} ${e.message ?? ''}`);
}

export function parseLines(stdout: string): { messages: Message[]; errors: string[] } {
  const messages: Message[] = [];
  const errors: string[] = [];
  // Each line is parsed once (large syncs print tens of thousands of lines).
  for (const line of stdout.split('\n')) {
    if (line.length === 0) continue;
    const checked = checkLine(line);
    if (checked.message) messages.push(checked.message);
    errors.push(...checked.errors);
  }
  return { messages, errors };
}

export interface CliResult {
  code: number;
  stdout: string;
  messages: Message[];
  protocolErrors: string[];
}

/** Runs the CLI in this process (so nock sees its requests) and captures stdout. */
export async function runInProcess(argv: string[]): Promise<CliResult> {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer | string, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const code = await runCli(argv, new ProtocolWriter(sink));
  const stdout = chunks.join('');
  const { messages, errors } = parseLines(stdout);
  return { code, stdout, messages, protocolErrors: errors };
}

export const records = (messages: Message[], stream?: string) =>
  messages.filter((m) => m.type === 'RECORD' && (stream === undefined || m.record?.stream === stream)).map((m) => m.record!.data);

export const statuses = (messages: Message[], stream: string) =>
  messages.filter((m) => m.trace?.type === 'STREAM_STATUS' && m.trace.stream_status?.stream_descriptor.name === stream).map((m) => m.trace!.stream_status!.status);

export const states = (messages: Message[], stream: string) =>
  messages.filter((m) => m.type === 'STATE' && m.state?.stream.stream_descriptor.name === stream).map((m) => m.state!);

export const errorTraces = (messages: Message[]) => messages.filter((m) => m.trace?.type === 'ERROR').map((m) => m.trace!.error!);
