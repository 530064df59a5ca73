import {
  createPlaza,
  type EnrichmentOptions,
  type LoginThrottleOptions,
  type Plaza,
  type ScryptCost,
} from '@plaza/core';
import { createLogger, createServer } from '@plaza/server-koa';
import { listenOnLoopback, type BenchTarget } from '../support/listen.js';

export interface PlazaTarget extends BenchTarget {
  readonly plaza: Plaza;
}

export interface PlazaTargetOptions {
  /** A fresh database: `sqlite:FILE`, or `postgres://…?schema=NAME` (see BenchDatabases). */
  readonly databaseUrl: string;
  readonly jwtSecret: string;
  /** Omitted: the default (OWASP) cost, as production runs. */
  readonly scrypt?: Partial<ScryptCost>;
  /** Omitted: the offline fake provider, as `providers: 'fake'` chooses. */
  readonly enrichment?: EnrichmentOptions;
  /** Omitted: the default login throttle. */
  readonly loginThrottle?: LoginThrottleOptions;
}

/**
 * Plaza as production hosts it: the Koa server over a fresh database, logging every
 * request at `info`. The log goes to /dev/null, but it is formatted and written, so the
 * bench pays for it as a real server does.
 *
 * @example const target = await startPlazaTarget({ databaseUrl, jwtSecret, scrypt: { logN: 10 } })
 */
export async function startPlazaTarget(options: PlazaTargetOptions): Promise<PlazaTarget> {
  const logger = createLogger({ level: 'info', destination: '/dev/null' });
  const plaza = await createPlaza({
    databaseUrl: options.databaseUrl,
    jwtSecret: options.jwtSecret,
    providers: 'fake',
    logger,
    ...(options.scrypt === undefined ? {} : { scrypt: options.scrypt }),
    ...(options.enrichment === undefined ? {} : { enrichment: options.enrichment }),
    ...(options.loginThrottle === undefined ? {} : { loginThrottle: options.loginThrottle }),
  });
  try {
    const { app, attach, close: closeUserWatch } = createServer(plaza, { logger });
    const target = await listenOnLoopback(app.callback(), attach);
    return {
      plaza,
      origin: target.origin,
      drain: target.drain,
      connections: target.connections,
      async close() {
        // Before the HTTP server's close, which would otherwise wait on upgraded sockets.
        await closeUserWatch();
        await target.close();
        await plaza.close();
        logger.flush();
      },
    };
  } catch (error) {
    await plaza.close();
    throw error;
  }
}
