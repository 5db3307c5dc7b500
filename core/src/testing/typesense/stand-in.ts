import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { TypesenseAnswer } from './errors';
import { parseFilter, wordsOf, type Document, type StandInField } from './filter';

/**
 * A local stand-in for a Typesense server (no real one can run here), on loopback, implementing the
 * part of Typesense's documented HTTP API the search adapter uses, with its answers and its errors:
 * collections (create, retrieve, delete), documents import (JSON lines, `action=upsert`), delete
 * by id, and search with q, query_by, filter_by, sort_by, page, per_page, prefix and include_fields.
 * Calls a real server refuses (a field the schema lacks, a bad sort, a missing key) are refused.
 * Tests reach it through the official client at `url`, as Faultline reaches a real server.
 */

export interface TypesenseStandIn {
  url: string;
  apiKey: string;
  /** Every request, as `METHOD /path` (no query string), oldest first. */
  requests: string[];
  /** The documents of a collection by id (for assertions). */
  documents(collection: string): Map<string, Document>;
  /** Down: every connection is cut at once, as when the server is gone; up again: answers as before. */
  setDown(down: boolean): void;
  close(): Promise<void>;
}

interface Collection {
  name: string;
  fields: StandInField[];
  byName: Map<string, StandInField>;
  default_sorting_field: string;
  created_at: number;
  docs: Map<string, Document>;
}

const FIELD_TYPES = new Set([
  'string',
  'string[]',
  'int32',
  'int64',
  'float',
  'bool',
  'int32[]',
  'int64[]',
  'float[]',
  'bool[]',
]);
const NUMERIC = new Set(['int32', 'int64', 'float']);
const MAX_PER_PAGE = 250;

function schemaOf(c: Collection) {
  return {
    name: c.name,
    fields: c.fields,
    default_sorting_field: c.default_sorting_field,
    created_at: c.created_at,
    num_documents: c.docs.size,
  };
}

function createCollection(collections: Map<string, Collection>, body: unknown): Collection {
  const schema = body as { name?: unknown; fields?: unknown; default_sorting_field?: unknown };
  if (typeof schema.name !== 'string' || schema.name === '') {
    throw new TypesenseAnswer(400, 'Parameter `name` is required.');
  }
  if (!Array.isArray(schema.fields)) throw new TypesenseAnswer(400, 'Parameter `fields` is required.');
  if (collections.has(schema.name)) {
    throw new TypesenseAnswer(409, `A collection with name \`${schema.name}\` already exists.`);
  }
  const fields = schema.fields as StandInField[];
  for (const field of fields) {
    if (typeof field?.name !== 'string' || !FIELD_TYPES.has(field.type)) {
      throw new TypesenseAnswer(400, `Field \`${String(field?.name)}\` has an invalid data type.`);
    }
  }
  const byName = new Map(fields.map((field) => [field.name, field]));
  const sorting = typeof schema.default_sorting_field === 'string' ? schema.default_sorting_field : '';
  if (sorting && !byName.has(sorting)) {
    throw new TypesenseAnswer(
      400,
      `Default sorting field is defined as \`${sorting}\` but is not found in the schema.`,
    );
  }
  if (sorting && !NUMERIC.has(byName.get(sorting)!.type)) {
    throw new TypesenseAnswer(400, `Default sorting field \`${sorting}\` is not a sortable type.`);
  }
  const collection = {
    name: schema.name,
    fields,
    byName,
    default_sorting_field: sorting,
    created_at: Math.floor(Date.now() / 1000),
    docs: new Map(),
  };
  collections.set(schema.name, collection);
  return collection;
}

/** Why Typesense would refuse this document, or undefined. */
function documentProblem(c: Collection, doc: Document): string | undefined {
  if (typeof doc.id !== 'string') return "Document's `id` field should be a string.";
  for (const field of c.fields) {
    const value = doc[field.name];
    if (value === undefined || value === null) {
      if (field.optional) continue;
      return `Field \`${field.name}\` has been declared in the schema, but is not found in the document.`;
    }
    const base = field.type.replace('[]', '');
    const array = field.type.endsWith('[]');
    const items = array ? (Array.isArray(value) ? value : undefined) : [value];
    const fits = (item: unknown) =>
      base === 'string'
        ? typeof item === 'string'
        : base === 'bool'
          ? typeof item === 'boolean'
          : typeof item === 'number' &&
            (base === 'float' || Number.isInteger(item)) &&
            (base !== 'int32' || Math.abs(item) <= 2_147_483_647);
    if (!items || !items.every(fits))
      return `Field \`${field.name}\` must be ${array ? 'an array of' : 'a'} ${base}.`;
  }
  return undefined;
}

function importDocuments(c: Collection, action: string | null, body: string): string {
  if (action !== null && !['create', 'upsert', 'update', 'emplace'].includes(action)) {
    throw new TypesenseAnswer(400, 'Parameter `action` must be one of create, upsert, update, emplace.');
  }
  const results = body
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      let doc: Document;
      try {
        doc = JSON.parse(line) as Document;
      } catch {
        return { success: false, error: 'Bad JSON.', document: line };
      }
      const problem = documentProblem(c, doc);
      if (problem) return { success: false, error: problem, document: line };
      if ((action ?? 'create') === 'create' && c.docs.has(doc.id as string)) {
        return {
          success: false,
          error: 'A document with id ' + String(doc.id) + ' already exists.',
          document: line,
        };
      }
      c.docs.set(doc.id as string, doc);
      return { success: true };
    });
  return results.map((result) => JSON.stringify(result)).join('\n');
}

function search(c: Collection, params: URLSearchParams) {
  const q = params.get('q');
  if (q === null) throw new TypesenseAnswer(400, 'Parameter `q` is required.');
  const queryBy = (params.get('query_by') ?? '')
    .split(',')
    .map((f) => f.trim())
    .filter((f) => f !== '');
  if (q !== '*' && queryBy.length === 0) throw new TypesenseAnswer(400, 'Parameter `query_by` is required.');
  for (const name of queryBy) {
    const field = c.byName.get(name);
    if (!field) throw new TypesenseAnswer(404, `Could not find a field named \`${name}\` in the schema.`);
    if (!field.type.startsWith('string')) {
      throw new TypesenseAnswer(400, `Field \`${name}\` should be a string or a string array.`);
    }
  }
  const page = Number(params.get('page') ?? '1');
  const perPage = Number(params.get('per_page') ?? '10');
  if (!Number.isInteger(page) || page < 1)
    throw new TypesenseAnswer(400, 'Parameter `page` must be an unsigned integer.');
  if (!Number.isInteger(perPage) || perPage < 0)
    throw new TypesenseAnswer(400, 'Parameter `per_page` must be an unsigned integer.');
  if (perPage > MAX_PER_PAGE)
    throw new TypesenseAnswer(422, `Only upto ${MAX_PER_PAGE} hits can be fetched per page.`);
  const sorts = (params.get('sort_by') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => {
      const [name, order = 'asc'] = s.split(':');
      const field = c.byName.get(name);
      if (!field || !(NUMERIC.has(field.type) || field.sort)) {
        throw new TypesenseAnswer(404, `Could not find a field named \`${name}\` in the schema for sorting.`);
      }
      if (order !== 'asc' && order !== 'desc')
        throw new TypesenseAnswer(400, 'Order direction should be one of `ASC` or `DESC`');
      return { name, desc: order === 'desc' };
    });
  if (sorts.length > 3) throw new TypesenseAnswer(400, 'Only upto 3 sort_by fields can be specified.');
  if (sorts.length === 0 && c.default_sorting_field)
    sorts.push({ name: c.default_sorting_field, desc: true });
  const filterBy = params.get('filter_by');
  const filter = filterBy ? parseFilter(filterBy, c.byName) : () => true;
  // Every word of q must be a word of one of the fields; with prefix (the default), the last as a prefix.
  const words = q === '*' ? [] : wordsOf(q);
  const prefix = params.get('prefix') !== 'false';
  const textMatches = (doc: Document) => {
    const docWords = queryBy.flatMap((name) => {
      const value = doc[name];
      return (Array.isArray(value) ? value : [value]).flatMap((v) =>
        typeof v === 'string' ? wordsOf(v) : [],
      );
    });
    return words.every((word, i) =>
      prefix && i === words.length - 1 ? docWords.some((w) => w.startsWith(word)) : docWords.includes(word),
    );
  };
  const found = [...c.docs.values()].filter((doc) => filter(doc) && textMatches(doc));
  found.sort((a, b) => {
    for (const { name, desc } of sorts) {
      const x = a[name] as number;
      const y = b[name] as number;
      if (x !== y) return (x < y ? -1 : 1) * (desc ? -1 : 1);
    }
    return 0;
  });
  const include = params
    .get('include_fields')
    ?.split(',')
    .map((f) => f.trim());
  const hits = found.slice((page - 1) * perPage, page * perPage).map((doc) => ({
    document: include ? Object.fromEntries(include.filter((f) => f in doc).map((f) => [f, doc[f]])) : doc,
    highlights: [],
    text_match: 0,
  }));
  return {
    facet_counts: [],
    found: found.length,
    hits,
    out_of: c.docs.size,
    page,
    request_params: { collection_name: c.name, per_page: perPage, q },
    search_cutoff: false,
    search_time_ms: 0,
  };
}

async function bodyOf(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startTypesenseStandIn(apiKey = 'stand-in-key'): Promise<TypesenseStandIn> {
  const collections = new Map<string, Collection>();
  const requests: string[] = [];
  const sockets = new Set<Socket>();
  let down = false;

  async function answer(
    req: http.IncomingMessage,
  ): Promise<{ status: number; body: unknown; text?: string }> {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const path = url.pathname
      .split('/')
      .filter((p) => p !== '')
      .map(decodeURIComponent);
    // Collection names and document ids are the variable parts; `import` and `search` are verbs.
    const route = `${req.method} /${path
      .map((part, i) => (i === 1 || (i === 3 && !['import', 'search'].includes(part)) ? ':x' : part))
      .join('/')}`;
    if (route === 'GET /health') return { status: 200, body: { ok: true } };
    if (
      req.headers['x-typesense-api-key'] !== apiKey &&
      url.searchParams.get('x-typesense-api-key') !== apiKey
    ) {
      throw new TypesenseAnswer(401, 'Forbidden - a valid `x-typesense-api-key` header must be sent.');
    }
    const collectionOf = (name: string) => {
      const c = collections.get(name);
      if (!c) throw new TypesenseAnswer(404, 'Not Found');
      return c;
    };
    switch (route) {
      case 'POST /collections':
        return { status: 201, body: schemaOf(createCollection(collections, JSON.parse(await bodyOf(req)))) };
      case 'GET /collections/:x':
        return { status: 200, body: schemaOf(collectionOf(path[1])) };
      case 'DELETE /collections/:x': {
        const c = collectionOf(path[1]);
        collections.delete(c.name);
        return { status: 200, body: schemaOf(c) };
      }
      case 'POST /collections/:x/documents/import': {
        const c = collectionOf(path[1]);
        const text = importDocuments(c, url.searchParams.get('action'), await bodyOf(req));
        return { status: 200, body: undefined, text };
      }
      case 'GET /collections/:x/documents/search':
        return { status: 200, body: search(collectionOf(path[1]), url.searchParams) };
      case 'DELETE /collections/:x/documents/:x': {
        const c = collectionOf(path[1]);
        const doc = c.docs.get(path[3]);
        if (!doc) throw new TypesenseAnswer(404, `Could not find a document with id: ${path[3]}`);
        c.docs.delete(path[3]);
        return { status: 200, body: doc };
      }
      default:
        throw new TypesenseAnswer(404, 'Not Found');
    }
  }

  const server = http.createServer((req, res) => {
    if (down) {
      req.socket.destroy();
      return;
    }
    requests.push(`${req.method} ${new URL(req.url ?? '/', 'http://stand-in').pathname}`);
    answer(req).then(
      ({ status, body, text }) => {
        res.writeHead(status, { 'Content-Type': text === undefined ? 'application/json' : 'text/plain' });
        res.end(text ?? JSON.stringify(body));
      },
      (error: unknown) => {
        const known = error instanceof TypesenseAnswer;
        const status = known ? error.status : error instanceof SyntaxError ? 400 : 500;
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(
          JSON.stringify({ message: known || status === 400 ? (error as Error).message : String(error) }),
        );
      },
    );
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    if (down) socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    apiKey,
    requests,
    documents: (name) => collections.get(name)?.docs ?? new Map(),
    setDown(value) {
      down = value;
      if (down) for (const socket of sockets) socket.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
