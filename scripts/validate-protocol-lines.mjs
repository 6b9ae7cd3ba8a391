#!/usr/bin/env node
// Validates a file of connector stdout: every line must be an AirbyteMessage valid against
// test/fixtures/airbyte_protocol.schema.json, plus what the given command must have printed.
// Plain JavaScript (no build step) so that scripts/test-image.sh can run it on the image's output.
//
//   node scripts/validate-protocol-lines.mjs --command spec|check|discover|read [options] FILE
//     --status SUCCEEDED|FAILED   check: the expected connection status
//     --catalog F                 read: the configured catalog; every stream must complete
//     --discovered F              read: a discover output; records are validated against its schemas
//     --state-out F               read: write the last state of each stream (a --state input) to F
//
// Prints one summary line; exits 1 (listing the problems on stderr) when anything is wrong.
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Ajv } from 'ajv';
import formats from 'ajv-formats';

const addFormats = formats.default;
const COMMANDS = ['spec', 'check', 'discover', 'read'];
const MAX_REPORTED = 20;

function fail(message) {
  process.stderr.write(`validate-protocol-lines: ${message}\n`);
  process.exit(2);
}

const { values: opts, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    command: { type: 'string' },
    status: { type: 'string' },
    catalog: { type: 'string' },
    discovered: { type: 'string' },
    'state-out': { type: 'string' },
  },
});
if (!COMMANDS.includes(opts.command ?? '')) fail(`--command must be one of ${COMMANDS.join(', ')}`);
if (positionals.length !== 1) fail('give exactly one file of connector output');
const file = positionals[0];

function newAjv() {
  const ajv = new Ajv({ strict: false, allowUnionTypes: true, allErrors: false });
  addFormats(ajv);
  return ajv;
}

const protocolSchema = JSON.parse(readFileSync(new URL('../test/fixtures/airbyte_protocol.schema.json', import.meta.url), 'utf8'));
const validateMessage = newAjv().compile(protocolSchema);

const problems = [];
let summaryExtra = '';
const problem = (text) => problems.push(text);

const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.length > 0);
const messages = [];
lines.forEach((line, index) => {
  let message;
  try {
    message = JSON.parse(line);
  } catch {
    problem(`line ${index + 1} is not JSON: ${line.slice(0, 160)}`);
    return;
  }
  if (!validateMessage(message)) {
    problem(`line ${index + 1} is not a valid AirbyteMessage (${validateMessage.errors?.map((e) => `${e.instancePath} ${e.message}`).join('; ')}): ${line.slice(0, 160)}`);
  }
  messages.push(message);
});

const count = (type) => messages.filter((m) => m.type === type).length;
const traces = (type) => messages.filter((m) => m.type === 'TRACE' && m.trace?.type === type).map((m) => m.trace);
const errorTraces = traces('ERROR');

if (lines.length === 0) problem('no output at all');

switch (opts.command) {
  case 'spec': {
    if (lines.length !== 1 || count('SPEC') !== 1) problem(`spec must print exactly one SPEC line, got ${lines.length} line(s)`);
    const spec = messages.find((m) => m.type === 'SPEC')?.spec;
    if (spec && typeof spec.connectionSpecification !== 'object') problem('the SPEC has no connectionSpecification');
    break;
  }
  case 'check': {
    const statuses = messages.filter((m) => m.type === 'CONNECTION_STATUS').map((m) => m.connectionStatus?.status);
    if (statuses.length !== 1) problem(`check must print exactly one CONNECTION_STATUS, got ${statuses.length}`);
    else if (opts.status && statuses[0] !== opts.status) problem(`check answered ${statuses[0]}, expected ${opts.status}`);
    if (errorTraces.length > 0) problem(`check printed ${errorTraces.length} TRACE ERROR(s): ${errorTraces[0].error?.message}`);
    break;
  }
  case 'discover': {
    const catalogs = messages.filter((m) => m.type === 'CATALOG');
    if (catalogs.length !== 1) problem(`discover must print exactly one CATALOG, got ${catalogs.length}`);
    const names = catalogs[0]?.catalog?.streams?.map((s) => s.name) ?? [];
    if (names.length === 0) problem('the CATALOG has no streams');
    if (new Set(names).size !== names.length) problem('the CATALOG repeats a stream name');
    break;
  }
  case 'read':
    checkRead();
    break;
}

function checkRead() {
  for (const trace of errorTraces) problem(`TRACE ERROR: ${trace.error?.message}`);
  const configured = opts.catalog
    ? JSON.parse(readFileSync(opts.catalog, 'utf8')).streams.map((s) => s.stream.name)
    : undefined;
  const recordValidators = new Map();
  if (opts.discovered) {
    const ajv = newAjv();
    const catalog = readFileSync(opts.discovered, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)).find((m) => m.type === 'CATALOG');
    if (!catalog) problem(`${opts.discovered} holds no CATALOG`);
    for (const stream of catalog?.catalog.streams ?? []) recordValidators.set(stream.name, ajv.compile(stream.json_schema));
  }
  const recordsPerStream = new Map();
  const lastState = new Map();
  for (const m of messages) {
    if (m.type === 'RECORD') {
      const { stream, data } = m.record;
      recordsPerStream.set(stream, (recordsPerStream.get(stream) ?? 0) + 1);
      if (configured && !configured.includes(stream)) problem(`a record of stream '${stream}', which is not in the catalog`);
      if (!Number.isInteger(m.record.emitted_at)) problem(`a record of '${stream}' has a non-integer emitted_at`);
      if (Object.keys(data ?? {}).length === 0) problem(`a record of '${stream}' has empty data`);
      const validate = recordValidators.get(stream);
      if (recordValidators.size > 0 && !validate) problem(`a record of stream '${stream}', which discover did not list`);
      if (validate && !validate(data)) problem(`a record of '${stream}' does not match its schema: ${validate.errors?.map((e) => `${e.instancePath} ${e.message}`).join('; ')}`);
    }
    if (m.type === 'STATE') {
      if (m.state?.type !== 'STREAM') problem(`a state of type ${m.state?.type}, not STREAM`);
      if (typeof m.state?.sourceStats?.recordCount !== 'number') problem('a state without sourceStats.recordCount');
      const name = m.state?.stream?.stream_descriptor?.name;
      if (name) lastState.set(name, m);
    }
  }
  if (count('RECORD') === 0) problem('read printed no record');
  for (const name of configured ?? []) {
    const statuses = traces('STREAM_STATUS').filter((t) => t.stream_status.stream_descriptor.name === name).map((t) => t.stream_status.status);
    if (statuses[0] !== 'STARTED' || statuses.at(-1) !== 'COMPLETE') problem(`stream '${name}' went ${statuses.join(' → ') || 'without any status'}, expected STARTED … COMPLETE`);
    if (!lastState.has(name)) problem(`stream '${name}' emitted no state`);
  }
  if (opts['state-out']) writeFileSync(opts['state-out'], `${JSON.stringify([...lastState.values()].map((m) => m.state))}\n`);
  summaryExtra = `, ${recordsPerStream.size} stream(s) with records`;
}

const types = [...new Set(messages.map((m) => m.type))].map((t) => `${t} ${count(t)}`).join(', ');
if (problems.length > 0) {
  for (const text of problems.slice(0, MAX_REPORTED)) process.stderr.write(`  ✗ ${text}\n`);
  if (problems.length > MAX_REPORTED) process.stderr.write(`  … and ${problems.length - MAX_REPORTED} more\n`);
  process.stdout.write(`${opts.command}: FAILED, ${problems.length} problem(s) in ${lines.length} line(s) (${types})\n`);
  process.exit(1);
}
process.stdout.write(`${opts.command}: ${lines.length} valid line(s) (${types})${summaryExtra}\n`);
