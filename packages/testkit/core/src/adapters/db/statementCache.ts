type Callback = (this: unknown, error: Error | null, rows?: unknown) => void;

interface SqliteStatement {
  run(params: unknown, callback: Callback): unknown;
  all(params: unknown, callback: Callback): unknown;
  reset(callback?: () => void): unknown;
  finalize(callback?: () => void): unknown;
}

/** The node-sqlite3 connection methods Knex calls for every query. */
export interface SqliteConnection {
  exec(sql: string, callback: (error: Error | null) => void): void;
  prepare(sql: string, callback: (error: Error | null) => void): SqliteStatement;
  run(sql: string, params: unknown, callback: Callback): unknown;
  all(sql: string, params: unknown, callback: Callback): unknown;
  close(callback?: (error: Error | null) => void): unknown;
}

// Only single data statements are kept prepared; schema changes, pragmas and transaction
// control go through the connection as before.
const CACHEABLE = /^\s*(?:select|insert|update|delete|with)\b/i;

/**
 * Makes a node-sqlite3 connection reuse prepared statements. Knex asks the connection to
 * `run`/`all` a SQL string per query, and node-sqlite3 would prepare, run and finalize a new
 * statement each time. The last `capacity` distinct statements stay prepared (least
 * recently used goes first); SQLite re-prepares a kept statement itself after a schema
 * change. A statement that fails to prepare is not kept and its caller gets the error.
 * Closing the connection finalizes the kept statements first, as SQLite requires.
 */
export function cacheStatements(connection: SqliteConnection, capacity = 200): void {
  const statements = new Map<string, SqliteStatement>();

  const keep = (sql: string, statement: SqliteStatement): boolean => {
    if (statements.has(sql)) return false;
    if (statements.size >= capacity) {
      const oldest = statements.entries().next().value;
      if (oldest) {
        statements.delete(oldest[0]);
        oldest[1].finalize();
      }
    }
    statements.set(sql, statement);
    return true;
  };

  // A kept statement that failed is reset before its caller hears of it: a write that met
  // SQLITE_BUSY otherwise stays "in progress", the connection's next COMMIT fails with "SQL
  // statements in progress", and its transaction (and write lock) is never closed.
  const runKept = (
    statement: SqliteStatement,
    method: 'run' | 'all',
    params: unknown,
    callback: Callback,
  ) =>
    statement[method](params, function resetAfterFailure(this: unknown, error, rows) {
      if (error === null) callback.call(this, error, rows);
      else statement.reset(() => callback.call(this, error, rows));
    });

  const execute = (method: 'run' | 'all', sql: string, params: unknown, callback: Callback) => {
    const cached = statements.get(sql);
    if (cached) {
      statements.delete(sql);
      statements.set(sql, cached);
      return runKept(cached, method, params, callback);
    }
    const statement = connection.prepare(sql, (error) => {
      if (error) {
        callback.call(statement, error);
        return;
      }
      if (keep(sql, statement)) {
        runKept(statement, method, params, callback);
        return;
      }
      // Another caller prepared the same statement meanwhile: use this one once.
      statement[method](params, function finalizeAfterUse(this: unknown, ...args) {
        statement.finalize();
        callback.apply(this, args);
      });
    });
    return statement;
  };

  const run = connection.run.bind(connection);
  const all = connection.all.bind(connection);
  const close = connection.close.bind(connection);
  connection.close = (callback) => {
    const kept = [...statements.values()];
    statements.clear();
    let left = kept.length;
    if (left === 0) return close(callback);
    for (const statement of kept) {
      statement.finalize(() => {
        left -= 1;
        if (left === 0) close(callback);
      });
    }
    return connection;
  };
  connection.run = (sql, params, callback) =>
    CACHEABLE.test(sql) ? execute('run', sql, params, callback) : run(sql, params, callback);
  connection.all = (sql, params, callback) =>
    CACHEABLE.test(sql) ? execute('all', sql, params, callback) : all(sql, params, callback);
}
