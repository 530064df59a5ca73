import { existsSync, statSync } from 'node:fs';
import type { Knex } from 'knex';
import type { Account } from './account/Account.js';
import type { Analytics } from './analytics/Analytics.js';
import { AnalyticsService } from './analytics/AnalyticsService.js';
import type { Activity } from './activity/Activity.js';
import { ActivityService } from './activity/ActivityService.js';
import { LastRequests } from './activity/LastRequests.js';
import { AccountService } from './account/AccountService.js';
import type { Auth } from './auth/Auth.js';
import { AuthService } from './auth/AuthService.js';
import {
  assertStrongSecret,
  jwtSecretPathFor,
  resolveJwtSecret,
  resolveJwtSecretInDatabase,
} from './auth/jwtSecret.js';
import { LoginThrottle, loginThrottleSettings } from './auth/LoginThrottle.js';
import { PasswordHasher } from './auth/PasswordHasher.js';
import { TokenIssuer } from './auth/TokenIssuer.js';
import { TokenVersions, tokenVersionSettings } from './auth/TokenVersions.js';
import { SessionStates } from './sessions/SessionStates.js';
import { SessionStore } from './sessions/SessionStore.js';
import { databaseSourceOf } from './adapters/db/databaseSource.js';
import { openPlazaDatabase } from './adapters/db/startDatabase.js';
import { DatabaseFileGuard } from './adapters/db/DatabaseFileGuard.js';
import { DatabaseWriteHealth } from './adapters/db/DatabaseWriteHealth.js';
import { isDatabaseBusy, unwritableReason } from './adapters/db/dbErrors.js';
import { WriteBatcher } from './adapters/db/WriteBatcher.js';
import { dialectOf } from './adapters/db/createKnex.js';
import {
  DEFAULT_JWT_TTL_SECONDS,
  DEFAULT_PASSWORD_MAX_LENGTH,
  DEFAULT_PASSWORD_MIN_LENGTH,
  DEFAULT_PASSWORD_MIN_SCORE,
  DEFAULT_REFRESH_TOKEN_TTL_SECONDS,
  DEFAULT_SQLITE_BUSY_TIMEOUT_MS,
  OWASP_SCRYPT_COST,
  type PlazaOptions,
} from './config.js';
import { ConfigError, OVERLOADED_MESSAGE, overloaded, PlazaError } from './errors.js';
import type { Enrichment } from './enrichment/Enrichment.js';
import { EnrichmentJobs } from './enrichment/EnrichmentJobs.js';
import { EnrichmentService } from './enrichment/EnrichmentService.js';
import { EnrichmentWorker } from './enrichment/EnrichmentWorker.js';
import type { ProfileEnricher } from './enrichment/ProfileEnricher.js';
import { workerSettings } from './enrichment/workerSettings.js';
import type { Comments } from './comments/Comments.js';
import { CommentService } from './comments/CommentService.js';
import type { EventBus } from './events/EventBus.js';
import { FollowService } from './follows/FollowService.js';
import type { Likes } from './likes/Likes.js';
import { InboxService } from './inbox/InboxService.js';
import { InboxWriter, inboxRetention } from './inbox/InboxWriter.js';
import type { Notifications } from './inbox/Notifications.js';
import { LikeService } from './likes/LikeService.js';
import type { RateLimitStore } from './limits/RateLimitStore.js';
import { silentLogger, type Logger } from './logger.js';
import { Post } from './posts/Post.js';
import type { Posts } from './posts/Posts.js';
import { PostService } from './posts/PostService.js';
import type { EmailVerifier } from './users/EmailVerifier.js';
import { PasswordPolicy } from './users/PasswordPolicy.js';
import { User } from './users/User.js';
import type { Users } from './users/Users.js';
import { UserService } from './users/UserService.js';
import { chooseEmailVerifier } from './wiring/chooseEmailVerifier.js';
import { chooseEventBus } from './wiring/chooseEventBus.js';
import { chooseProfileEnricher } from './wiring/chooseProfileEnricher.js';
import { chooseRateLimitStore } from './wiring/chooseRateLimitStore.js';

/**
 * One Plaza: its own database, models, keys and providers. Several can live in one process.
 */
export interface Plaza {
  readonly users: Users;
  readonly auth: Auth;
  readonly posts: Posts;
  readonly likes: Likes;
  /** Leaving: export everything held about an account, and delete it. */
  readonly account: Account;
  readonly comments: Comments;
  /** The inbox: every event a person is told of, kept; see `Notifications`. */
  readonly notifications: Notifications;
  /** Likes made per day, over a range of days. */
  readonly analytics: Analytics;
  /** When people last signed in and made a request: your own, or anyone's for admins. */
  readonly activity: Activity;
  /** Queues profile enrichment; outcomes arrive as `enrichment.*` events. */
  readonly enrichment: Enrichment;
  /** What happened, for listeners such as the WebSocket endpoint. */
  readonly events: EventBus;
  /** The profile enricher in use (`clearbit`, `hunter`, `fake-clearbit`, yours), if any. */
  readonly profileEnricher: ProfileEnricher | undefined;
  /** The email verifier in use (`hunter`, `fake-hunter`, `none`, or yours). */
  readonly emailVerifier: EmailVerifier;
  /**
   * Request-rate buckets for the server's limits (RAT_01): in the database on PostgreSQL, so
   * that every instance on it enforces one limit; in memory on SQLite. See `rateLimitStore`.
   */
  readonly rateLimits: RateLimitStore;
  /** Resolves when the database answers. */
  health(): Promise<void>;
  /**
   * Stops the job worker (jobs in hand finish first), writes the last request times kept in
   * memory, commits the writes already accepted (later ones get OFF_01), and closes the
   * database (a knex you gave stays open).
   */
  close(): Promise<void>;
}

/**
 * Opens (and migrates) the database and wires the domain together. No HTTP here. A database
 * that cannot be opened, reached or migrated rejects with a DatabaseUnavailable. Inside an
 * app, give it the app's knex instead (`createPlaza({ knex, schema: 'social' })`).
 *
 * @example const plaza = await createPlaza({ databaseUrl: 'sqlite:./data/plaza.sqlite' })
 */
export async function createPlaza(options: PlazaOptions = {}): Promise<Plaza> {
  const logger = options.logger ?? silentLogger;
  const source = databaseSourceOf(options);
  const { databaseFile } = source;
  // Refused before anything touches the disk.
  if (options.jwtSecret !== undefined) assertStrongSecret(options.jwtSecret);
  const jwtTtlSeconds = options.jwtTtlSeconds ?? DEFAULT_JWT_TTL_SECONDS;
  if (!Number.isSafeInteger(jwtTtlSeconds) || jwtTtlSeconds < 1) {
    throw new ConfigError('jwtTtlSeconds must be a positive whole number of seconds.');
  }
  const refreshTokenTtlSeconds =
    options.refreshTokenTtlSeconds ?? DEFAULT_REFRESH_TOKEN_TTL_SECONDS;
  if (!Number.isSafeInteger(refreshTokenTtlSeconds) || refreshTokenTtlSeconds < 1) {
    throw new ConfigError('refreshTokenTtlSeconds must be a positive whole number of seconds.');
  }
  const minLength = options.passwordMinLength ?? DEFAULT_PASSWORD_MIN_LENGTH;
  const maxLength = options.passwordMaxLength ?? DEFAULT_PASSWORD_MAX_LENGTH;
  if (minLength < 8 || maxLength < minLength) {
    throw new ConfigError('passwordMinLength must be at least 8 and at most passwordMaxLength.');
  }
  const minScore = options.passwordMinScore ?? DEFAULT_PASSWORD_MIN_SCORE;
  if (!Number.isInteger(minScore) || minScore < 0 || minScore > 4) {
    throw new ConfigError('passwordMinScore must be a whole number from 0 to 4 (a zxcvbn score).');
  }

  // Looked at before the database is opened, which creates the file if it is missing.
  const lostBeforeStart = databaseFile !== undefined && databaseLooksLost(databaseFile);
  const fileGuard =
    databaseFile === undefined
      ? undefined
      : new DatabaseFileGuard(databaseFile, () =>
          logger.error(
            { path: databaseFile },
            'the database file was deleted or replaced while Plaza ran: writes are refused ' +
              '(OFF_01) and /healthz fails until a restart; restore the file from a backup ' +
              'before restarting, or the restart begins with an empty database',
          ),
        );
  const database = await openPlazaDatabase(source, {
    ...(options.migrate === undefined ? {} : { migrate: options.migrate }),
    busyTimeoutMs: options.sqliteBusyTimeoutMs ?? DEFAULT_SQLITE_BUSY_TIMEOUT_MS,
    ...(options.databasePoolSize === undefined ? {} : { poolSize: options.databasePoolSize }),
    ...(options.databaseQueueLimit === undefined ? {} : { queueLimit: options.databaseQueueLimit }),
    logger,
    ...(fileGuard === undefined ? {} : { fileGuard }),
  });
  const { db, moved, applied } = database;
  let bus: EventBus | undefined;
  try {
    if (lostBeforeStart) {
      logger.warn(
        { path: databaseFile, secret_file: jwtSecretPathFor(databaseFile) },
        'WARNING: started on a new, empty database, but a JWT secret file beside it says a ' +
          'database was here before: was the database file deleted or moved? Stop Plaza and ' +
          'restore it unless starting afresh is intended',
      );
    }
    if (moved.length > 0) {
      logger.info(
        { migrations: moved },
        'migration records moved from knex_migrations to plaza_migrations',
      );
    }
    if (applied.length > 0) logger.info({ migrations: applied }, 'database migrated');
    // Resolved after the database opened, so the data folder exists.
    const secret =
      database.secretInDatabase && options.jwtSecret === undefined
        ? await resolveJwtSecretInDatabase(db, logger)
        : resolveJwtSecret(options.jwtSecret, databaseFile, logger);
    // On PostgreSQL several instances may share the database: events go through it too.
    bus = await chooseEventBus(db, database.postgres, options, logger);
    return assemble(
      db,
      options,
      logger,
      secret,
      bus,
      new DatabaseWriteHealth(fileGuard, databaseFile),
      () => database.release(),
      {
        jwtTtlSeconds,
        refreshTokenTtlSeconds,
        minLength,
        maxLength,
        minScore,
      },
    );
  } catch (error) {
    if (bus !== options.eventBus) await bus?.close();
    await database.release();
    throw error;
  }
}

function assemble(
  db: Knex,
  options: PlazaOptions,
  logger: Logger,
  secret: string,
  events: EventBus,
  writeHealth: DatabaseWriteHealth,
  /** Closes the database, or what Plaza opened on a host app's knex. */
  releaseDatabase: () => Promise<void>,
  limits: {
    jwtTtlSeconds: number;
    refreshTokenTtlSeconds: number;
    minLength: number;
    maxLength: number;
    minScore: number;
  },
): Plaza {
  let closing = false;
  const translate = <T extends object>(service: T): T =>
    translateDatabaseFaults(service, writeHealth, () => closing);
  const hasher = new PasswordHasher({ ...OWASP_SCRYPT_COST, ...options.scrypt }, {}, logger);
  const rateLimits = chooseRateLimitStore(db, options, logger);
  const policy = new PasswordPolicy({
    minLength: limits.minLength,
    maxLength: limits.maxLength,
    minScore: limits.minScore,
  });
  const tokens = new TokenIssuer(secret, limits.jwtTtlSeconds);
  const verifier = chooseEmailVerifier(options, logger);
  const enricher = chooseProfileEnricher(options, logger);
  const settings = workerSettings(options.enrichment);
  const BoundUser = User.bindKnex(db);
  const BoundPost = Post.bindKnex(db);

  const writes = new WriteBatcher(db, undefined, writeHealth);
  const retention = inboxRetention(options.inbox);
  const inbox = new InboxWriter(dialectOf(db), retention);
  const notifications = new InboxService({ db, writes, retention });
  const jobs = new EnrichmentJobs(db);
  let worker: EnrichmentWorker | undefined;
  const enrichment = new EnrichmentService({
    jobs,
    events,
    configured: enricher !== undefined,
    wake: () => worker?.wake(),
    writes,
    inbox,
  });
  const cacheSettings = tokenVersionSettings(options.tokenVersionCacheMs);
  const sessions = new SessionStore(db, limits.refreshTokenTtlSeconds);
  const sessionStates = new SessionStates(db, cacheSettings);
  // Sessions ended by other processes, when the bus reaches them, end here before the TTL ends.
  events.subscribe('auth.session_ended', (ended) => {
    sessionStates.learnEnded(ended.session_id);
  });
  const follows = new FollowService({ db, writes, events, inbox });
  const users = new UserService({
    User: BoundUser,
    policy,
    hasher,
    verifier,
    tokens,
    logger,
    enrichment,
    sessions,
    sessionStates,
    follows,
    writes,
  });
  const throttle = new LoginThrottle(
    db,
    loginThrottleSettings(options.loginThrottle),
    logger,
    Date.now,
    rateLimits,
  );
  const lastRequests = new LastRequests({
    db,
    writes,
    logger,
    ...(options.lastRequestFlushMs === undefined
      ? {}
      : { flushIntervalMs: options.lastRequestFlushMs }),
  });
  events.subscribe('user.deleted', (deleted) => lastRequests.forget(deleted.user_id));
  const versions = new TokenVersions(db, cacheSettings);
  // Revocations by other processes, when the bus reaches them, apply here before the TTL ends.
  events.subscribe('auth.tokens_revoked', (revoked) => {
    versions.learn(revoked.user_id, revoked.token_version);
  });
  events.subscribe('user.deleted', (deleted) => versions.forget(deleted.user_id));
  const auth = new AuthService({
    User: BoundUser,
    policy,
    hasher,
    tokens,
    throttle,
    logger,
    versions,
    events,
    sessions,
    sessionStates,
    lastRequests,
  });
  const activity = new ActivityService({
    db,
    lastRequests,
    adminUsernames: options.adminUsernames ?? [],
  });
  const posts = new PostService({ Post: BoundPost, db, writes, events, inbox });
  const likes = new LikeService({ db, writes, events, inbox, logger });
  const account = new AccountService({
    db,
    writes,
    policy,
    hasher,
    throttle,
    versions,
    events,
    logger,
    lastRequests,
  });
  const comments = new CommentService({ db, writes, events, logger, inbox });
  const analytics = new AnalyticsService(db);
  if (enricher !== undefined && options.enrichment?.worker !== false) {
    worker = new EnrichmentWorker({
      db,
      jobs,
      enricher,
      events,
      writes,
      inbox,
      settings,
      logger,
    });
    worker.start();
  }

  return {
    users: translate(users),
    auth: translate(auth),
    posts: translate(posts),
    likes: translate(likes),
    account: translate(account),
    comments: translate(comments),
    notifications: translate(notifications),
    analytics: translate(analytics),
    activity: translate(activity),
    enrichment: translate(enrichment),
    events,
    emailVerifier: verifier,
    profileEnricher: enricher,
    rateLimits,
    async health() {
      await db.raw('select 1');
      let reason = writeHealth.unwritable();
      if (reason !== undefined && writeHealth.worthProbing()) {
        // The last write failed: one small write says whether storage has recovered since.
        await writes
          .write((trx) =>
            trx('plaza_settings')
              .insert({ key: 'health_probe', value: new Date().toISOString() })
              .onConflict('key')
              .merge(),
          )
          .catch(() => undefined);
        reason = writeHealth.unwritable();
      }
      if (reason !== undefined) {
        throw new PlazaError('OFF_01', OVERLOADED_MESSAGE, {
          hint: `The database cannot be written: ${reason}.`,
        });
      }
    },
    async close() {
      closing = true;
      // In this order: the worker's last jobs save through the batcher, and the batcher's
      // last commits must land before the pool goes.
      await worker?.stop();
      await lastRequests.close();
      await writes.close();
      await events.close();
      await releaseDatabase();
    },
  };
}

/**
 * Whether a database file is missing or empty while the JWT secret generated beside it at an
 * earlier start is there: the database was most likely deleted or moved.
 */
function databaseLooksLost(databaseFile: string): boolean {
  if (!existsSync(jwtSecretPathFor(databaseFile))) return false;
  try {
    return statSync(databaseFile).size === 0;
  } catch {
    return true;
  }
}

/**
 * Wraps a service so that the database's faults surface as OFF_01 ("safe to retry") rather
 * than internal errors: locked past its busy timeout, storage refusing writes (full disk,
 * I/O error, file lost), or closed under a request while Plaza stops.
 */
function translateDatabaseFaults<T extends object>(
  service: T,
  writeHealth: DatabaseWriteHealth,
  closing: () => boolean,
): T {
  return new Proxy(service, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const result: unknown = value.apply(target, args);
        if (!(result instanceof Promise)) return result;
        return result.catch((error: unknown) => {
          writeHealth.noteFailure(error);
          const fault =
            isDatabaseBusy(error) ||
            unwritableReason(error) !== undefined ||
            (closing() && !(error instanceof PlazaError));
          throw fault ? overloaded(error) : error;
        });
      };
    },
  });
}
