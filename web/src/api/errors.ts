/** An answer of the API that was not a success: its status and the API's own words. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly code: string | undefined,
  ) {
    super(detail);
    this.name = 'ApiError';
  }
}

/** The server did not answer at all (down, restarting, network gone). */
export class UnreachableError extends Error {
  constructor() {
    super('The Faultline server cannot be reached.');
    this.name = 'UnreachableError';
  }
}
