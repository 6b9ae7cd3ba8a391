import type { SourceConfig } from '../config.js';
import { ApiError } from '../http/errors.js';
import type { ProtocolWriter } from '../protocol/writer.js';
import { createRuntime } from '../runtime.js';

/** CONNECTION_STATUS only: FAILED is a normal answer (exit 0), not an error. */
export async function checkCommand(config: SourceConfig, writer: ProtocolWriter): Promise<number> {
  const { client } = createRuntime(config, writer);
  let status: 'SUCCEEDED' | 'FAILED' = 'SUCCEEDED';
  let message = 'The token is valid.';
  try {
    await client.get('/v2/account', {}, { label: 'check' });
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    status = 'FAILED';
    message =
      error.kind === 'unauthorized'
        ? 'DigitalOcean rejected the API token (401): the token was rejected. Check that it is valid and not revoked.'
        : error.kind === 'forbidden'
          ? "The API token lacks the scope 'account:read' (403 on GET /v2/account), which every sync needs."
          : `Could not verify the token: ${error.message} Retrying may help.`;
  }
  await writer.emit({ type: 'CONNECTION_STATUS', connectionStatus: { status, message } });
  return 0;
}
