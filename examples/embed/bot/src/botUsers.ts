import { randomBytes } from 'node:crypto';
import pMap from 'p-map';
import { createClient, type PlazaClient } from '@plaza/client-sdk';
import type { ProgressFactory } from './progress.js';

/** One user the bot signed up, with the client that acts as them. */
export interface BotUser {
  readonly userId: number;
  readonly username: string;
  readonly client: PlazaClient;
}

export interface SignUpSettings {
  readonly serverUrl: string;
  readonly count: number;
  /** Makes this run's usernames differ from earlier runs' on the same server. */
  readonly runTag: string;
  readonly concurrency: number;
  readonly progress: ProgressFactory;
}

/**
 * Signs up `count` users, at most `concurrency` at once; each gets its own client, already
 * signed in with the token the sign-up returned.
 *
 * @example const users = await signUpUsers({ serverUrl, count: 10, runTag: 'k3x', … })
 */
export async function signUpUsers(settings: SignUpSettings): Promise<BotUser[]> {
  const progress = settings.progress('sign-up', settings.count);
  const users = await pMap(
    Array.from({ length: settings.count }, (_, index) => index),
    async (index) => {
      const client = createClient(settings.serverUrl);
      const username = `bot_${settings.runTag}_${index + 1}`;
      const session = await client.auth.signup({
        username,
        // Random, so it passes the strength check; nobody logs in with it again.
        password: randomBytes(12).toString('base64url'),
        email: `${username}@example.com`,
      });
      progress.advance();
      return { userId: session.user_id, username, client };
    },
    { concurrency: settings.concurrency },
  );
  progress.finish();
  return users;
}
