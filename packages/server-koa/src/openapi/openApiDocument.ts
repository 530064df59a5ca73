import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { ErrorCode } from '@plaza/core';
import type { InputSpec } from '@plaza/core/host';
import { HTTP_STATUS } from '../middleware/errors.js';
import {
  ROUTES,
  USER_WATCH_ROUTE,
  WIRE_SCHEMAS,
  type RouteDeclaration,
} from '../routes/catalog.js';

/** A JSON Schema or an OpenAPI object: plain JSON. */
type Json = Record<string, unknown>;

/** An OpenAPI 3.1 document, as served at `GET /openapi.json`. */
export interface OpenApiDocument {
  readonly openapi: '3.1.0';
  readonly info: Json;
  readonly tags: readonly Json[];
  readonly paths: Readonly<Record<string, Readonly<Record<string, Json>>>>;
  readonly components: {
    readonly schemas: Readonly<Record<string, Json>>;
    readonly securitySchemes: Json;
  };
}

const SCHEMAS = '#/components/schemas/';

/** Errors any route may answer: a request it cannot read, and a database too busy. */
const EVERY_ROUTE_ERRORS: readonly ErrorCode[] = ['USR_02', 'OFF_01'];

const TAGS = [
  { name: 'auth', description: 'Tokens: log in, check a token' },
  { name: 'users', description: 'Sign up, profiles, sessions, enrichment' },
  { name: 'posts', description: 'Posts and likes' },
  { name: 'live', description: 'The /user-watch WebSocket' },
  { name: 'service', description: 'Health, and this reference' },
];

const DESCRIPTION = [
  'Plaza’s HTTP contract. Parameters come as a query string, form fields ' +
    '(`application/x-www-form-urlencoded`) or a JSON body: all three are accepted on every route.',
  '',
  'Success: `{"code":"OK","data":…}`. Error: `{"code":…,"message":…,"field":…}` with a fitting ' +
    'HTTP status; clients match on `code`. Tokens go in `Authorization: JWT <token>` (the ' +
    'original prefix) or `Authorization: Bearer <token>`.',
].join('\n');

let built: OpenApiDocument | undefined;

/**
 * The OpenAPI 3.1 document of every route, generated from the route catalog: the core's input
 * specs for the parameters, the catalog's wire schemas for the answers. Built once.
 *
 * @example const paths = Object.keys(openApiDocument().paths)
 */
export function openApiDocument(): OpenApiDocument {
  built ??= buildDocument();
  return built;
}

function buildDocument(): OpenApiDocument {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(WIRE_SCHEMAS)) registry.add(schema, { id });
  const routes: RouteDeclaration[] = Object.values(ROUTES);
  for (const route of routes) {
    if ('schema' in route.answer) registry.add(route.answer.schema, { id: answerName(route) });
  }
  const schemas = z.toJSONSchema(registry, { uri: (id) => `${SCHEMAS}${id}` }).schemas;
  const paths: Record<string, Record<string, Json>> = {};
  for (const route of routes) {
    const path = route.path.replace(/:(\w+)/g, '{$1}');
    (paths[path] ??= {})[route.method.toLowerCase()] = operationOf(route);
  }
  paths[USER_WATCH_ROUTE.path] = { get: userWatchOperation() };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Plaza HTTP API',
      version: serverVersion(),
      description: DESCRIPTION,
      license: { name: 'MIT', identifier: 'MIT' },
    },
    tags: TAGS,
    paths,
    components: {
      schemas: Object.fromEntries(
        Object.entries(schemas).map(([id, schema]) => [id, embeddable(schema)]),
      ),
      securitySchemes: {
        token: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: '`Authorization: Bearer <token>`; `Authorization: JWT <token>` works too.',
        },
      },
    },
  };
}

/** What a `viewer` route's description adds. */
const VIEWER_NOTE =
  'A token is optional: with a valid one the answer shows what concerns you (e.g. ' +
  '`liked_by_me`); a missing, malformed, expired or revoked token is read as no token, never ' +
  'AUT_01.';

const answerName = (route: RouteDeclaration): string =>
  `${route.name.charAt(0).toUpperCase()}${route.name.slice(1)}Answer`;

function operationOf(route: RouteDeclaration): Json {
  const description =
    route.auth === 'viewer'
      ? [route.description, VIEWER_NOTE].filter((part) => part !== undefined).join('\n\n')
      : route.description;
  const operation: Json = {
    operationId: route.name,
    tags: [route.tag],
    summary: route.summary,
    ...(description === undefined ? {} : { description }),
  };
  if (route.auth === 'required') operation['security'] = [{ token: [] }];
  if (route.auth === 'optional' || route.auth === 'viewer') {
    operation['security'] = [{}, { token: [] }];
  }
  // Beside `security`, which cannot say that a bad token is read as none.
  if (route.auth === 'viewer') operation['x-plaza-auth'] = 'viewer';
  const parameters: Json[] = [];
  if (route.pathParameter !== undefined) {
    parameters.push({
      name: route.pathParameter.name,
      in: 'path',
      required: true,
      schema: { type: 'string', enum: route.pathParameter.values },
    });
  }
  if (route.input !== undefined) {
    if (route.method === 'GET') parameters.push(...queryParameters(route.input));
    else operation['requestBody'] = requestBody(route.input);
  }
  if (parameters.length > 0) operation['parameters'] = parameters;
  operation['responses'] = responsesOf(route);
  return operation;
}

function queryParameters(input: InputSpec): Json[] {
  return Object.entries(input).map(([name, field]) => ({
    name,
    in: 'query',
    required: field.required,
    schema: inputSchema(field.schema),
  }));
}

function requestBody(input: InputSpec): Json {
  const fields = Object.entries(input);
  const schema: Json = {
    type: 'object',
    properties: Object.fromEntries(
      fields.map(([name, field]) => [name, inputSchema(field.schema)]),
    ),
  };
  const required = fields.filter(([, field]) => field.required).map(([name]) => name);
  if (required.length > 0) schema['required'] = required;
  return {
    required: required.length > 0,
    content: {
      'application/x-www-form-urlencoded': { schema },
      'application/json': { schema },
    },
  };
}

/** What a client may send: the input side of a core schema (its refinements are not shown). */
const inputSchema = (schema: z.ZodType): Json =>
  embeddable(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }));

function responsesOf(route: RouteDeclaration): Json {
  const { answer } = route;
  const responses: Json = {};
  responses[String(answer.status)] =
    'schema' in answer
      ? {
          description: answer.status === 202 ? 'Accepted' : 'OK',
          content: { 'application/json': { schema: { $ref: `${SCHEMAS}${answerName(route)}` } } },
        }
      : {
          description: 'OK',
          content: Object.fromEntries(answer.mediaTypes.map((type) => [type, {}])),
        };
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of new Set([...route.errors, ...EVERY_ROUTE_ERRORS])) {
    const status = HTTP_STATUS[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  for (const [status, codes] of [...byStatus].sort(([a], [b]) => a - b)) {
    responses[String(status)] = errorResponse(codes.join(', '), {
      allOf: [{ $ref: `${SCHEMAS}Error` }, { properties: { code: { enum: codes } } }],
    });
  }
  responses['default'] = errorResponse(
    'A refusal at the HTTP level (405, 413, 415, 417, …) or SRV_01 (500)',
    { $ref: `${SCHEMAS}Error` },
  );
  return responses;
}

const errorResponse = (description: string, schema: Json): Json => ({
  description,
  content: { 'application/json': { schema } },
});

function userWatchOperation(): Json {
  return {
    operationId: USER_WATCH_ROUTE.name,
    tags: ['live'],
    summary: USER_WATCH_ROUTE.summary,
    description: USER_WATCH_ROUTE.description,
    parameters: [
      {
        name: 'format',
        in: 'query',
        required: false,
        description: '`json` for the JSON protocol; the text protocol otherwise.',
        schema: { type: 'string', enum: ['json'] },
      },
    ],
    responses: {
      '101': { description: 'Switching Protocols: the WebSocket is open.' },
      '403': { description: 'A browser page of an origin that is not allowed (no body).' },
    },
  };
}

/** A schema to sit inside the document: no `$schema` or `$id` of its own. */
function embeddable(schema: Json): Json {
  const { $schema: _dialect, $id: _id, ...rest } = schema;
  return rest;
}

function serverVersion(): string {
  const manifest = new URL('../../package.json', import.meta.url);
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}
