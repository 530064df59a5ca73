import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { default as addFormats } from 'ajv-formats';
import { openApiDocument, type OpenApiDocument } from '@plaza/server-koa';

const DOCUMENT_ID = 'plaza:openapi.json';

/** A path of the document as a pattern: `/docs/{asset}` matches `/docs/swagger-ui.css`. */
const pathPattern = (template: string): RegExp =>
  new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{\w+\}/g, '[^/]+')}$`);

/** JSON Pointer escaping of one segment (RFC 6901). */
const pointer = (segment: string): string => segment.replace(/~/g, '~0').replace(/\//g, '~1');

interface Responses {
  readonly [status: string]: { readonly content?: Record<string, { schema?: unknown }> };
}

/**
 * Checks answers against the response schemas of Plaza's OpenAPI document, the one the server
 * serves at `/openapi.json`, with Ajv's JSON Schema 2020-12 (OpenAPI 3.1's dialect).
 */
export class OpenApiAnswers {
  readonly #ajv: Ajv2020;
  readonly #paths: readonly (readonly [RegExp, string])[];
  readonly #validators = new Map<string, ValidateFunction>();

  constructor(readonly document: OpenApiDocument) {
    this.#ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats.default(this.#ajv);
    this.#ajv.addSchema({ ...document, $id: DOCUMENT_ID });
    this.#paths = Object.keys(document.paths).map((path) => [pathPattern(path), path] as const);
  }

  /**
   * What is wrong with `body` as the answer `status` to `method path` (a path without its
   * query), or undefined when the document allows it. A path or method the document does not
   * have must be answered with an error, in the error format.
   */
  problemWith(method: string, path: string, status: number, body: unknown): string | undefined {
    const template = this.#paths.find(([pattern]) => pattern.test(path))?.[1];
    const operation =
      template === undefined ? undefined : this.document.paths[template]?.[method.toLowerCase()];
    if (template === undefined || operation === undefined) {
      if (status < 400) return `the document has no ${method} ${path}, yet it answered ${status}`;
      return this.#check(`#/components/schemas/Error`, body);
    }
    const responses = operation['responses'] as Responses;
    const key = String(status) in responses ? String(status) : 'default';
    if (responses[key]?.content?.['application/json']?.schema === undefined) {
      return `the document gives ${method} ${template} no JSON answer for ${status}`;
    }
    const at = ['paths', template, method.toLowerCase(), 'responses', key, 'content']
      .map(pointer)
      .join('/');
    return this.#check(`#/${at}/application~1json/schema`, body);
  }

  #check(fragment: string, body: unknown): string | undefined {
    let validate = this.#validators.get(fragment);
    if (validate === undefined) {
      validate = this.#ajv.compile({ $ref: `${DOCUMENT_ID}${fragment}` });
      this.#validators.set(fragment, validate);
    }
    if (validate(body)) return undefined;
    return `${fragment}: ${this.#ajv.errorsText(validate.errors, { dataVar: 'answer' })}`;
  }
}

let shared: OpenApiAnswers | undefined;

/** The checker of the document this code serves, built once per test process. */
export function openApiAnswers(): OpenApiAnswers {
  shared ??= new OpenApiAnswers(openApiDocument());
  return shared;
}
