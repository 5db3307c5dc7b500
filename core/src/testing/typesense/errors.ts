/** An answer the stand-in gives instead of a result, as Typesense does: a status and `{ message }`. */
export class TypesenseAnswer extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}
