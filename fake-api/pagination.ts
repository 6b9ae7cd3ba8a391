/**
 * DigitalOcean's paging: `page` / `per_page` (default 20, at most 200) with absolute links in
 * `links.pages` and the total in `meta.total`; `page_token` for the registry's V2 listings; billing
 * insights say where they are in the body instead (`total_items`, `total_pages`, `current_page`).
 */
import type { StreamDef } from '../src/streams/types.js';
import type { JsonObject } from './data/types.js';
import type { LinkQuirks } from './faults.js';

export const DEFAULT_PER_PAGE = 20;
export const MAX_PER_PAGE = 200;

export interface Paging {
  mode: 'page' | 'token' | 'total_pages';
  /** 1-based page number (in token mode: the page the offset falls in, for the links). */
  page: number;
  perPage: number;
  /** Index of the first record of this page. */
  offset: number;
}

export type PagingResult = { ok: true; paging: Paging | null } | { ok: false; status: 400 | 422; message: string };

const POSITIVE_INT = /^[1-9]\d{0,8}$/;

/** null paging: the row returns everything at once (no paging parameters, links or meta). */
export function parsePaging(def: StreamDef, query: URLSearchParams, tokenSecret: number): PagingResult {
  if (def.pagination === 'none' || def.shape === 'object') return { ok: true, paging: null };
  const perPageRaw = query.get('per_page');
  let perPage = DEFAULT_PER_PAGE;
  if (perPageRaw !== null) {
    if (!POSITIVE_INT.test(perPageRaw) || Number(perPageRaw) > MAX_PER_PAGE) {
      return { ok: false, status: 422, message: `per_page must be an integer between 1 and ${MAX_PER_PAGE}` };
    }
    perPage = Number(perPageRaw);
  }
  const pageRaw = query.get('page');
  if (pageRaw !== null && !POSITIVE_INT.test(pageRaw)) return { ok: false, status: 422, message: 'page must be a positive integer' };
  const page = pageRaw === null ? 1 : Number(pageRaw);
  const token = def.pagination === 'token' ? query.get('page_token') : null;
  if (token !== null && token !== '') {
    // The registry ignores `page` when a page_token is given.
    const offset = decodePageToken(token, tokenSecret);
    if (offset === undefined) return { ok: false, status: 400, message: 'invalid page_token' };
    return { ok: true, paging: { mode: 'token', page: Math.floor(offset / perPage) + 1, perPage, offset } };
  }
  return { ok: true, paging: { mode: def.pagination, page, perPage, offset: (page - 1) * perPage } };
}

/** Opaque to the client, checkable by us: the offset and a checksum under the account's secret. */
export function encodePageToken(offset: number, secret: number): string {
  return Buffer.from(`${offset}.${checksum(offset, secret)}`).toString('base64url');
}

export function decodePageToken(token: string, secret: number): number | undefined {
  const m = /^(\d{1,12})\.(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!m) return undefined;
  const offset = Number(m[1]);
  return checksum(offset, secret) === Number(m[2]) ? offset : undefined;
}

function checksum(offset: number, secret: number): number {
  return (Math.imul(offset ^ secret, 0x9e3779b1) >>> 0) % 1_000_000;
}

export interface LinkContext {
  /** `http://127.0.0.1:PORT`. */
  origin: string;
  pathname: string;
  /** The request's other query parameters, kept in the links as the real API keeps them. */
  query: URLSearchParams;
  total: number;
  quirks: LinkQuirks;
  tokenSecret: number;
}

/**
 * The paging fields of a paged answer: `links` and `meta`, or for `total_pages` lists the counts, with
 * the link quirks translated (repeatNext: current_page names the page before the one to repeat).
 */
export function pageLinks(paging: Paging, ctx: LinkContext): JsonObject {
  if (paging.mode === 'total_pages') return pageCounts(paging, ctx);
  const pages: Record<string, string> = {};
  const url = (page: number, token?: string): string => buildUrl(ctx, page, paging.perPage, token);
  const repeat = ctx.quirks.repeatNext;
  const repeats = repeat !== undefined && repeat.page === paging.page && ctx.pathname.startsWith(repeat.pathPrefix ?? '');
  if (paging.mode === 'page') {
    const last = Math.max(1, Math.ceil(ctx.total / paging.perPage));
    if (paging.page > 1) {
      pages.first = url(1);
      pages.prev = url(paging.page - 1);
    }
    if (paging.page < last) {
      pages.next = url(repeats ? (repeat.target ?? paging.page) : paging.page + 1);
      pages.last = url(last);
    }
  } else {
    const end = paging.offset + paging.perPage;
    if (end < ctx.total) {
      const nextOffset = repeats ? Math.max(0, ((repeat.target ?? paging.page) - 1) * paging.perPage) : end;
      pages.next = url(Math.floor(nextOffset / paging.perPage) + 1, encodePageToken(nextOffset, ctx.tokenSecret));
    }
  }
  const lies = ctx.quirks.totalDelta !== undefined && ctx.pathname.startsWith(ctx.quirks.totalPathPrefix ?? '');
  const total = lies ? Math.max(0, ctx.total + (ctx.quirks.totalDelta ?? 0)) : ctx.total;
  return { links: Object.keys(pages).length > 0 ? { pages } : {}, meta: { total } };
}

function pageCounts(paging: Paging, ctx: LinkContext): JsonObject {
  const repeat = ctx.quirks.repeatNext;
  const repeats = repeat !== undefined && repeat.page === paging.page && ctx.pathname.startsWith(repeat.pathPrefix ?? '');
  const lies = ctx.quirks.totalDelta !== undefined && ctx.pathname.startsWith(ctx.quirks.totalPathPrefix ?? '');
  const total = lies ? Math.max(0, ctx.total + (ctx.quirks.totalDelta ?? 0)) : ctx.total;
  return {
    total_items: total,
    // At least one page, even when the range holds nothing.
    total_pages: Math.max(1, Math.ceil(total / paging.perPage)),
    current_page: repeats ? (repeat.target ?? paging.page) - 1 : paging.page,
  };
}

function buildUrl(ctx: LinkContext, page: number, perPage: number, token?: string): string {
  const params = new URLSearchParams();
  params.set('page', String(page));
  if (token !== undefined) params.set('page_token', token);
  params.set('per_page', String(perPage));
  for (const [k, v] of ctx.query) if (k !== 'page' && k !== 'per_page' && k !== 'page_token') params.append(k, v);
  const foreign = ctx.quirks.foreignLinks;
  const origin = foreign?.origin ?? ctx.origin;
  const path = foreign?.path ?? ctx.pathname;
  return `${origin}${path}?${params.toString()}`;
}
