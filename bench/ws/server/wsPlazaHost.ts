import { GatedEnricher } from './GatedEnricher.js';
import { insertUsers } from './insertUsers.js';
import { pace } from './pace.js';
import { startPlazaTarget } from '../../http/plazaTarget.js';
import { benchEmail, type WsHost, type WsServerStart } from './wsServerProtocol.js';

const now = (): number => performance.timeOrigin + performance.now();

/**
 * Plaza as production hosts it (see http/plazaTarget.ts), with `/user-watch` and an enrichment
 * worker whose provider is the bench's `GatedEnricher`. The users are inserted straight into
 * the database before the worker could look for jobs (there are none: sign-up queues them,
 * and nobody signed up).
 *
 * @example const host = await startPlazaHost({ kind: 'plaza', users: 1500, … })
 */
export async function startPlazaHost(start: WsServerStart): Promise<WsHost> {
  const { databaseUrl } = start;
  if (databaseUrl === null) throw new Error('Plaza needs a database');
  const enricher = new GatedEnricher();
  const target = await startPlazaTarget({
    databaseUrl,
    jwtSecret: start.jwtSecret,
    scrypt: { logN: 10 },
    // The worker's poll interval stays at its default: a request wakes the worker at once,
    // and a short interval would only add queue reads to what is measured.
    enrichment: { enricher, concurrency: start.concurrency },
  });
  try {
    const userIds = await insertUsers(databaseUrl, start.users);
    const userIdOf = new Map(userIds.map((userId, index) => [benchEmail(index), userId]));
    const sent: Array<readonly [number, number]> = [];
    // Subscribed before any socket connects, so before /user-watch's own listener: the time
    // is taken just before the notice is handed to the sockets.
    target.plaza.events.subscribe('enrichment.completed', (payload) => {
      sent.push([payload.user_id, now()]);
    });
    return {
      origin: target.origin.replace(/^http:/, 'ws:'),
      userIds,
      connections: target.connections,
      async trigger(ids, perSecond) {
        let queued = 0;
        await pace(ids, perSecond, async (userId) => {
          if ((await target.plaza.enrichment.request(userId)).queued) queued += 1;
        });
        return queued;
      },
      hold: () => enricher.hold(),
      release: () => enricher.release(),
      held: () => enricher.held,
      times: () => ({
        sent,
        answered: [...enricher.answeredAt].flatMap(([email, at]) => {
          const userId = userIdOf.get(email);
          return userId === undefined ? [] : [[userId, at] as const];
        }),
      }),
      close: () => target.close(),
    };
  } catch (error) {
    await target.close();
    throw error;
  }
}
