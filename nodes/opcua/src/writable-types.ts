// Kept apart from variant-codec (which needs node-opcua) because opcua-write's schema lists them.

/** Data types `toVariant` can write, by their OPC UA names (the `dataType` config of opcua-write). */
export const WRITABLE_TYPES = [
  'Boolean',
  'SByte',
  'Byte',
  'Int16',
  'UInt16',
  'Int32',
  'UInt32',
  'Int64',
  'UInt64',
  'Float',
  'Double',
  'String',
  'DateTime',
  'LocalizedText',
] as const;
export type WritableType = (typeof WRITABLE_TYPES)[number];
