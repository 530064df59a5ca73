/**
 * Last-resort cleanup: what the bench started outside its own process (a PostgreSQL
 * cluster, server processes, temporary folders) is removed even when the bench is
 * interrupted (Ctrl-C, SIGTERM) or dies of an unexpected error. The normal path closes
 * things itself and unregisters them; these run only for what is left.
 */
const cleanups = new Set<() => void>();
let installed = false;

function runAll(): void {
  for (const cleanup of [...cleanups].reverse()) {
    cleanups.delete(cleanup);
    try {
      cleanup();
    } catch (error) {
      console.error('cleanup failed:', error);
    }
  }
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', runAll);
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: stopping what the bench started…`);
      runAll();
      process.exit(code);
    });
  }
}

/**
 * Runs `cleanup` (synchronous: it may run in an `exit` handler) if the process ends before
 * the returned function is called; calling that function forgets it.
 *
 * @example const forget = onExit(() => cluster.stop()); …; cluster.stop(); forget()
 */
export function onExit(cleanup: () => void): () => void {
  install();
  cleanups.add(cleanup);
  return () => void cleanups.delete(cleanup);
}
