import { DEFAULT_DEPLOYMENT } from '../support/deployments.js';
import type { DeployedPlaza } from '../http/deployPlaza.js';
import { startPlazaTarget } from '../http/plazaTarget.js';
import {
  ANALYTICS_SCRYPT_LOG_N,
  analyticsDatabase,
  type AnalyticsSeed,
} from './analyticsDatabase.js';

/** Plaza on a database of many likes, and what the analytics cases send it. */
export interface AnalyticsFixtures {
  readonly target: DeployedPlaza;
  readonly seed: AnalyticsSeed;
  /** `JWT …` of u1. */
  readonly authorization: string;
  /** The year asked for: 365 days ending on the seed's last day. */
  readonly yearPath: string;
}

const DAY_MS = 86_400_000;

/**
 * The analytics cases' Plaza, one database size at a time: the database (built or copied, see
 * analyticsDatabase.ts) served as the default bench serves Plaza (SQLite, in this process),
 * u1 signed in through Plaza's own login. Made on first use; the previous size is closed
 * first, so that one of the large files is served at a time. Closed by `close()`.
 */
export function analyticsStage(setting: { readonly jwtSecret: string; readonly dir: string }): {
  readonly fixtures: (likes: number) => Promise<AnalyticsFixtures>;
  close(): Promise<void>;
} {
  let current: { likes: number; made: Promise<AnalyticsFixtures> } | undefined;
  const closeCurrent = async () => {
    const made = await current?.made.catch(() => undefined);
    current = undefined;
    await made?.target.close();
  };
  return {
    async fixtures(likes) {
      if (current?.likes === likes) return current.made;
      await closeCurrent();
      const made = (async (): Promise<AnalyticsFixtures> => {
        console.log(`preparing the database of ${likes.toLocaleString('en-US')} likes…`);
        const { file, seed } = await analyticsDatabase(setting.dir, likes, setting.jwtSecret);
        const served = await startPlazaTarget({
          databaseUrl: `sqlite:${file}`,
          jwtSecret: setting.jwtSecret,
          scrypt: { logN: ANALYTICS_SCRYPT_LOG_N },
        });
        const target: DeployedPlaza = {
          deployment: DEFAULT_DEPLOYMENT,
          origins: [served.origin],
          plaza: served.plaza,
          cpu: {},
          inProcess: true,
          drain: served.drain,
          close: () => served.close(),
        };
        const { token } = await served.plaza.auth.login({
          username: 'u1',
          password: seed.password,
        });
        const to = seed.lastDay;
        const from = new Date(Date.parse(`${to}T00:00:00Z`) - 364 * DAY_MS)
          .toISOString()
          .slice(0, 10);
        return {
          target,
          seed,
          authorization: `JWT ${token}`,
          yearPath: `/api/analitics/?date_from=${from}&date_to=${to}`,
        };
      })();
      current = { likes, made };
      return made;
    },
    close: closeCurrent,
  };
}
