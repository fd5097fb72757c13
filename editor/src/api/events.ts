/** A frame from the runtime's WebSocket /api/events. */
export interface EventFrame {
  // `string & {}` keeps the known names in autocompletion while any other type is accepted.
  type: 'debug' | 'status' | 'node-error' | 'deploy' | 'log' | 'dropped' | (string & {});
  time?: number;
  nodeId?: string;
  [key: string]: unknown;
}

/** `connecting` until open; `closed` while waiting to reconnect. */
export type EventsState = 'connecting' | 'open' | 'closed';

/**
 * Connects to /api/events with the token in the subprotocols (browsers cannot set headers on a
 * WebSocket) and reconnects with backoff until `close()` is called.
 */
export function connectEvents(
  token: string,
  onFrame: (frame: EventFrame) => void,
  onState: (state: EventsState) => void,
): { close(): void } {
  let socket: WebSocket | undefined;
  let closed = false;
  let retryMs = 500;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const open = () => {
    if (closed) return;
    onState('connecting');
    const url = new URL('api/events', window.location.href);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    socket = new WebSocket(url.toString(), ['bearer', `bearer.${token}`]);
    socket.onopen = () => {
      retryMs = 500;
      onState('open');
    };
    socket.onmessage = (ev) => {
      if (typeof ev.data !== 'string') return;
      try {
        onFrame(JSON.parse(ev.data) as EventFrame);
      } catch {
        // A frame that is not JSON is a runtime bug; the next frames are still useful.
      }
    };
    socket.onclose = () => {
      if (closed) return;
      onState('closed');
      timer = setTimeout(open, retryMs);
      retryMs = Math.min(retryMs * 2, 10_000);
    };
  };
  open();
  return {
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      socket?.close();
    },
  };
}
