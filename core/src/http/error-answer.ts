import { z } from 'zod';

/**
 * The body of every error answer (see error-middleware.ts): a sentence saying what went wrong and
 * what to fix, and a machine-readable code. Declared once for the middleware that writes it and
 * for the API description that promises it.
 */
export const errorAnswerSchema = z
  .strictObject({
    detail: z.string().describe('What went wrong and what to fix'),
    code: z.string().describe('A machine-readable code, e.g. `invalid_request` or `cursor_expired`'),
  })
  .meta({ id: 'Error' });

export type ErrorAnswer = z.infer<typeof errorAnswerSchema>;
