import type { ApiResponse, DigitalOceanClient, RequestOptions } from './client.js';
import { ApiError, describeStatus } from './errors.js';

export const PER_PAGE = 200;
/** What DigitalOcean uses when no per_page is sent (lists documented as unpaged). */
const DEFAULT_PER_PAGE = 20;

export type PageStyle = 'none' | 'page' | 'token' | 'total_pages';

/**
 * Hard cap on the pages of one list (config max_pages_per_list): DigitalOcean's whole hourly quota per
 * token. A list that goes on past it is stopped as endless rather than followed for ever.
 */
export const DEFAULT_MAX_PAGES = 5_000;

/** What makes every list end, besides the guards on page numbers and tokens. */
export interface ListGuards {
  /** Pages one list may have (DEFAULT_MAX_PAGES when not given). */
  maxPages?: number;
  /**
   * How many items a page holds, when the caller knows where they are: a page with none that still
   * links to a next one is an error, since such a list need never end.
   */
  itemsIn?: (body: Record<string, unknown>) => number | undefined;
}

export interface Page {
  body: Record<string, unknown>;
  /** `meta.total` when the API gave it: the number of records the whole list holds. */
  total?: number;
  /** Something the reader should log about this page (how it was read), never an error. */
  note?: string;
}

/** `links.pages.next` of a DigitalOcean list body, if any. */
function nextLink(body: Record<string, unknown>): string | undefined {
  const links = body.links;
  if (!links || typeof links !== 'object') return undefined;
  const pages = (links as Record<string, unknown>).pages;
  if (!pages || typeof pages !== 'object') return undefined;
  const next = (pages as Record<string, unknown>).next;
  return typeof next === 'string' && next.length > 0 ? next : undefined;
}

function count(body: Record<string, unknown>, key: string): number | undefined {
  const value = body[key];
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
}

/**
 * Lists that say where they are in the body (`current_page` of `total_pages`) instead of linking:
 * the next page, or none after the last. Both counts are optional in the OpenAPI (billing insights'
 * `billing_data_points` schema requires neither): a page without them is read as the only page, and
 * `note` says so.
 */
function countedNext(body: Record<string, unknown>): { link?: string; note?: string } {
  const current = count(body, 'current_page');
  const pages = count(body, 'total_pages');
  if (current === undefined || pages === undefined) {
    return { note: 'the page gave no current_page / total_pages; read as the only page' };
  }
  return { link: current < pages ? `?page=${current + 1}` : undefined };
}

function metaTotal(body: Record<string, unknown>): number | undefined {
  const meta = body.meta;
  if (!meta || typeof meta !== 'object') return undefined;
  const total = (meta as Record<string, unknown>).total;
  return typeof total === 'number' && Number.isInteger(total) && total >= 0 ? total : undefined;
}

function asObject(response: ApiResponse, path: string): Record<string, unknown> {
  const body = response.body;
  if (body && typeof body === 'object' && !Array.isArray(body)) return body as Record<string, unknown>;
  const received = Array.isArray(body) ? `a JSON array (${body.length} items)` : body === null ? 'JSON null' : `a JSON ${typeof body}`;
  throw new ApiError('bad_body', path, describeStatus('bad_body', path, undefined, undefined, received));
}

/**
 * Only the paging parameter is taken from DigitalOcean's next link; it is applied to our own path on
 * our own origin, because the link may name another host or path and must never receive the token.
 */
function nextParams(link: string, style: PageStyle): Record<string, string> | undefined {
  let url: URL;
  try {
    url = new URL(link, 'http://link.invalid');
  } catch {
    return undefined;
  }
  const token = url.searchParams.get('page_token');
  if (style === 'token' || token !== null) {
    if (token === null || token === '') return undefined;
    const page = url.searchParams.get('page');
    return page === null ? { page_token: token } : { page_token: token, page };
  }
  const page = Number(url.searchParams.get('page'));
  return Number.isInteger(page) && page >= 1 ? { page: String(page) } : undefined;
}

/**
 * Every page of one list, in order. Guards instead of loops: a page asked for twice, numbered pages
 * out of sequence, more pages than `meta.total` allows, an empty page that links to a next one, or more
 * pages than the hard cap, stops the list with an error rather than looping, re-reading or quietly
 * truncating: every list ends.
 * A list documented as unpaged is still followed if the API announces a next page.
 *
 * Once the first page gives `meta.total`, up to `prefetch` pages are requested ahead of the one being
 * read; each is used only when the next link actually names it, so the guards above still decide.
 */
export async function* paginate(
  client: DigitalOceanClient,
  path: string,
  style: PageStyle,
  query: Readonly<Record<string, string>>,
  options: RequestOptions,
  prefetch = 1,
  guards: ListGuards = {},
): AsyncGenerator<Page> {
  const maxPages = guards.maxPages ?? DEFAULT_MAX_PAGES;
  const base = style === 'none' ? { ...query } : { ...query, per_page: String(PER_PAGE) };
  const fetchPage = (params: Record<string, string>): Promise<ApiResponse> => client.get(path, { ...base, ...params }, options);
  const seen = new Set<string>();
  const ahead = new Map<string, Promise<ApiResponse>>();
  let params: Record<string, string> = {};
  let total: number | undefined;
  const perPage = style === 'none' ? DEFAULT_PER_PAGE : PER_PAGE;
  /** Number of the page just read, for lists paged by number (the first request sends no `page`: page 1). */
  let pageNumber = 1;
  for (let pageCount = 1; ; pageCount++) {
    const key = JSON.stringify(params);
    if (seen.has(key)) throw paginationError(path, `page ${key} was announced twice`);
    seen.add(key);
    const pending = ahead.get(key) ?? fetchPage(params);
    ahead.delete(key);
    const body = asObject(await pending, path);
    total ??= style === 'total_pages' ? count(body, 'total_items') : metaTotal(body);
    const lastPage = total === undefined ? undefined : Math.max(1, Math.ceil(total / perPage));
    if (lastPage !== undefined && pageCount > lastPage) {
      throw paginationError(path, `more pages than meta.total=${total} allows`);
    }
    if (style === 'page' && lastPage !== undefined) {
      for (let page = pageCount + 1; page <= Math.min(lastPage, pageCount + prefetch - 1); page++) {
        const aheadKey = JSON.stringify({ page: String(page) });
        if (ahead.has(aheadKey) || seen.has(aheadKey)) continue;
        const request = fetchPage({ page: String(page) });
        request.catch(() => undefined); // read (and rethrown) only if the list gets that far
        ahead.set(aheadKey, request);
      }
    }
    const counted = style === 'total_pages' ? countedNext(body) : undefined;
    yield counted?.note === undefined ? { body, total } : { body, total, note: counted.note };
    const link = counted ? counted.link : nextLink(body);
    if (!link) return;
    if (guards.itemsIn?.(body) === 0) throw paginationError(path, `page ${pageCount} holds no items yet links to a next page`);
    if (pageCount >= maxPages) throw paginationError(path, `more than ${maxPages} pages (max_pages_per_list); the list looks endless`);
    const next = nextParams(link, style);
    if (!next) throw paginationError(path, 'the next-page link has no usable page parameter');
    if (next.page_token === undefined) {
      // Numbered pages must follow each other: going back re-reads records, skipping ahead misses some.
      const announced = Number(next.page);
      if (announced !== pageNumber + 1) throw paginationError(path, `page ${pageNumber} announced page ${announced} as the next one`);
      pageNumber = announced;
    }
    params = next;
  }
}

function paginationError(path: string, detail: string): ApiError {
  return new ApiError('pagination', path, `${describeStatus('pagination', path)} (${detail})`);
}
