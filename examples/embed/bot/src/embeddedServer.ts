import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { serve, serverOptionsFromEnv } from '@plaza/server-koa';

export interface EmbeddedServer {
  readonly url: string;
  /** What the report says about this server. */
  readonly description: string;
  close(): Promise<void>;
}

/**
 * The passwords of a throwaway database protect nothing, so its hashes are cheaper than
 * the server's default (2^17): sign-up would otherwise take most of a demo run.
 */
export const EMBEDDED_SCRYPT_LOG_N = 14;

/**
 * A Plaza server in this process, set up as `plaza-server` would be with these settings: a
 * loopback port, a temporary SQLite database and the offline providers; `close()` deletes
 * the database.
 *
 * @example const server = await startEmbeddedServer(); … await server.close()
 */
export async function startEmbeddedServer(): Promise<EmbeddedServer> {
  const folder = await mkdtemp(join(tmpdir(), 'plaza-bot-'));
  try {
    const running = await serve({
      settings: serverOptionsFromEnv({
        HOST: '127.0.0.1',
        PORT: '0',
        DATABASE_URL: `sqlite:${join(folder, 'plaza.sqlite')}`,
        PLAZA_PROVIDERS: 'fake',
        SCRYPT_LOG_N: String(EMBEDDED_SCRYPT_LOG_N),
      }),
      logger: pino({ enabled: false }),
    });
    return {
      url: `${running.url}/`,
      description: `in-process, temporary SQLite, offline providers, scrypt N=2^${EMBEDDED_SCRYPT_LOG_N}`,
      async close() {
        await running.close();
        await rm(folder, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(folder, { recursive: true, force: true });
    throw error;
  }
}
