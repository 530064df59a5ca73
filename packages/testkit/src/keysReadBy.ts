type Env = Record<string, string | undefined>;

/**
 * The keys `parse` looks up in the environment it is given (all of them unset).
 *
 * @example keysReadBy(plazaOptionsFromEnv).has('DATABASE_URL') // true
 */
export function keysReadBy(parse: (env: Env) => unknown): Set<string> {
  const read = new Set<string>();
  const record = (key: string | symbol): void => {
    if (typeof key === 'string') read.add(key);
  };
  const recorder = new Proxy<Env>(
    {},
    {
      get: (_target, key) => {
        record(key);
        return undefined;
      },
      has: (_target, key) => {
        record(key);
        return false;
      },
    },
  );
  parse(recorder);
  return read;
}
