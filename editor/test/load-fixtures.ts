/// <reference types="node" />
// Unit tests run in Node (jest): reading the fixtures from disk is fine here, unlike in src/.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Flow } from '@tagflow/flow-model';
import { catalogFromApi } from '../src/state';
import type { EditorCatalog, NodesApiResponse } from '../src/state';

/** GET /api/nodes of a runtime with the standard distribution: core, MQTT, Modbus, OPC UA, historian (see fixtures/generate-nodes-api.js). */
export function nodesApi(): NodesApiResponse {
  return JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures/nodes-api.json'), 'utf8')) as NodesApiResponse;
}

export function coreCatalog(): EditorCatalog {
  return catalogFromApi(nodesApi());
}

export function pumpMonitor(): Flow {
  return JSON.parse(fs.readFileSync(path.join(__dirname, '../../examples/pump-monitor/flow.json'), 'utf8')) as Flow;
}
