import type { Knex } from 'knex';
import * as initial from './migrations/20261129000000_initial.js';
import * as enrichmentJobs from './migrations/20261130000000_enrichment_jobs.js';
import * as loginThrottle from './migrations/20261201000000_login_throttle.js';
import * as tokenVersions from './migrations/20261201000001_token_versions.js';
import * as scaleOut from './migrations/20261202000000_scale_out.js';
import * as rateLimits from './migrations/20261202000001_rate_limits.js';
import * as usernameSkeletons from './migrations/20261207000004_username_skeletons.js';
import * as socialProduct from './migrations/20261208000000_social_product.js';
import * as account from './migrations/20261208000005_account.js';
import * as inbox from './migrations/20261209000000_inbox.js';
import * as likeDays from './migrations/20261209000001_like_days.js';
import * as userActivity from './migrations/20261209000002_user_activity.js';

interface Migration {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

// Listed here rather than read from a folder, so the compiled package needs no file globbing.
const migrations: ReadonlyArray<readonly [string, Migration]> = [
  ['20261129000000_initial', initial],
  ['20261130000000_enrichment_jobs', enrichmentJobs],
  ['20261201000000_login_throttle', loginThrottle],
  ['20261201000001_token_versions', tokenVersions],
  ['20261202000000_scale_out', scaleOut],
  ['20261202000001_rate_limits', rateLimits],
  ['20261207000004_username_skeletons', usernameSkeletons],
  ['20261208000000_social_product', socialProduct],
  ['20261208000005_account', account],
  ['20261209000000_inbox', inbox],
  ['20261209000001_like_days', likeDays],
  ['20261209000002_user_activity', userActivity],
];

export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: () => Promise.resolve(migrations.map(([name]) => name)),
  getMigrationName: (name) => name,
  getMigration: (name) => {
    const found = migrations.find(([candidate]) => candidate === name);
    if (!found) throw new Error(`Unknown migration ${name}`);
    return Promise.resolve(found[1]);
  },
};
