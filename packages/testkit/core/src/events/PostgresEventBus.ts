import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type pg from 'pg';
import type { PostgresConnection } from '../adapters/db/createKnex.js';
import { loadPg } from '../adapters/db/databaseDrivers.js';
import { silentLogger, type Logger } from '../logger.js';
import type { EventBus, EventListener, Unsubscribe } from './EventBus.js';
import { InProcessEventBus } from './InProcessEventBus.js';
import { PLAZA_EVENT_TYPES, type PlazaEvents, type PlazaEventType } from './PlazaEvents.js';

export interface PostgresEventBusOptions {
  /**
   * Where the listening connection goes: the database Plaza's pool uses, as a connection
   * string or node-postgres settings (those of a host app's knex).
   */
  readonly connectionString: string | PostgresConnection;
  /** Plaza's schema; the channel is named after it, so two Plazas in one database stay apart. */
  readonly schema: string;
  readonly logger?: Logger;
  /** How long recorded events are kept for instances catching up (default 1 hour). */
  readonly retentionMs?: number;
  /** How often to read the table even without a notification, in case one was lost (default 5 s). */
  readonly pollIntervalMs?: number;
  /** First wait before reconnecting a dropped listening connection; doubles up to 5 s (default 100 ms). */
  readonly reconnectDelayMs?: number;
}

interface EventRow {
  readonly id: number;
  readonly type: string;
  readonly payload: string;
  readonly origin: string;
}

interface QueuedEvent {
  readonly type: PlazaEventType;
  readonly payload: string;
  readonly recorded: () => void;
}

const TABLE = 'plaza_events';
const READ_BATCH = 1000;
const MAX_RECONNECT_DELAY_MS = 5000;
/**
 * An id below the newest one read but not seen yet belongs to a transaction that had not
 * committed when we read (ids are taken before commit) or that rolled back. It is looked for
 * again for this long.
 */
const GAP_WAIT_MS = 10_000;
const MAX_OPEN_GAPS = 10_000;

const channelFor = (schema: string): string => `plaza_events_${schema}`.slice(0, 63);

const isEventType = (type: string): type is PlazaEventType =>
  (PLAZA_EVENT_TYPES as readonly string[]).includes(type);

/**
 * Events between every Plaza instance on one PostgreSQL database. Publishing delivers to this
 * process's listeners at once and records the event in `plaza_events` with a NOTIFY that
 * carries only its id; every other instance LISTENs, then reads the rows it has not seen.
 * Reading "every id after the last one seen" (plus ids that were still uncommitted) also
 * catches up after the listening connection dropped, and a slow poll covers a lost NOTIFY.
 *
 * @example const bus = await PostgresEventBus.start(db, { connectionString, schema: 'public' })
 */
export class PostgresEventBus implements EventBus {
  /** Tells this instance's rows from the others'. */
  readonly #instanceId = randomUUID();
  readonly #db: Knex;
  readonly #options: Required<Omit<PostgresEventBusOptions, 'logger'>>;
  readonly #logger: Logger;
  readonly #local: InProcessEventBus;
  readonly #channel: string;
  #client: pg.Client | undefined;
  #lastSeen = 0;
  /** Ids skipped over, with when to stop looking for them. */
  readonly #gaps = new Map<number, number>();
  #queue: QueuedEvent[] = [];
  #flushing: Promise<void> | undefined;
  #reading: Promise<void> | undefined;
  #readAgain = false;
  #pollTimer: NodeJS.Timeout | undefined;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #reconnectDelayMs: number;
  #lastPruneAt = 0;
  #closed = false;

  private constructor(db: Knex, options: PostgresEventBusOptions) {
    this.#db = db;
    this.#logger = options.logger ?? silentLogger;
    this.#options = {
      connectionString: options.connectionString,
      schema: options.schema,
      retentionMs: options.retentionMs ?? 3_600_000,
      pollIntervalMs: options.pollIntervalMs ?? 5000,
      reconnectDelayMs: options.reconnectDelayMs ?? 100,
    };
    this.#reconnectDelayMs = this.#options.reconnectDelayMs;
    this.#local = new InProcessEventBus(this.#logger);
    this.#channel = channelFor(options.schema);
  }

  /** Starts listening; events published anywhere from now on reach this instance. */
  static async start(db: Knex, options: PostgresEventBusOptions): Promise<PostgresEventBus> {
    const bus = new PostgresEventBus(db, options);
    const newest = (await db(TABLE).max({ id: 'id' }).first()) as { id: number | null } | undefined;
    bus.#lastSeen = newest?.id ?? 0;
    await bus.#listen();
    bus.#pollTimer = setInterval(() => bus.#read(), bus.#options.pollIntervalMs);
    bus.#pollTimer.unref();
    return bus;
  }

  /**
   * Delivers to this process's listeners, then records the event for the other instances.
   * Resolves once it is recorded; a failure to record is logged, not thrown, because what the
   * event announces has already happened.
   */
  publish<K extends PlazaEventType>(type: K, payload: PlazaEvents[K]): Promise<void> {
    void this.#local.publish(type, payload);
    if (this.#closed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.#queue.push({ type, payload: JSON.stringify(payload), recorded: resolve });
      this.#flushing ??= new Promise<void>((next) => setImmediate(next)).then(() => this.#flush());
    });
  }

  subscribe<K extends PlazaEventType>(type: K, listener: EventListener<K>): Unsubscribe {
    return this.#local.subscribe(type, listener);
  }

  /** Always: listeners in other instances are out of sight. */
  hasListeners(): boolean {
    return true;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#pollTimer);
    clearTimeout(this.#reconnectTimer);
    while (this.#flushing) await this.#flushing;
    while (this.#reading) await this.#reading;
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => {});
    await this.#local.close();
  }

  /** Events published together are recorded by one INSERT and announced by one NOTIFY. */
  async #flush(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue.splice(0, READ_BATCH);
        try {
          await this.#record(batch);
        } catch (error) {
          this.#logger.error(
            { err: error, events: batch.length },
            'could not record events for the other instances',
          );
        }
        for (const event of batch) event.recorded();
      }
    } finally {
      this.#flushing = undefined;
    }
  }

  async #record(batch: readonly QueuedEvent[]): Promise<void> {
    const now = Date.now();
    const rows = batch.map((event) => ({
      type: event.type,
      payload: event.payload,
      origin: this.#instanceId,
      created_at: now,
    }));
    // The NOTIFY is sent when the INSERT commits, so a listener always finds the rows. It
    // names the publisher, whose listeners have had these events already.
    await this.#db.raw(
      `with recorded as (${this.#db(TABLE).insert(rows).returning('id').toQuery()})
       select pg_notify(?, (select max(id) from recorded)::text || ' ' || ?)`,
      [this.#channel, this.#instanceId],
    );
    await this.#prune(now);
  }

  async #prune(now: number): Promise<void> {
    if (now - this.#lastPruneAt < 60_000) return;
    this.#lastPruneAt = now;
    await this.#db(TABLE)
      .where('created_at', '<', now - this.#options.retentionMs)
      .delete();
  }

  async #listen(): Promise<void> {
    const { connectionString } = this.#options;
    const client = new (loadPg().Client)({
      ...(typeof connectionString === 'string'
        ? { connectionString }
        : (connectionString as pg.ClientConfig)),
      // Names the schema, so an operator (or a test) can tell whose listener this is.
      application_name: `plaza-events ${this.#options.schema}`.slice(0, 63),
      keepAlive: true,
    });
    client.on('notification', (message) => {
      if (message.channel !== this.#channel) return;
      // Our own events need no reading; the next read passes over their rows.
      if (message.payload?.endsWith(` ${this.#instanceId}`) === true) return;
      this.#read();
    });
    client.on('error', (error) => this.#dropped(client, error));
    client.on('end', () => this.#dropped(client, undefined));
    await client.connect();
    try {
      await client.query(`listen ${loadPg().escapeIdentifier(this.#channel)}`);
    } catch (error) {
      await client.end().catch(() => {});
      throw error;
    }
    this.#client = client;
  }

  #dropped(client: pg.Client, error: Error | undefined): void {
    if (this.#client !== client || this.#closed) return;
    this.#client = undefined;
    this.#logger.warn({ err: error }, 'event listener connection lost; reconnecting');
    void client.end().catch(() => {});
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    const delay = this.#reconnectDelayMs;
    this.#reconnectDelayMs = Math.min(delay * 2, MAX_RECONNECT_DELAY_MS);
    this.#reconnectTimer = setTimeout(() => {
      if (this.#closed) return;
      this.#listen().then(
        () => {
          this.#reconnectDelayMs = this.#options.reconnectDelayMs;
          this.#logger.info({}, 'event listener reconnected; catching up');
          // What was published while we were away is in the table.
          this.#read();
        },
        (error: unknown) => {
          this.#logger.warn({ err: error }, 'event listener could not reconnect yet');
          this.#scheduleReconnect();
        },
      );
    }, delay);
    this.#reconnectTimer.unref();
  }

  /** Reads what this instance has not seen; notifications arriving meanwhile read again after. */
  #read(): void {
    if (this.#closed) return;
    if (this.#reading) {
      this.#readAgain = true;
      return;
    }
    this.#reading = (async () => {
      try {
        let again = true;
        while (again) {
          this.#readAgain = false;
          await this.#catchUp();
          // A notification may have come in while we read.
          again = this.#readAgain;
        }
      } catch (error) {
        // The poll or the next notification tries again from the same place.
        this.#logger.warn({ err: error }, 'could not read events from the database');
      } finally {
        this.#reading = undefined;
      }
    })();
  }

  async #catchUp(): Promise<void> {
    for (;;) {
      const now = Date.now();
      for (const [id, until] of this.#gaps) if (until < now) this.#gaps.delete(id);
      const gaps = [...this.#gaps.keys()];
      const rows = (await this.#db(TABLE)
        .select('id', 'type', 'payload', 'origin')
        .where('id', '>', this.#lastSeen)
        .modify((query) => {
          if (gaps.length > 0) void query.orWhereIn('id', gaps);
        })
        .orderBy('id')
        .limit(READ_BATCH)) as EventRow[];
      for (const row of rows) this.#deliver(row, now);
      if (rows.length < READ_BATCH) return;
    }
  }

  #deliver(row: EventRow, now: number): void {
    const { id } = row;
    if (id > this.#lastSeen) {
      for (let missing = this.#lastSeen + 1; missing < id; missing += 1) {
        if (this.#gaps.size >= MAX_OPEN_GAPS) break;
        this.#gaps.set(missing, now + GAP_WAIT_MS);
      }
      this.#lastSeen = id;
    } else if (!this.#gaps.delete(id)) {
      return;
    }
    if (row.origin === this.#instanceId || !isEventType(row.type)) return;
    let payload: unknown;
    try {
      payload = JSON.parse(row.payload);
    } catch (error) {
      this.#logger.error({ err: error, event_id: id }, 'a recorded event is not JSON');
      return;
    }
    void this.#local.publish(row.type, payload as PlazaEvents[typeof row.type]);
  }
}
