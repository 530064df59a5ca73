import type { Knex } from 'knex';
import type { Dialect } from '../adapters/db/createKnex.js';
import { selectRows } from '../adapters/db/selectRows.js';
import { ConfigError } from '../errors.js';
import { notificationFields, type NotifiedEvent } from './notificationFields.js';

/** How much of a person's inbox is kept: the newest `keep` entries, none older than `keepDays`. */
export interface InboxRetention {
  readonly keep: number;
  readonly keepDays: number;
}

export const DEFAULT_INBOX_RETENTION: InboxRetention = { keep: 1000, keepDays: 90 };

/** Where a new entry sits in its person's inbox: its id, and the id of the one before (0: none). */
export interface InboxPlace {
  readonly id: number;
  readonly after: number;
}

/**
 * The first key of the per-person advisory lock (PostgreSQL), "PLZI": the second is the
 * person's id.
 */
const LOCK_NAMESPACE = 0x504c5a49;
/** Rows one pruning deletes at most, so a request's share of the work stays small. */
const PRUNE_BATCH = 200;
/** Persons of one fan-out whose inboxes are pruned in it at most. */
const PRUNES_PER_FAN_OUT = 16;
const DAY_MS = 24 * 3600 * 1000;

const TABLE = 'notifications';

/**
 * PostgreSQL: takes the person's inbox lock until the transaction ends. Every write to their
 * inbox takes it before it takes an id, so their ids commit in order.
 */
export async function lockInboxOf(trx: Knex, userId: number): Promise<void> {
  await trx.raw('select pg_advisory_xact_lock(?, ?)', [LOCK_NAMESPACE, userId]);
}

/**
 * Keeps events in their receivers' inboxes, inside the transaction of the change that causes
 * them, so an entry exists exactly when the change committed.
 *
 * A person's ids only grow, in commit order: on PostgreSQL each transaction takes the
 * person's advisory lock (held until it commits) before it takes an id from the sequence, so
 * of two entries for one person the one with the lower id committed first, on any instance.
 * The locks are taken last in their transaction, after every row lock, and a fan-out takes
 * its persons' locks in ascending order, so they never wait in a circle. SQLite writes one
 * transaction at a time, so its ids are in commit order already.
 *
 * Old entries are pruned as new ones come (no timer): every few entries of a person's, a
 * bounded delete of what is past the retention. Reads leave out entries past the age too.
 *
 * @example const place = await inbox.keep(trx, authorId, likerId, { type: 'post.liked', … })
 */
export class InboxWriter {
  readonly #postgres: boolean;
  readonly #retention: InboxRetention;
  /** Prune a person's inbox when their new id is a multiple of this. */
  readonly #pruneEvery: number;

  constructor(dialect: Dialect, retention: InboxRetention = DEFAULT_INBOX_RETENTION) {
    this.#postgres = dialect === 'postgres';
    this.#retention = retention;
    this.#pruneEvery = Math.max(1, Math.min(32, Math.floor(retention.keep / 8)));
  }

  get retention(): InboxRetention {
    return this.#retention;
  }

  /** Keeps `event` in `userId`'s inbox; `actorId` is whose act it tells of, if anyone's. */
  async keep(
    trx: Knex,
    userId: number,
    actorId: number | undefined,
    event: NotifiedEvent,
  ): Promise<InboxPlace> {
    if (this.#postgres) await lockInboxOf(trx, userId);
    const last = (await trx(TABLE).where('user_id', userId).max({ id: 'id' }).first()) as
      { id: number | string | null } | undefined;
    const [row] = await trx(TABLE)
      .insert({
        user_id: userId,
        actor_id: actorId ?? null,
        type: event.type,
        payload: JSON.stringify(notificationFields(event)),
        created_at: new Date().toISOString(),
      })
      .returning<Array<{ id: number | string }>>('id');
    if (row === undefined) throw new Error('The database returned no id for an inbox entry.');
    const id = Number(row.id);
    if (id % this.#pruneEvery === 0) await this.#prune(trx, userId);
    return { id, after: Number(last?.id ?? 0) };
  }

  /**
   * Keeps `event` in the inbox of everyone who likes `postId` but its author, with one
   * INSERT … SELECT; answers each one's place by their id.
   */
  async keepForLikers(
    trx: Knex,
    postId: number,
    authorId: number,
    event: Extract<NotifiedEvent, { type: 'post.edited' | 'post.deleted' }>,
  ): Promise<Map<number, InboxPlace>> {
    const likers = 'select user_id from likes where post_id = ? and user_id <> ?';
    if (this.#postgres) {
      await trx.raw(
        `select count(pg_advisory_xact_lock(?, user_id)) from (${likers} order by user_id) as l`,
        [LOCK_NAMESPACE, postId, authorId],
      );
    }
    const lasts = await selectRows<{ user_id: number | string; last: number | string }>(
      trx,
      `select user_id, max(id) as last from ${TABLE} where user_id in (${likers}) group by user_id`,
      [postId, authorId],
    );
    const rows = await selectRows<{ id: number | string; user_id: number | string }>(
      trx,
      `insert into ${TABLE} (user_id, actor_id, type, payload, created_at)
       select user_id, ?, ?, ?, ? from likes where post_id = ? and user_id <> ?
       returning id, user_id`,
      [
        authorId,
        event.type,
        JSON.stringify(notificationFields(event)),
        new Date().toISOString(),
        postId,
        authorId,
      ],
    );
    const after = new Map(lasts.map((row) => [Number(row.user_id), Number(row.last)]));
    const places = new Map<number, InboxPlace>();
    let prunes = 0;
    for (const row of rows) {
      const id = Number(row.id);
      const userId = Number(row.user_id);
      places.set(userId, { id, after: after.get(userId) ?? 0 });
      if (id % this.#pruneEvery === 0 && prunes < PRUNES_PER_FAN_OUT) {
        prunes += 1;
        await this.#prune(trx, userId);
      }
    }
    return places;
  }

  /** Deletes (at most a batch of) the person's entries past the count or the age. */
  async #prune(trx: Knex, userId: number): Promise<void> {
    const { keep, keepDays } = this.#retention;
    const cut = (await trx(TABLE)
      .select('id')
      .where('user_id', userId)
      .orderBy('id', 'desc')
      .offset(keep)
      .limit(1)
      .first()) as { id: number | string } | undefined;
    const cutoff = new Date(Date.now() - keepDays * DAY_MS).toISOString();
    const doomed = trx(TABLE)
      .select('id')
      .where('user_id', userId)
      .andWhere((old) => {
        void old.where('created_at', '<', cutoff);
        if (cut !== undefined) void old.orWhere('id', '<=', Number(cut.id));
      })
      .orderBy('id')
      .limit(PRUNE_BATCH);
    // PostgreSQL wants the limited subquery wrapped once more to use it in IN.
    await trx(TABLE)
      .whereIn('id', trx.select('id').from(doomed.as('doomed')))
      .delete();
  }
}

/** The oldest creation time an entry may have and still be shown (the age retention). */
export const keptSince = (retention: InboxRetention, now = Date.now()): string =>
  new Date(now - retention.keepDays * DAY_MS).toISOString();

/** The retention asked for, with the defaults filled in; a ConfigError when it cannot work. */
export function inboxRetention(options: Partial<InboxRetention> = {}): InboxRetention {
  const keep = options.keep ?? DEFAULT_INBOX_RETENTION.keep;
  const keepDays = options.keepDays ?? DEFAULT_INBOX_RETENTION.keepDays;
  if (!Number.isSafeInteger(keep) || keep < 1) {
    throw new ConfigError('inbox.keep must be a whole number of at least 1.');
  }
  if (!Number.isFinite(keepDays) || keepDays <= 0) {
    throw new ConfigError('inbox.keepDays must be a number of days above 0.');
  }
  return { keep, keepDays };
}
