export { default as modbusDevice } from './modbus-device.resource';
export { default as modbusRead } from './modbus-read.node';
export { default as modbusWrite } from './modbus-write.node';
export { ModbusConnection } from './modbus-connection';
export { decodeRegisters, encodeRegisters, registerCount, DATA_TYPES, WORD_ORDERS } from './register-codec';
export type { DataType, WordOrder, TagValue, Layout } from './register-codec';
export { planReads, MAX_BITS_PER_REQUEST, MAX_REGISTERS_PER_REQUEST } from './read-plan';
export type { ModbusTable, ReadRequest, PlanLimits } from './read-plan';
export { modbusErrors } from './error-codes';
