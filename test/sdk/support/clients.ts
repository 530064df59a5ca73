import type { ExecutionContext } from 'ava';
import {
  createClient,
  type ClientOptions,
  type PlazaClient,
  type Session,
  type SignUpInput,
} from '@plaza/client-sdk';
import { strongPassword, uniqueUsername } from '../../support/builders.js';

/** A client whose live events are closed when the test ends, so no socket keeps ava alive. */
export function clientOf(
  t: ExecutionContext,
  baseUrl: string,
  options: ClientOptions = {},
): PlazaClient {
  const client = createClient(baseUrl, options);
  t.teardown(() => client.events.close());
  return client;
}

/** A valid sign-up; override any field. */
export function signUpInput(overrides: Partial<SignUpInput> = {}): SignUpInput {
  const username = overrides.username ?? uniqueUsername('sdk');
  return {
    username,
    password: strongPassword(),
    email: `${username.toLowerCase()}@example.com`,
    ...overrides,
  };
}

export interface SignedUpClient {
  readonly client: PlazaClient;
  readonly session: Session;
  readonly input: SignUpInput;
}

/** A new user, signed up through the SDK, and the client now signed in as them. */
export async function signedUpClient(
  t: ExecutionContext,
  baseUrl: string,
  overrides: Partial<SignUpInput> = {},
  options: ClientOptions = {},
): Promise<SignedUpClient> {
  const client = clientOf(t, baseUrl, options);
  const input = signUpInput(overrides);
  const session = await client.auth.signup(input);
  return { client, session, input };
}
