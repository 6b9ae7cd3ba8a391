import { ApiError, type ErrorKind } from './errors.js';

/**
 * A failed S3 request: the ApiError kind for the status, plus the S3 error code (AccessDenied,
 * NoSuchCORSConfiguration …). Apart from the Spaces client (src/http/s3.ts) so that code which only
 * recognises the error does not load the S3 signer and XML parser: most syncs never speak S3.
 */
export class S3Error extends ApiError {
  constructor(
    kind: ErrorKind,
    what: string,
    message: string,
    status?: number,
    readonly code?: string,
    /** The answer itself was refused (a DOCTYPE or ENTITY declaration): asking again cannot help. */
    readonly refused = false,
  ) {
    super(kind, what, message, status, code);
    this.name = 'S3Error';
  }
}
