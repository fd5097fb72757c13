import { sendError } from '../http-error';
import type { RouteDef } from '../route-types';

/**
 * The WebSocket endpoint, listed so it is documented and its auth is tested like every route. The
 * upgrade itself is taken by the EventHub on the HTTP server before express sees it; a plain GET
 * (after the same authentication) lands here.
 */
export function eventsRoutes(): RouteDef[] {
  return [
    {
      method: 'GET',
      path: '/api/events',
      role: 'viewer',
      summary:
        'WebSocket of JSON frames {type: debug|status|node-error|deploy|log|dropped, time, ...}. Auth: Authorization: Bearer, or subprotocols ["bearer", "bearer.<token>"] from a browser.',
      responses: { '101': 'switching to WebSocket', '426': 'a plain GET: upgrade to WebSocket' },
      handler(_req, res) {
        res.setHeader('Upgrade', 'websocket');
        sendError(res, 426, 'this endpoint is a WebSocket: connect with Upgrade: websocket');
      },
    },
  ];
}
