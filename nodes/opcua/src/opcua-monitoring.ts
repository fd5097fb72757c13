import { AttributeIds, DataChangeFilter, DataChangeTrigger, DeadbandType, TimestampsToReturn } from 'node-opcua';
import type { ClientSubscription, MonitoringParametersOptions, NodeId } from 'node-opcua';

/** How opcua-subscribe asks the server to sample and filter each item. */
export interface MonitoringSettings {
  samplingIntervalMs: number;
  queueSize: number;
  deadbandType: 'None' | 'Absolute' | 'Percent';
  deadbandValue: number;
}

/** The MonitoringParameters of every item of one opcua-subscribe node. */
export function monitoringParameters(s: MonitoringSettings): MonitoringParametersOptions {
  return {
    samplingInterval: s.samplingIntervalMs,
    queueSize: s.queueSize,
    discardOldest: true,
    filter:
      s.deadbandType === 'None'
        ? null
        : new DataChangeFilter({
            trigger: DataChangeTrigger.StatusValue,
            deadbandType: s.deadbandType === 'Absolute' ? DeadbandType.Absolute : DeadbandType.Percent,
            deadbandValue: s.deadbandValue,
          }),
  };
}

/** Monitors the Value attribute of `nodeId`, with server and source timestamps. */
export function monitorValue(sub: ClientSubscription, nodeId: NodeId, parameters: MonitoringParametersOptions) {
  return sub.monitor({ nodeId, attributeId: AttributeIds.Value }, parameters, TimestampsToReturn.Both);
}
