/**
 * Tokens and their scopes. A token is known or not (401); a known token holds a set of scopes, and an
 * operation needing a scope it lacks is refused (403).
 */
import type { StreamDef } from '../src/streams/types.js';

export interface TokenSpec {
  /** Written in the request log instead of the token itself. */
  name: string;
  scopes: readonly string[];
}

/** A token's scopes, or the full spec with a name for the log. */
export type TokenOption = readonly string[] | TokenSpec;

/** Scopes that reveal credentials; a read-only connector must never need them. */
export const CREDENTIAL_SCOPES: readonly string[] = ['database:view_credentials', 'kubernetes:access_cluster'];

/** The default tokens' values (these are fakes: they authenticate against this server only). */
export const DEFAULT_TOKENS = {
  /** Every scope a row of the table needs, and neither credential scope. */
  readOnly: 'fake-token-read-only',
  /** The same plus database:view_credentials: sees database passwords. */
  readOnlyWithCredentials: 'fake-token-read-only-credentials',
  /** DigitalOcean's "Read Only" preset: `api:read`. */
  apiRead: 'fake-token-api-read',
  droplets: 'fake-token-droplet-read',
  noScopes: 'fake-token-no-scopes',
} as const;

export function defaultTokens(streams: readonly StreamDef[]): Record<string, TokenSpec> {
  const rowScopes = [...new Set(streams.map((s) => s.scope).filter((s): s is string => s !== null))]
    .filter((s) => !CREDENTIAL_SCOPES.includes(s))
    .sort();
  return {
    [DEFAULT_TOKENS.readOnly]: { name: 'read-only', scopes: rowScopes },
    [DEFAULT_TOKENS.readOnlyWithCredentials]: { name: 'read-only+credentials', scopes: [...rowScopes, 'database:view_credentials'] },
    [DEFAULT_TOKENS.apiRead]: { name: 'api:read', scopes: ['api:read'] },
    [DEFAULT_TOKENS.droplets]: { name: 'droplet:read', scopes: ['droplet:read'] },
    [DEFAULT_TOKENS.noScopes]: { name: 'no-scopes', scopes: [] },
  };
}

/** `api:read` is DigitalOcean's Read Only preset: every `*:read` scope plus the two credential scopes. */
export function holds(scopes: readonly string[], scope: string): boolean {
  if (scopes.includes(scope)) return true;
  return scopes.includes('api:read') && (scope.endsWith(':read') || CREDENTIAL_SCOPES.includes(scope));
}

export class TokenTable {
  private readonly tokens = new Map<string, TokenSpec>();

  constructor(tokens: Readonly<Record<string, TokenOption>>) {
    let n = 0;
    for (const [token, option] of Object.entries(tokens)) {
      n++;
      this.tokens.set(token, isSpec(option) ? option : { name: `token-${n}`, scopes: option });
    }
  }

  /** The token named by an `Authorization: Bearer …` header, if it is one we know. */
  identify(authorization: string | undefined): { token: string; spec: TokenSpec } | undefined {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    const spec = m ? this.tokens.get(m[1]) : undefined;
    return m && spec ? { token: m[1], spec } : undefined;
  }

  entries(): Record<string, TokenSpec> {
    return Object.fromEntries(this.tokens);
  }
}

function isSpec(option: TokenOption): option is TokenSpec {
  return !Array.isArray(option);
}
