import { BadRequestError } from '../../errors';

/**
 * A search string the language can't read: the message points at the offending token (its text
 * and where it starts, counting characters from 1) so the person can fix what they typed; the
 * web UI shows the API's `detail` under the query bar.
 */
export class SearchSyntaxError extends BadRequestError {
  constructor(
    readonly problem: string,
    readonly token: string,
    /** 0-based offset of the token in the query. */
    readonly position: number,
  ) {
    super(`Invalid search at character ${position + 1} ("${token}"): ${problem}`, 'invalid_search');
  }
}

/**
 * A well-formed search an adapter can't answer, because Faultline doesn't keep the data it asks
 * about (yet): a 400 naming the key, rather than a page that is silently empty.
 */
export class UnsupportedSearchError extends BadRequestError {
  constructor(
    readonly key: string,
    reason: string,
  ) {
    super(`Search key "${key}" is not supported: ${reason}`, 'unsupported_search');
  }
}
