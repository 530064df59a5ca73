import { WebSocket } from 'ws';

export interface RecordingWebSocket {
  /** A `ws` WebSocket class of the test's own, to pass as the client's `WebSocket` option. */
  readonly WebSocket: new (url: string) => WebSocket;
  /** Every socket made with it, in order. */
  readonly made: readonly WebSocket[];
}

/** Proves which WebSocket class the client uses, and how many sockets it opens. */
export function recordingWebSocket(): RecordingWebSocket {
  const made: WebSocket[] = [];
  class Recording extends WebSocket {
    constructor(url: string) {
      super(url);
      made.push(this);
    }
  }
  return { WebSocket: Recording, made };
}
