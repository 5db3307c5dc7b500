/** An error answer of the API: its status, and the `{detail, code}` every error answer carries. */
export class FaultlineApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
  ) {
    super(`${status} ${code}: ${detail}`);
    this.name = new.target.name;
  }

  /** From an answer that is not a success: its `{detail, code}` body, or what can be said without one. */
  static async from(response: Response, body?: unknown): Promise<FaultlineApiError> {
    const answer = body ?? (await response.json().catch(() => undefined));
    const { code, detail } = (answer ?? {}) as { code?: unknown; detail?: unknown };
    return new this(
      response.status,
      typeof code === 'string' ? code : 'http_error',
      typeof detail === 'string' ? detail : response.statusText,
    );
  }
}

/**
 * The change stream can't resume from the cursor given: the changes after it are past retention
 * (410 `cursor_expired`). Reload what you show, then open the stream again without a cursor.
 */
export class CursorExpiredError extends FaultlineApiError {}
