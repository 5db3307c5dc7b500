/**
 * The small family of typed errors used across Faultline. Each carries an HTTP status, a
 * machine-readable `code` and a human sentence that says what to fix. They are mapped to HTTP
 * answers in exactly one place (`http/error-middleware.ts`).
 */
export abstract class FaultlineError extends Error {
  abstract readonly status: number;
  abstract readonly code: string;
  /** Extra headers to send with the answer (e.g. Retry-After). */
  readonly headers: Record<string, string> = {};

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }

  /** The JSON answer: `{detail, code}` everywhere, except where a standard names another shape. */
  answer(): Record<string, unknown> {
    return { detail: this.message, code: this.code };
  }
}

/** The request is malformed; the message names the problem. */
export class BadRequestError extends FaultlineError {
  readonly status = 400;
  constructor(
    message: string,
    readonly code: string = 'bad_request',
  ) {
    super(message);
  }
}

/** No credentials, or credentials we don't recognise. */
export class AuthError extends FaultlineError {
  readonly status = 401;
  constructor(
    message: string,
    readonly code: string = 'unauthorized',
  ) {
    super(message);
  }
}

/** Credentials recognised, but not allowed to do this (e.g. a disabled key). */
export class ForbiddenError extends FaultlineError {
  readonly status = 403;
  constructor(
    message: string,
    readonly code: string = 'forbidden',
  ) {
    super(message);
  }
}

/** The thing does not exist, or the caller may not know that it does. */
export class NotFoundError extends FaultlineError {
  readonly status = 404;
  constructor(
    message: string,
    readonly code: string = 'not_found',
  ) {
    super(message);
  }
}

/** The body (or one item of it) is larger than the configured limit. */
export class PayloadTooLargeError extends FaultlineError {
  readonly status = 413;
  constructor(
    message: string,
    readonly code: string = 'payload_too_large',
  ) {
    super(message);
  }
}

/** A rate limit was exceeded; `retryAfterSeconds` tells the client when to try again. */
export class RateLimitedError extends FaultlineError {
  readonly status = 429;
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    readonly code: string = 'rate_limited',
    extraHeaders: Record<string, string> = {},
  ) {
    super(message);
    Object.assign(this.headers, { 'Retry-After': String(retryAfterSeconds) }, extraHeaders);
  }
}

/** The request is well formed, but what it asks was refused (e.g. a plugin declined an issue action). */
export class UnprocessableError extends FaultlineError {
  readonly status = 422;
  constructor(
    message: string,
    readonly code: string = 'unprocessable',
  ) {
    super(message);
  }
}

/** Code Faultline called for the request (a plugin) failed; the message names it, the log has details. */
export class BadGatewayError extends FaultlineError {
  readonly status = 502;
  constructor(
    message: string,
    readonly code: string = 'bad_gateway',
  ) {
    super(message);
  }
}

/** Code Faultline called for the request (a plugin) did not answer within its time limit. */
export class GatewayTimeoutError extends FaultlineError {
  readonly status = 504;
  constructor(
    message: string,
    readonly code: string = 'gateway_timeout',
  ) {
    super(message);
  }
}

/** A setting is missing or invalid; raised at start-up only. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/**
 * A dependency (usually the database) failed, or the server is at a limit it keeps to stay up;
 * the client may retry later (after `retryAfterSeconds`, when given, sent as Retry-After).
 */
export class ServiceUnavailableError extends FaultlineError {
  readonly status = 503;
  constructor(
    message: string,
    readonly code: string = 'service_unavailable',
    retryAfterSeconds?: number,
  ) {
    super(message);
    if (retryAfterSeconds !== undefined) this.headers['Retry-After'] = String(retryAfterSeconds);
  }
}

/** The client stopped sending its request body (or headers) for longer than the server waits. */
export class RequestTimeoutError extends FaultlineError {
  readonly status = 408;
  constructor(
    message: string,
    readonly code: string = 'request_timeout',
  ) {
    super(message);
  }
}

/** The request clashes with what exists (a taken slug, an existing membership). */
export class ConflictError extends FaultlineError {
  readonly status = 409;
  constructor(
    message: string,
    readonly code: string = 'conflict',
  ) {
    super(message);
  }
}

/** What was asked for existed once but is gone for good (a change stream cursor past retention). */
export class GoneError extends FaultlineError {
  readonly status = 410;
  constructor(
    message: string,
    readonly code: string = 'gone',
  ) {
    super(message);
  }
}

/** The body comes in a media type the route does not take (e.g. JSON sent as `text/plain`). */
export class UnsupportedMediaTypeError extends FaultlineError {
  readonly status = 415;
  constructor(
    message: string,
    readonly code: string = 'unsupported_media_type',
  ) {
    super(message);
  }
}

/**
 * An OAuth 2.0 error (RFC 6749 §5.2, RFC 8628 §3.5), answered in the shape those RFCs fix, so
 * off-the-shelf OAuth clients understand it: `{error, error_description}`, with `code` as `error`
 * (`authorization_pending`, `slow_down`, `invalid_grant`…). Only the `/oauth/` endpoints throw it.
 */
export class OAuthError extends FaultlineError {
  constructor(
    readonly code: string,
    message: string,
    /** 400 for all but `invalid_client`, which is 401 (RFC 6749 §5.2). */
    readonly status: number = code === 'invalid_client' ? 401 : 400,
  ) {
    super(message);
    // A token endpoint's answers are never cached (RFC 6749 §5.1 and §5.2).
    this.headers['Cache-Control'] = 'no-store';
  }

  override answer(): Record<string, unknown> {
    return { error: this.code, error_description: this.message };
  }
}

/**
 * A route answered something its declaration doesn't describe (a status or a body shape). Only
 * raised where answers are checked (the tests; see api/contract.ts): a bug of ours, hence 500.
 */
export class UndeclaredAnswerError extends FaultlineError {
  readonly status = 500;
  readonly code = 'undeclared_answer';
}
