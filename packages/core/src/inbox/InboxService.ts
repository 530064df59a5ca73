import type { Knex } from 'knex';
import { toIsoTimestamp } from '../adapters/db/dbErrors.js';
import type { WriteBatcher } from '../adapters/db/WriteBatcher.js';
import { DEFAULT_PAGE_SIZE } from '../posts/postInputs.js';
import { parseInput, type RawParams } from '../shared/input.js';
import {
  listNotificationsInput,
  markNotificationsReadInput,
  type ListNotificationsInput,
  type MarkNotificationsReadInput,
} from './inboxInputs.js';
import { keptSince, type InboxRetention } from './InboxWriter.js';
import type { NotificationType } from './notificationFields.js';
import type {
  KeptNotification,
  NotificationPage,
  NotificationView,
  Notifications,
  Replay,
} from './Notifications.js';

export interface InboxServiceDependencies {
  readonly db: Knex;
  readonly writes: WriteBatcher;
  readonly retention: InboxRetention;
}

interface EntryRow {
  readonly id: number | string;
  readonly type: NotificationType;
  readonly payload: string;
  readonly created_at: unknown;
  readonly read: boolean | number;
}

const TABLE = 'notifications';
/** Entries one replay sends at most: more than an inbox keeps. */
const MAX_REPLAY = 5000;

const fieldsOf = (payload: string): Record<string, unknown> => {
  const value: unknown = JSON.parse(payload);
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
};

/**
 * Reading and marking the inbox (see InboxWriter for how entries are kept). Entries older than
 * the retention's age are left out of every answer, pruned or not yet.
 */
export class InboxService implements Notifications {
  readonly #deps: InboxServiceDependencies;

  constructor(deps: InboxServiceDependencies) {
    this.#deps = deps;
  }

  /** @example await plaza.notifications.list(userId, { limit: 20 }) */
  async list(
    userId: number,
    raw: ListNotificationsInput | RawParams = {},
  ): Promise<NotificationPage> {
    const input = parseInput(listNotificationsInput, raw);
    const limit = input.limit ?? DEFAULT_PAGE_SIZE;
    const query = this.#shown(userId)
      .select('id', 'type', 'payload', 'created_at', 'read')
      .orderBy('id', 'desc')
      .limit(limit + 1);
    if (input.before != null) void query.where('id', '<', input.before);
    const [rows, unread] = await Promise.all([
      query as Promise<EntryRow[]>,
      this.#unread(this.#deps.db, userId),
    ]);
    const page = rows.slice(0, limit).map(toView);
    const next = rows.length > limit ? (page.at(-1)?.id ?? null) : null;
    return { notifications: page, next, unread };
  }

  /** @example await plaza.notifications.markRead(userId, { up_to: 42 }) */
  async markRead(
    userId: number,
    raw: MarkNotificationsReadInput | RawParams,
  ): Promise<{ readonly unread: number }> {
    const { up_to: upTo } = parseInput(markNotificationsReadInput, raw);
    const unread = await this.#deps.writes.writeAtomically(async (trx) => {
      await trx(TABLE)
        .where('user_id', userId)
        .where('id', '<=', upTo)
        .where('read', false)
        .update({ read: true });
      return await this.#unread(trx, userId);
    });
    return { unread };
  }

  async head(userId: number): Promise<{ readonly last_id: number; readonly unread: number }> {
    const { db } = this.#deps;
    const [last, unread] = await Promise.all([
      db(TABLE).where('user_id', userId).max({ id: 'id' }).first() as Promise<
        { id: number | string | null } | undefined
      >,
      this.#unread(db, userId),
    ]);
    return { last_id: Number(last?.id ?? 0), unread };
  }

  async after(userId: number, since: number, upTo?: number, limit = MAX_REPLAY): Promise<Replay> {
    if (since > 0) {
      const oldest = (await this.#shown(userId).min({ id: 'id' }).first()) as
        { id: number | string | null } | undefined;
      // The entry `since` names is gone, and with it perhaps some after it.
      if (oldest?.id != null && since < Number(oldest.id)) return { kind: 'resync' };
    }
    const query = this.#shown(userId)
      .select('id', 'type', 'payload')
      .where('id', '>', since)
      .orderBy('id')
      .limit(limit);
    if (upTo !== undefined) void query.where('id', '<=', upTo);
    const rows = (await query) as Array<Pick<EntryRow, 'id' | 'type' | 'payload'>>;
    const entries: KeptNotification[] = rows.map((row) => ({
      id: Number(row.id),
      type: row.type,
      fields: fieldsOf(row.payload),
    }));
    return { kind: 'entries', entries };
  }

  #shown(userId: number): Knex.QueryBuilder {
    return this.#deps
      .db(TABLE)
      .where('user_id', userId)
      .where('created_at', '>=', keptSince(this.#deps.retention));
  }

  async #unread(db: Knex, userId: number): Promise<number> {
    const row = (await db(TABLE)
      .where('user_id', userId)
      .where('read', false)
      .where('created_at', '>=', keptSince(this.#deps.retention))
      .count({ n: '*' })
      .first()) as { n: number | string } | undefined;
    return Number(row?.n ?? 0);
  }
}

function toView(row: EntryRow): NotificationView {
  return {
    id: Number(row.id),
    type: row.type,
    created: toIsoTimestamp(row.created_at),
    read: Boolean(row.read),
    ...fieldsOf(row.payload),
  };
}
