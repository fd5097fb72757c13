import { frameFlowId } from '../../state';
import type { EventFrame, EventsState } from '../../api/events';
import { LiveStore } from './live-store';

/**
 * One LiveStore per flow, fed by the one WebSocket: a frame about a flow (`flowId`) goes to that
 * flow's store only, a frame about the whole runtime (engine, log) to every store. A tab's statuses,
 * debug messages and trends are thus its own flow's, and stay while another tab is shown.
 */
export class LiveHub {
  private readonly stores = new Map<string, LiveStore>();
  private connection: EventsState = 'connecting';

  /** The store of flow `flowId`, made when first asked. */
  storeFor(flowId: string): LiveStore {
    let store = this.stores.get(flowId);
    if (!store) {
      store = new LiveStore();
      store.connection = this.connection;
      this.stores.set(flowId, store);
    }
    return store;
  }

  handle(frame: EventFrame): void {
    const flowId = frameFlowId(frame);
    if (flowId !== undefined) this.storeFor(flowId).handle(frame);
    else for (const store of this.stores.values()) store.handle(frame);
  }

  setConnection(state: EventsState): void {
    this.connection = state;
    for (const store of this.stores.values()) store.setConnection(state);
  }

  /** Drops a deleted flow's store. */
  forget(flowId: string): void {
    this.stores.delete(flowId);
  }
}
