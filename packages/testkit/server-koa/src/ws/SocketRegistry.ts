/**
 * The authenticated sockets of each user, so an event reaches exactly its user's sockets.
 *
 * @example registry.add(42, socket); for (const s of registry.socketsOf(42) ?? []) s.send(frame)
 */
export class SocketRegistry<S> {
  readonly #byUser = new Map<number, Set<S>>();

  add(userId: number, socket: S): void {
    let sockets = this.#byUser.get(userId);
    if (sockets === undefined) {
      sockets = new Set();
      this.#byUser.set(userId, sockets);
    }
    sockets.add(socket);
  }

  /** Harmless when the socket is not there. */
  remove(userId: number, socket: S): void {
    const sockets = this.#byUser.get(userId);
    if (sockets === undefined) return;
    sockets.delete(socket);
    // Users come and go; an empty set per user who ever connected would be a slow leak.
    if (sockets.size === 0) this.#byUser.delete(userId);
  }

  socketsOf(userId: number): ReadonlySet<S> | undefined {
    return this.#byUser.get(userId);
  }

  count(userId: number): number {
    return this.#byUser.get(userId)?.size ?? 0;
  }
}
