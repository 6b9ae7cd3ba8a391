/**
 * One API request, in the order DigitalOcean decides: faults (they model the network and proxies, so
 * they come first), authentication (401), rate limits (429), route (404, 405), scope (403) before the
 * resource lookup (404) unless `lookupBeforeScope`, paging parameters and path dates (422), then the answer.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { StreamDef } from '../src/streams/types.js';
import { holds } from './auth.js';
import type { TokenSpec, TokenTable } from './auth.js';
import type { CredentialRoute } from './credentials.js';
import type { Dataset } from './data/dataset.js';
import { Rng, seedOf } from './data/random.js';
import { errorBody, proxyErrorPage } from './errors.js';
import type { Fault, Faults } from './faults.js';
import type { BodyCache } from './lru.js';
import { parsePaging } from './pagination.js';
import type { RateLimiter } from './ratelimit.js';
import { renderStream } from './render.js';
import type { ReportRoute } from './reports.js';
import type { RouteMatch, Router } from './router.js';
import type { Stats } from './stats.js';
import { parseWindow } from './windows.js';

export type RouteTarget = { kind: 'stream'; def: StreamDef } | { kind: 'credential'; route: CredentialRoute } | { kind: 'report'; route: ReportRoute };

export interface HandlerDeps {
  dataset: Dataset;
  tokens: TokenTable;
  limiter: RateLimiter;
  faults: Faults;
  stats: Stats;
  cache: BodyCache;
  router: Router<RouteTarget>;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  lookupBeforeScope: boolean;
  origin: () => string;
  /** Answers held open by `timeout` faults, ended when the server closes. */
  pending: Set<ServerResponse>;
}

interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
  stream: string | null;
}

const JSON_TYPE = 'application/json; charset=utf-8';

/** Faults applied while sending an otherwise normal answer. */
type TransportFault = Extract<Fault, { kind: 'truncated' } | { kind: 'reset' }>;

export async function handleApiRequest(deps: HandlerDeps, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const seq = deps.stats.nextSeq();
  const at = deps.now();
  const method = (req.method ?? 'GET').toUpperCase();
  const pathAndQuery = url.pathname + url.search;
  const match = deps.router.match(url.pathname);
  if (match?.target.kind === 'credential') deps.stats.credentialCall(url.pathname);
  const who = deps.tokens.identify(req.headers.authorization);
  const stream = match?.target.kind === 'stream' ? match.target.def.name : null;
  const log = (status: number, fault: string | null): void =>
    deps.stats.record({ seq, at, method, url: pathAndQuery, status, token: who?.spec.name ?? null, stream, fault }, url.pathname);

  const decision = deps.faults.decide({ method, pathname: url.pathname, url: pathAndQuery, tokenName: who?.spec.name });
  if (decision.latencyMs > 0) await deps.sleep(decision.latencyMs);
  const fault = decision.fault;
  const rateHeaders = (): Record<string, string> => deps.limiter.headers(who?.token);
  const requestId = (): string => new Rng(seedOf(deps.dataset.seed, 'request', seq)).uuid();

  if (fault) {
    switch (fault.kind) {
      case 'timeout':
        deps.pending.add(res);
        res.on('close', () => deps.pending.delete(res));
        log(0, 'timeout');
        return;
      case 'reset':
        if (fault.when === 'before-headers') {
          req.socket.destroy();
          log(0, 'reset');
          return;
        }
        break;
      case 'status':
        send(res, { status: fault.status, headers: rateHeaders(), body: JSON.stringify(errorBody(fault.status, fault.message, requestId())), stream });
        log(fault.status, `status:${fault.status}`);
        return;
      case 'rate_limited': {
        const mode = fault.headers ?? 'retry-after';
        const wait = fault.retryAfterSeconds ?? 1;
        const reset = { ...rateHeaders(), 'ratelimit-remaining': '0', 'ratelimit-reset': String(Math.ceil(deps.now() / 1000) + wait) };
        const headers = mode === 'none' ? {} : mode === 'reset-only' ? reset : { ...reset, 'retry-after': String(wait) };
        send(res, { status: 429, headers, body: JSON.stringify(errorBody(429)), stream });
        log(429, `rate_limited:${mode}`);
        return;
      }
      case 'html': {
        const status = fault.status ?? 502;
        send(res, { status, headers: { 'content-type': 'text/html' }, body: proxyErrorPage(status), stream });
        log(status, 'html');
        return;
      }
      case 'truncated':
        break;
    }
  }

  const reply = answer(deps, method, url, match, who, requestId);
  const transport = fault?.kind === 'truncated' || fault?.kind === 'reset' ? fault : undefined;
  send(res, reply, transport);
  log(reply.status, transport ? transport.kind : null);
}

function answer(
  deps: HandlerDeps,
  method: string,
  url: URL,
  match: RouteMatch<RouteTarget> | undefined,
  who: { token: string; spec: TokenSpec } | undefined,
  requestId: () => string,
): Reply {
  const stream = match?.target.kind === 'stream' ? match.target.def.name : null;
  const error = (status: number, headers: Record<string, string>, message?: string): Reply => ({
    status,
    headers,
    body: JSON.stringify(errorBody(status, message, requestId())),
    stream,
  });
  if (!who) return error(401, deps.limiter.headers(undefined));

  const def = match?.target.kind === 'stream' ? match.target.def : undefined;
  const admission = deps.limiter.admit(who.token, def?.rateLimit ? { key: def.name, limit: def.rateLimit } : undefined);
  if (!admission.ok) return error(429, { ...admission.headers, 'retry-after': String(admission.retryAfterSeconds) });
  const headers = admission.headers;
  if (!match) return error(404, headers);
  if (method !== 'GET') return error(405, { ...headers, allow: 'GET' });

  const target = match.target;
  const scope = target.kind === 'stream' ? target.def.scope : target.route.scope;
  const allowed = scope === null || holds(who.spec.scopes, scope);
  if (!allowed && !deps.lookupBeforeScope) return error(403, headers);

  if (target.kind === 'report') {
    if (!allowed) return error(403, headers);
    return { status: 200, headers, body: JSON.stringify(target.route.render(deps.dataset.view)), stream };
  }

  if (target.kind === 'credential') {
    const route = target.route;
    const ownerDef = route.owner ? deps.dataset.def(route.owner.stream) : undefined;
    const exists = !route.owner || (ownerDef !== undefined && deps.dataset.find(ownerDef, undefined, { [route.owner.field]: match.params[route.owner.placeholder] }) !== undefined);
    if (!exists) return error(404, headers);
    if (!allowed) return error(403, headers);
    const rendered = route.render(match.params, new Rng(seedOf(deps.dataset.seed, url.pathname)));
    return { status: 200, headers: { ...headers, 'content-type': rendered.contentType }, body: rendered.body, stream };
  }

  const streamDef = target.def;
  const tokenSecret = deps.dataset.seed;
  const paging = parsePaging(streamDef, url.searchParams, tokenSecret);
  if (!paging.ok) return error(paging.status, headers, paging.message);
  const params = withQueryKeys(streamDef, match.params, url.searchParams);
  if (!params.ok) return error(422, headers, params.message);
  const window = parseWindow(streamDef, match.params, deps.dataset.windowLimit(streamDef) ?? Infinity);
  if (window && !window.ok) return error(window.status, headers, window.message);
  const withSecrets = holds(who.spec.scopes, 'database:view_credentials');
  const cacheKey = `${withSecrets ? 'secrets' : 'public'} ${url.pathname}${url.search}`;
  if (allowed) {
    const cached = deps.cache.get(cacheKey);
    if (cached !== undefined) return { status: 200, headers, body: cached, stream };
  }
  const resolved = deps.dataset.resolve(streamDef, params.params);
  // A query key filters rather than looks up: a region with no NFS shares lists none (no 404).
  const filtersOnly = streamDef.parent?.queryKeys !== undefined && streamDef.shape === 'list';
  if (!resolved && !filtersOnly) return error(404, headers);
  if (!allowed) return error(403, headers);
  if (!resolved) return { status: 200, headers, body: JSON.stringify({ [streamDef.recordsKey ?? streamDef.name]: [], links: {}, meta: { total: 0 } }), stream };
  const body = renderStream({
    dataset: deps.dataset,
    def: streamDef,
    parent: resolved.parent,
    paging: paging.paging,
    withSecrets,
    window: window?.range,
    query: url.searchParams,
    link: { origin: deps.origin(), pathname: url.pathname, query: url.searchParams, quirks: deps.faults.links, tokenSecret },
  });
  if (body === undefined) return error(404, headers);
  deps.cache.set(cacheKey, body);
  return { status: 200, headers, body, stream };
}

/**
 * A row whose parent key travels in the query (ParentLink.queryKeys) cannot be listed without it: the
 * NFS API answers 422 when `region` is missing (godo nfs.go and doctl always send it).
 */
function withQueryKeys(
  def: StreamDef,
  pathParams: Readonly<Record<string, string>>,
  query: URLSearchParams,
): { ok: true; params: Record<string, string> } | { ok: false; message: string } {
  const params = { ...pathParams };
  for (const field of Object.keys(def.parent?.queryKeys ?? {})) {
    const value = query.get(field);
    if (value === null || value === '') return { ok: false, message: `${field} is required` };
    params[field] = value;
  }
  return { ok: true, params };
}

function send(res: ServerResponse, reply: Reply, transport?: TransportFault): void {
  const body = Buffer.from(reply.body);
  const headers: Record<string, string | number> = { 'content-type': JSON_TYPE, ...reply.headers };
  if (transport?.kind === 'truncated') {
    const cut = body.subarray(0, Math.floor(body.length / 2));
    res.writeHead(reply.status, { ...headers, 'content-length': cut.length });
    res.end(cut);
    return;
  }
  res.writeHead(reply.status, { ...headers, 'content-length': body.length });
  if (transport?.kind === 'reset') {
    // Promise the whole body, deliver half, then drop the connection: the client sees a reset mid-body.
    res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.socket?.destroy());
    return;
  }
  res.end(body);
}

export function sendJson(res: ServerResponse, status: number, value: object): void {
  const body = Buffer.from(JSON.stringify(value));
  res.writeHead(status, { 'content-type': JSON_TYPE, 'content-length': body.length });
  res.end(body);
}
