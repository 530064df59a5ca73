import { silentLogger, type Logger } from '../logger.js';
import type { EventBus, EventListener, Unsubscribe } from './EventBus.js';
import type { PlazaEvents, PlazaEventType } from './PlazaEvents.js';

type AnyListener = (payload: unknown) => void;

/**
 * Listeners in this process, called synchronously in the order they subscribed.
 *
 * @example const bus = new InProcessEventBus(); bus.subscribe('post.created', console.log)
 */
export class InProcessEventBus implements EventBus {
  readonly #listeners = new Map<PlazaEventType, Set<AnyListener>>();
  readonly #logger: Logger;

  constructor(logger: Logger = silentLogger) {
    this.#logger = logger;
  }

  publish<K extends PlazaEventType>(type: K, payload: PlazaEvents[K]): Promise<void> {
    const listeners = this.#listeners.get(type);
    if (listeners === undefined) return Promise.resolve();
    for (const listener of [...listeners]) {
      try {
        listener(payload);
      } catch (error) {
        this.#logger.error({ err: error, event: type }, 'an event listener failed');
      }
    }
    return Promise.resolve();
  }

  subscribe<K extends PlazaEventType>(type: K, listener: EventListener<K>): Unsubscribe {
    let listeners = this.#listeners.get(type);
    if (listeners === undefined) {
      listeners = new Set();
      this.#listeners.set(type, listeners);
    }
    // A fresh wrapper, so the same function subscribed twice is two subscriptions.
    const entry: AnyListener = (payload) => listener(payload as PlazaEvents[K]);
    listeners.add(entry);
    return () => {
      listeners.delete(entry);
    };
  }

  hasListeners(type: PlazaEventType): boolean {
    return (this.#listeners.get(type)?.size ?? 0) > 0;
  }

  close(): Promise<void> {
    this.#listeners.clear();
    return Promise.resolve();
  }
}
