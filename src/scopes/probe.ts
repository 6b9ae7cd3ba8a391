import type { DigitalOceanClient } from '../http/client.js';
import { ApiError } from '../http/errors.js';
import type { WindowLimit } from '../http/limiter.js';

/** An id no DigitalOcean resource can have: the nil UUID. Every made-up-id probe uses it. */
export const NIL_ID = '00000000-0000-0000-0000-000000000000';

/** Paths that mint or reveal credentials. They may be requested about NIL_ID only, never a real resource. */
const CREDENTIAL_PATH = /\/(kubeconfig|credentials)(\/|$)/;

export type ProbeOutcome =
  | { ok: true; status: number; body: unknown }
  | { ok: false; error: ApiError };

/** `path` with every `{placeholder}` replaced by the nil UUID. */
export function withNilIds(path: string): string {
  return path.replace(/\{[^}]+\}/g, NIL_ID);
}

export function hasPlaceholder(path: string): boolean {
  return /\{[^}]+\}/.test(path);
}

/**
 * The requests of one command's probing, memoized: each distinct request is sent at most once, however
 * many questions need its answer. An ApiError becomes an outcome; anything else (a bug) is thrown.
 */
export class Prober {
  private readonly memo = new Map<string, Promise<ProbeOutcome>>();

  constructor(private readonly client: DigitalOceanClient) {}

  /** Distinct requests asked for so far (each may have been retried by the client). */
  get distinctRequests(): number {
    return this.memo.size;
  }

  get(path: string, query: Readonly<Record<string, string>> = {}, bucket?: { key: string } & WindowLimit): Promise<ProbeOutcome> {
    const credential = CREDENTIAL_PATH.test(path);
    if (credential && !path.includes(NIL_ID)) {
      throw new Error(`internal: refusing to request credentials of a real resource (${path})`);
    }
    if (hasPlaceholder(path)) throw new Error(`internal: unfilled placeholder in probe path ${path}`);
    const sorted = Object.fromEntries(Object.entries(query).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    const key = this.client.urlFor(path, sorted).href;
    let pending = this.memo.get(key);
    if (!pending) {
      // No label: a label would turn rate-limit waits into STREAM_STATUS traces, which check must not emit.
      pending = this.client.get(path, sorted, { bucket }).then(
        // Only the status of a credential path matters: whatever it answered is dropped unread.
        (response): ProbeOutcome => ({ ok: true, status: response.status, body: credential ? undefined : response.body }),
        (error: unknown): ProbeOutcome => {
          if (error instanceof ApiError) return { ok: false, error };
          throw error;
        },
      );
      this.memo.set(key, pending);
    }
    return pending;
  }
}
