import type { IncomingMessage } from 'node:http';
import { PayloadTooLargeError } from '../errors';

/**
 * Reads a request body as sent, refusing it (a `PayloadTooLargeError` with `tooLargeMessage`) past
 * `limitBytes`, whether declared in Content-Length or counted while reading. A refused body is left
 * partly unread: the answer should close the connection.
 */
export async function readRawBody(
  req: IncomingMessage,
  limitBytes: number,
  tooLargeMessage = `Request bodies are limited to ${limitBytes} bytes`,
): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) throw new PayloadTooLargeError(tooLargeMessage);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    size += buffer.length;
    if (size > limitBytes) throw new PayloadTooLargeError(tooLargeMessage);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}
