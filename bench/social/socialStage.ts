import { DEFAULT_DEPLOYMENT } from '../support/deployments.js';
import type { DeployedPlaza } from '../http/deployPlaza.js';
import { startPlazaTarget } from '../http/plazaTarget.js';
import {
  SOCIAL_SCRYPT_LOG_N,
  SOCIAL_SIZE,
  socialDatabase,
  type SocialSeed,
} from './socialDatabase.js';

/** Signed-in readers: active users who follow 50 people each. */
const READERS = 50;
const FIRST_READER = SOCIAL_SIZE.popularAccounts + 1;
/** The deeper feed page the `feed-deep` case reads: this many `next` cursors in. */
export const DEEP_FEED_PAGE = 10;

/** Plaza on the realistic database, and what the social cases send it. */
export interface SocialFixtures {
  readonly target: DeployedPlaza;
  readonly seed: SocialSeed;
  /** `JWT …` of each reader. */
  readonly authorizations: readonly string[];
  /** Each reader's cursor (`before`) for page `DEEP_FEED_PAGE` of their feed, in reader order. */
  deepFeedCursors(): Promise<readonly number[]>;
}

/**
 * The social cases' Plaza: the realistic database (built or copied, see socialDatabase.ts)
 * served as the default bench serves Plaza (SQLite, in this process), and readers signed in
 * through Plaza's own login. Made on first use, closed by `close()`.
 */
export function socialStage(setting: { readonly jwtSecret: string; readonly dir: string }): {
  readonly fixtures: () => Promise<SocialFixtures>;
  close(): Promise<void>;
} {
  let made: Promise<SocialFixtures> | undefined;
  let target: DeployedPlaza | undefined;
  return {
    fixtures: () =>
      (made ??= (async () => {
        console.log('preparing the realistic database for the social cases…');
        const { file, seed } = await socialDatabase(setting.dir, setting.jwtSecret);
        const served = await startPlazaTarget({
          databaseUrl: `sqlite:${file}`,
          jwtSecret: setting.jwtSecret,
          scrypt: { logN: SOCIAL_SCRYPT_LOG_N },
        });
        const deployed: DeployedPlaza = {
          deployment: DEFAULT_DEPLOYMENT,
          origins: [served.origin],
          plaza: served.plaza,
          cpu: {},
          inProcess: true,
          drain: served.drain,
          close: () => served.close(),
        };
        target = deployed;
        const authorizations: string[] = [];
        for (let i = 0; i < READERS; i += 1) {
          const { token } = await deployed.plaza.auth.login({
            username: `u${FIRST_READER + i}`,
            password: seed.password,
          });
          authorizations.push(`JWT ${token}`);
        }
        let cursors: Promise<number[]> | undefined;
        return {
          target: deployed,
          seed,
          authorizations,
          deepFeedCursors: () =>
            (cursors ??= Promise.all(
              authorizations.map((authorization) =>
                deepCursor(deployed.origins[0]!, authorization),
              ),
            )),
        };
      })()),
    async close() {
      await made?.catch(() => undefined);
      await target?.close();
    },
  };
}

/** Follows `next` over HTTP, as a client pages, to the cursor of page `DEEP_FEED_PAGE`. */
async function deepCursor(origin: string, authorization: string): Promise<number> {
  let before: number | null = null;
  for (let page = 1; page < DEEP_FEED_PAGE; page += 1) {
    const query: string = before === null ? '' : `?before=${before}`;
    const answer = await fetch(`${origin}/feed${query}`, { headers: { authorization } });
    const body = (await answer.json()) as { data?: { next?: number | null } };
    if (!answer.ok || typeof body.data?.next !== 'number') {
      throw new Error(
        `GET /feed${query} did not give a next page (${answer.status}): ${JSON.stringify(body).slice(0, 300)}`,
      );
    }
    before = body.data.next;
  }
  if (before === null) throw new Error('no deep feed cursor');
  return before;
}
