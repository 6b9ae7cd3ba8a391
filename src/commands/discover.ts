import type { SourceConfig } from '../config.js';
import type { ApiError } from '../http/errors.js';
import type { ProtocolWriter } from '../protocol/writer.js';
import { createRuntime } from '../runtime.js';
import { ACCOUNT_PATH, Prober, readableStreams, requiredScopes, runScopeReport } from '../scopes.js';
import { missingScopes } from '../scopes/report.js';
import { STREAMS } from '../streams/index.js';
import { airbyteStream } from './catalog.js';

function tokenFailure(error: ApiError): string {
  if (error.kind === 'unauthorized') {
    return `DigitalOcean rejected the API token (401 on GET ${error.path}). Check that it is valid, not expired and not revoked.`;
  }
  if (error.kind === 'forbidden') {
    return `The API token lacks the scope 'account:read' (403 on GET ${error.path}), which discover needs to verify the token. Add account:read to the custom-scoped token.`;
  }
  return `Could not verify the API token: ${error.message}`;
}

/**
 * The catalog of the streams this token can read: the same scope probes as check, one request per
 * scope. A stream is left out only when a scope it needs (its own or a parent's) is proven missing.
 */
export async function discoverCommand(config: SourceConfig, writer: ProtocolWriter): Promise<number> {
  const { client } = await createRuntime(config, writer);
  const prober = new Prober(client);
  const account = await prober.get(ACCOUNT_PATH);
  if (!account.ok) {
    await writer.error(tokenFailure(account.error), account.error.failureType, { internal: account.error.internal });
    return 1;
  }
  const report = await runScopeReport(prober);
  const revoked = report.find((r) => r.finding === 'rejected');
  if (revoked && !revoked.outcome.ok) {
    await writer.error(tokenFailure(revoked.outcome.error), 'config_error', { internal: revoked.outcome.error.internal });
    return 1;
  }
  // Spaces buckets are read with a Spaces key, not the token: without one their rows are not offered.
  const readable = readableStreams(report).filter((def) => !def.transport || config.spaces);
  if (!config.spaces) {
    await writer.log('INFO', 'No Spaces key is configured, so the Spaces bucket streams (S3 API) are not offered. Set spaces_access_key_id and spaces_secret_access_key to offer them.');
  }
  const missing = new Set(missingScopes(report));
  const leftOut = STREAMS.filter((def) => !def.transport && !readable.includes(def));
  if (leftOut.length > 0) {
    const each = leftOut.map((def) => `${def.name} (needs ${requiredScopes(def).filter((s) => missing.has(s)).join(', ')})`);
    await writer.log('WARN', `The API token lacks scopes some streams need; left out of the catalog: ${each.join('; ')}.`);
  }
  for (const result of report.filter((r) => r.finding === 'error')) {
    const detail = result.outcome.ok ? '' : ` (${result.outcome.error.message})`;
    await writer.log('WARN', `Could not check the scope '${result.probe.scope}'${detail}; its streams are listed anyway.`);
  }
  await writer.emit({ type: 'CATALOG', catalog: { streams: readable.map(airbyteStream) } });
  return 0;
}
