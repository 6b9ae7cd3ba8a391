/** DigitalOcean's error bodies, word for word where we know them. */
import type { JsonObject } from './data/types.js';

const BODIES: Readonly<Record<number, { id: string; message: string }>> = {
  400: { id: 'bad_request', message: 'The request could not be understood.' },
  401: { id: 'Unauthorized', message: 'Unable to authenticate you' },
  403: { id: 'Forbidden', message: 'You are not authorized to perform this operation' },
  404: { id: 'not_found', message: 'The resource you were accessing could not be found.' },
  405: { id: 'method_not_allowed', message: 'Method Not Allowed' },
  412: { id: 'precondition_failed', message: 'This API is not supported if you have created multiple registries.' },
  422: { id: 'unprocessable_entity', message: 'request payload validation failed' },
  429: { id: 'too_many_requests', message: 'API Rate limit exceeded.' },
  500: { id: 'server_error', message: 'Unexpected server-side error' },
  502: { id: 'bad_gateway', message: 'Bad Gateway' },
  503: { id: 'service_unavailable', message: 'Service Unavailable' },
  504: { id: 'gateway_timeout', message: 'Gateway Timeout' },
};

/** Validation errors (400, 422) carry a request_id on the real API; the others do not. */
export function errorBody(status: number, message?: string, requestId?: string): JsonObject {
  const known = BODIES[status] ?? { id: status >= 500 ? 'server_error' : 'error', message: `HTTP ${status}` };
  const body: JsonObject = { id: known.id, message: message ?? known.message };
  if (requestId !== undefined && (status === 400 || status === 422)) body.request_id = requestId;
  return body;
}

/** What an HTML error page from a proxy in front of the API looks like. */
export function proxyErrorPage(status: number): string {
  const title = status === 504 ? '504 Gateway Time-out' : status === 503 ? '503 Service Temporarily Unavailable' : '502 Bad Gateway';
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n`;
}
