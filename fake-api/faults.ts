/**
 * Faults on demand: rules that make chosen requests fail in the ways a real network and API fail.
 * Reproducible: a rule fires on the n-th matching request (after / times) or at a rate drawn from a
 * PRNG seeded by the account seed and the rule's position, so the same request sequence fails the same way.
 */
import { Rng, seedOf } from './data/random.js';

export type Fault =
  /** Answer normally, `ms` later. Not terminal: later rules still apply. */
  | { kind: 'latency'; ms: number }
  /** A DigitalOcean JSON error (401 token revoked, 403, 404 parent deleted, 412, 5xx…). */
  | { kind: 'status'; status: number; message?: string }
  /**
   * 429. `retry-after` (default): retry-after plus ratelimit-* headers; `reset-only`: only the
   * ratelimit-* headers, remaining 0 and reset in the future; `none`: no rate headers at all.
   */
  | { kind: 'rate_limited'; headers?: 'retry-after' | 'reset-only' | 'none'; retryAfterSeconds?: number }
  /** Destroy the socket: before any byte of the answer, or halfway through the body (default). */
  | { kind: 'reset'; when?: 'before-headers' | 'mid-body' }
  /** Accept the request and never answer, until the client gives up or the server closes. */
  | { kind: 'timeout' }
  /** A complete HTTP answer whose JSON body is cut in half (Content-Length matches the cut body). */
  | { kind: 'truncated' }
  /** A text/html error page from a proxy in front of the API (default 502). */
  | { kind: 'html'; status?: number };

export interface FaultRule {
  fault: Fault;
  /** Only requests whose path starts with this. */
  pathPrefix?: string;
  /** Only requests whose path and query match this (a string is compiled as a RegExp). */
  pathRegex?: string | RegExp;
  method?: string;
  /** Only requests made with this token (by its name in the token table). */
  tokenName?: string;
  /** Let this many matching requests through first (401 after N: token revoked mid-sync). */
  after?: number;
  /** Fire this many times, then never again (a burst of n failures, then success). */
  times?: number;
  /** Fire on this fraction of matching requests (0..1), drawn from the seeded PRNG. */
  rate?: number;
}

/** Pagination links that lie, to prove the connector does not trust them blindly. */
export interface LinkQuirks {
  /** Every link points at another origin (and path, if given); only its query is meaningful. */
  foreignLinks?: { origin: string; path?: string };
  /** On `page` of paths starting with `pathPrefix`, `next` points back at page `target` (default: itself). */
  repeatNext?: { page: number; target?: number; pathPrefix?: string };
  /** meta.total = the true total + delta (never below 0). */
  totalDelta?: number;
  /** Restrict totalDelta to paths starting with this. */
  totalPathPrefix?: string;
}

export interface FaultConfig {
  rules?: FaultRule[];
  links?: LinkQuirks;
  /** Added to every answer. */
  latencyMs?: number;
}

export interface FaultRequest {
  method: string;
  pathname: string;
  /** Path and query, as requested. */
  url: string;
  tokenName: string | undefined;
}

export interface FaultDecision {
  latencyMs: number;
  /** The first non-latency fault that fires. */
  fault?: Exclude<Fault, { kind: 'latency' }>;
  /** Index of the rule that produced `fault`. */
  rule?: number;
}

interface RuleState {
  rule: FaultRule;
  regex?: RegExp;
  rng: Rng;
  seen: number;
  fired: number;
}

export class Faults {
  private states: RuleState[] = [];
  private config: FaultConfig = {};

  constructor(private readonly seed: number, config: FaultConfig = {}) {
    this.set(config);
  }

  /** Replaces every rule and quirk; counters start again from zero. */
  set(config: FaultConfig): void {
    this.config = config;
    this.states = (config.rules ?? []).map((rule, k) => ({
      rule,
      regex: rule.pathRegex === undefined ? undefined : typeof rule.pathRegex === 'string' ? new RegExp(rule.pathRegex) : rule.pathRegex,
      rng: new Rng(seedOf(this.seed, 'fault', k)),
      seen: 0,
      fired: 0,
    }));
  }

  get links(): LinkQuirks {
    return this.config.links ?? {};
  }

  decide(req: FaultRequest): FaultDecision {
    const decision: FaultDecision = { latencyMs: this.config.latencyMs ?? 0 };
    this.states.forEach((s, k) => {
      if (!matches(s, req)) return;
      s.seen++;
      if (s.seen <= (s.rule.after ?? 0)) return;
      if (s.rule.times !== undefined && s.fired >= s.rule.times) return;
      if (s.rule.rate !== undefined && !(s.rng.next() < s.rule.rate)) return;
      if (s.rule.fault.kind === 'latency') {
        s.fired++;
        decision.latencyMs += s.rule.fault.ms;
        return;
      }
      // Only the first terminal fault answers; a later one must not count as fired.
      if (decision.fault) return;
      s.fired++;
      decision.fault = s.rule.fault;
      decision.rule = k;
    });
    return decision;
  }
}

function matches(s: RuleState, req: FaultRequest): boolean {
  const r = s.rule;
  if (r.method && r.method.toUpperCase() !== req.method) return false;
  if (r.pathPrefix && !req.pathname.startsWith(r.pathPrefix)) return false;
  if (s.regex) {
    s.regex.lastIndex = 0; // a /g regex remembers where it stopped
    if (!s.regex.test(req.url)) return false;
  }
  if (r.tokenName && r.tokenName !== req.tokenName) return false;
  return true;
}
