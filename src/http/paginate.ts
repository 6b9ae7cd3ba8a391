import type { ApiResponse, DigitalOceanClient, RequestOptions } from './client.js';
import { ApiError, describeStatus } from './errors.js';

export const PER_PAGE = 200;
/** What DigitalOcean uses when no per_page is sent (lists documented as unpaged). */
const DEFAULT_PER_PAGE = 20;

export type PageStyle = 'none' | 'page' | 'token';

export interface Page {
  body: Record<string, unknown>;
  /** `meta.total` when the API gave it: the number of records the whole list holds. */
  total?: number;
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

function metaTotal(body: Record<string, unknown>): number | undefined {
  const meta = body.meta;
  if (!meta || typeof meta !== 'object') return undefined;
  const total = (meta as Record<string, unknown>).total;
  return typeof total === 'number' && Number.isInteger(total) && total >= 0 ? total : undefined;
}

function asObject(response: ApiResponse, path: string): Record<string, unknown> {
  if (response.body && typeof response.body === 'object' && !Array.isArray(response.body)) {
    return response.body as Record<string, unknown>;
  }
  throw new ApiError('bad_body', path, describeStatus('bad_body', path));
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
 * Every page of one list, in order. Guards instead of loops: a page asked for twice, or more pages
 * than `meta.total` allows, stops the list with an error rather than looping or quietly truncating.
 * A list documented as unpaged is still followed if the API announces a next page.
 */
export async function* paginate(
  client: DigitalOceanClient,
  path: string,
  style: PageStyle,
  query: Readonly<Record<string, string>>,
  options: RequestOptions,
): AsyncGenerator<Page> {
  const base = style === 'none' ? { ...query } : { ...query, per_page: String(PER_PAGE) };
  const seen = new Set<string>();
  let params: Record<string, string> = {};
  let total: number | undefined;
  const perPage = style === 'none' ? DEFAULT_PER_PAGE : PER_PAGE;
  for (let pageCount = 1; ; pageCount++) {
    const key = JSON.stringify(params);
    if (seen.has(key)) throw paginationError(path, `page ${key} was announced twice`);
    seen.add(key);
    const body = asObject(await client.get(path, { ...base, ...params }, options), path);
    total ??= metaTotal(body);
    if (total !== undefined && pageCount > Math.max(1, Math.ceil(total / perPage))) {
      throw paginationError(path, `more pages than meta.total=${total} allows`);
    }
    yield { body, total };
    const link = nextLink(body);
    if (!link) return;
    const next = nextParams(link, style);
    if (!next) throw paginationError(path, 'the next-page link has no usable page parameter');
    params = next;
  }
}

function paginationError(path: string, detail: string): ApiError {
  return new ApiError('pagination', path, `${describeStatus('pagination', path)} (${detail})`);
}
