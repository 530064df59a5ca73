import type { PlazaEvents, PlazaEventType } from './PlazaEvents.js';

export type EventListener<K extends PlazaEventType> = (payload: PlazaEvents[K]) => void;

/** Stops a listener; calling it twice is harmless. */
export type Unsubscribe = () => void;

/**
 * Where the core announces what happened. In-process today; a bus between processes
 * (PostgreSQL LISTEN/NOTIFY) implements the same interface, so publishers and listeners never
 * change.
 *
 * @example const stop = plaza.events.subscribe('post.liked', (e) => notify(e.author_id, e))
 */
export interface EventBus {
  /** Delivers to every listener of `type`; a listener that throws does not stop the others. */
  publish<K extends PlazaEventType>(type: K, payload: PlazaEvents[K]): Promise<void>;
  subscribe<K extends PlazaEventType>(type: K, listener: EventListener<K>): Unsubscribe;
  /** Whether anyone listens, so a publisher can skip the work of building a payload. */
  hasListeners(type: PlazaEventType): boolean;
  close(): Promise<void>;
}
