import { Session } from 'node:inspector/promises';

/**
 * Samples this process's JavaScript (the server under test) from now until the returned
 * function is called, which resolves with a `.cpuprofile` document. Unlike `--cpu-prof`,
 * it leaves out start-up and seeding.
 *
 * @example const stop = await startProfiling(); …; await writeFile(path, JSON.stringify(await stop()))
 */
export async function startProfiling(): Promise<() => Promise<object>> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  return async function stopProfiling() {
    try {
      const { profile } = await session.post('Profiler.stop');
      return profile;
    } finally {
      session.disconnect();
    }
  };
}
