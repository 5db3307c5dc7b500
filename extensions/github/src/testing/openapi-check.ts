import { readFileSync } from 'node:fs';

/**
 * Checks requests against GitHub's published REST description (`@octokit/openapi`). The description
 * is large (13 MB), so it is read once per test process and only the operations the plugin calls are
 * kept; a request the plugin makes to any other operation fails the check ("not an operation we
 * expect"), which is also how a call to a path GitHub doesn't have shows up.
 */

interface Schema {
  type?: string;
  enum?: unknown[];
  oneOf?: Schema[];
  anyOf?: Schema[];
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  nullable?: boolean;
  $ref?: string;
}

interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: Schema;
  $ref?: string;
}

export interface Operation {
  method: string;
  template: string;
  pattern: RegExp;
  parameters: Parameter[];
  body?: Schema;
  bodyRequired: boolean;
}

/** The operations the plugin uses, as `METHOD template`. */
export const USED_OPERATIONS = [
  'POST /repos/{owner}/{repo}/issues',
  'GET /repos/{owner}/{repo}/issues/{issue_number}',
  'PATCH /repos/{owner}/{repo}/issues/{issue_number}',
  'GET /repos/{owner}/{repo}/issues/{issue_number}/comments',
  'POST /repos/{owner}/{repo}/issues/{issue_number}/comments',
  'POST /repos/{owner}/{repo}/issues/{issue_number}/assignees',
  'DELETE /repos/{owner}/{repo}/issues/{issue_number}/assignees',
  'GET /user',
  'GET /user/{account_id}',
  'GET /repos/{owner}/{repo}/commits',
  'POST /app/installations/{installation_id}/access_tokens',
] as const;

let loaded: Operation[] | undefined;

export function operations(): Operation[] {
  if (loaded) return loaded;
  const file = require.resolve('@octokit/openapi/generated/api.github.com.json');
  const description = JSON.parse(readFileSync(file, 'utf8')) as {
    paths: Record<
      string,
      Record<
        string,
        {
          parameters?: Parameter[];
          requestBody?: { required?: boolean; content: Record<string, { schema: Schema }> };
        }
      >
    >;
    components: Record<string, Record<string, unknown>>;
  };
  const deref = <T extends { $ref?: string }>(value: T): T => {
    if (!value?.$ref) return value;
    const [, , kind, name] = value.$ref.split('/');
    return deref(description.components[kind][name] as T);
  };
  loaded = USED_OPERATIONS.map((entry) => {
    const [method, template] = entry.split(' ');
    const operation = description.paths[template][method.toLowerCase()];
    const body = operation.requestBody?.content['application/json']?.schema;
    return {
      method,
      template,
      pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '([^/]+)')}$`),
      parameters: (operation.parameters ?? []).map(deref),
      body: body && deref(body),
      bodyRequired: operation.requestBody?.required ?? false,
    };
  });
  // The rest of the description is not kept.
  return loaded;
}

function typeProblems(value: unknown, schema: Schema | undefined, where: string): string[] {
  if (!schema || value === undefined) return [];
  if (value === null) return schema.nullable ? [] : [`${where} is null`];
  const choices = schema.oneOf ?? schema.anyOf;
  if (choices)
    return choices.some((c) => typeProblems(value, c, where).length === 0)
      ? []
      : [`${where} matches none of its types`];
  if (schema.enum && !schema.enum.includes(value))
    return [`${where} is ${JSON.stringify(value)}, not one of ${JSON.stringify(schema.enum)}`];
  switch (schema.type) {
    case 'string':
      return typeof value === 'string' ? [] : [`${where} is not a string`];
    case 'integer':
      return Number.isInteger(value) ? [] : [`${where} is not an integer`];
    case 'boolean':
      return typeof value === 'boolean' ? [] : [`${where} is not a boolean`];
    case 'array':
      return Array.isArray(value)
        ? value.flatMap((v, i) => typeProblems(v, schema.items, `${where}[${i}]`))
        : [`${where} is not an array`];
    case 'object':
      return bodyProblems(value, schema, where);
    default:
      return [];
  }
}

function bodyProblems(value: unknown, schema: Schema, where: string): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return [`${where} is not an object`];
  const record = value as Record<string, unknown>;
  const problems = (schema.required ?? [])
    .filter((name) => !(name in record))
    .map((name) => `${where}.${name} is required`);
  if (schema.properties)
    for (const [name, v] of Object.entries(record)) {
      const property = schema.properties[name];
      if (!property) problems.push(`${where}.${name} is not in GitHub's description`);
      else problems.push(...typeProblems(v, property, `${where}.${name}`));
    }
  return problems;
}

/** The operation a request is for and what about it does not match GitHub's description. */
export function checkRequest(
  method: string,
  path: string,
  query: URLSearchParams,
  body: unknown,
): { operation?: Operation; problems: string[] } {
  const operation = operations().find((o) => o.method === method && o.pattern.test(path));
  if (!operation) return { problems: [`${method} ${path} is not an operation we expect`] };
  const problems: string[] = [];
  const queryParameters = operation.parameters.filter((p) => p.in === 'query');
  for (const [name, value] of query) {
    const parameter = queryParameters.find((p) => p.name === name);
    if (!parameter) problems.push(`query parameter ${name} is not in GitHub's description`);
    else if (parameter.schema?.type === 'integer' && !/^\d+$/.test(value))
      problems.push(`query ${name} is not an integer`);
  }
  if (operation.body) {
    if (body === undefined) {
      if (operation.bodyRequired) problems.push('the request body is required');
    } else problems.push(...bodyProblems(body, operation.body, 'body'));
  }
  return { operation, problems };
}
