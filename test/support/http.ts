import { openApiAnswers } from './openApiAnswers.js';

/** A parsed JSON answer with its status and headers. */
export interface ApiResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown>;
  readonly text: string;
}

export interface RequestOptions {
  readonly token?: string;
  /** `JWT` (the original prefix, default) or `Bearer`. */
  readonly scheme?: 'JWT' | 'Bearer';
  /** How to send parameters on a POST: form fields (default) or a JSON body. */
  readonly as?: 'form' | 'json';
  readonly headers?: Record<string, string>;
}

type Params = Readonly<Record<string, string | number>>;

const encode = (params: Params): URLSearchParams =>
  new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]));

/** A small client over fetch for black-box tests of the HTTP contract. */
export class Api {
  constructor(readonly baseUrl: string) {}

  get(path: string, params: Params = {}, options: RequestOptions = {}): Promise<ApiResponse> {
    const query = encode(params);
    const suffix = query.size > 0 ? `?${query.toString()}` : '';
    return this.send('GET', `${path}${suffix}`, undefined, options);
  }

  post(path: string, params: Params = {}, options: RequestOptions = {}): Promise<ApiResponse> {
    const body = options.as === 'json' ? JSON.stringify(params) : encode(params).toString();
    const contentType =
      options.as === 'json' ? 'application/json' : 'application/x-www-form-urlencoded';
    return this.send('POST', path, body, {
      ...options,
      headers: { 'content-type': contentType, ...options.headers },
    });
  }

  async send(
    method: string,
    path: string,
    body: string | Buffer | undefined,
    options: RequestOptions = {},
  ): Promise<ApiResponse> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token !== undefined) {
      headers['authorization'] = `${options.scheme ?? 'JWT'} ${options.token}`;
    }
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body }),
    });
    const text = await response.text();
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new Error(
        `${method} ${path} answered ${response.status} with non-JSON: ${text.slice(0, 200)}`,
      );
    }
    // Every answer the suite receives must be one the OpenAPI document allows.
    const queryAt = path.indexOf('?');
    const problem = openApiAnswers().problemWith(
      method,
      queryAt === -1 ? path : path.slice(0, queryAt),
      response.status,
      parsed,
    );
    if (problem !== undefined) {
      throw new Error(
        `${method} ${path} answered ${response.status}, not as /openapi.json says: ${problem}\n${text.slice(0, 500)}`,
      );
    }
    return { status: response.status, headers: response.headers, body: parsed, text };
  }
}
