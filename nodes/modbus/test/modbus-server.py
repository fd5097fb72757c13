"""A Modbus TCP server for the tests: pymodbus 3.0 with register contents encoded by Python's struct.

Usage: /usr/bin/python3 modbus-server.py PORT|/dev/SERIAL LAYOUT.json (a path: Modbus RTU at 19200 8N1; a pseudo-terminal cannot do parity)

The layout names values, not words: {"holding-register": [{"address": 0, "type": "float32",
"order": "CDAB", "value": -1234.5}], "coil": [{"address": 3, "value": true}], "watch": [...]}.
This script turns them into register words with struct, independently of the TypeScript codec
under test. Every request is printed on stdout as a JSON line: {"op": "get"|"set", "fc": 3,
"address": 0, "count": 10, "t": ms} (0-based protocol addresses, monotonic ms). For each "watch" slot, a write that
touches it prints {"op": "decoded", "address": ..., "value": ...}, decoded here with struct.
"""
import asyncio
import json
import struct
import sys
import time

from pymodbus.datastore import ModbusSequentialDataBlock, ModbusServerContext, ModbusSlaveContext
from pymodbus.server import StartAsyncTcpServer

SIZE = 10000
FORMATS = {"int16": "h", "uint16": "H", "int32": "i", "uint32": "I", "float32": "f", "float64": "d"}
TABLES = {"coil": "co", "discrete-input": "di", "holding-register": "hr", "input-register": "ir"}


def emit(event):
    event["t"] = round(time.monotonic() * 1000, 1)
    print(json.dumps(event), flush=True)


def split_words(data):
    return [data[i:i + 2] for i in range(0, len(data), 2)]


def encode(spec):
    """Register words for a value. ABCD is big-endian, DCBA little-endian, CDAB and BADC their word reversals."""
    kind, order = spec["type"], spec.get("order", "ABCD")
    if kind == "string":
        data = spec["value"].encode("latin1").ljust(spec["length"] * 2, b"\0")
        words = split_words(data)
        if order in ("BADC", "DCBA"):
            words = [w[::-1] for w in words]
        return [int.from_bytes(w, "big") for w in words]
    little = order in ("DCBA", "BADC")
    # JSON has no NaN or infinity: the layout gives them as text ("nan", "inf").
    value = float(spec["value"]) if isinstance(spec["value"], str) else spec["value"]
    words = split_words(struct.pack(("<" if little else ">") + FORMATS[kind], value))
    if order in ("CDAB", "BADC") and kind not in ("int16", "uint16"):
        words = words[::-1]
    return [int.from_bytes(w, "big") for w in words]


def decode(spec, words):
    kind, order = spec["type"], spec.get("order", "ABCD")
    if kind == "string":
        raw = [w.to_bytes(2, "big") for w in words]
        if order in ("BADC", "DCBA"):
            raw = [w[::-1] for w in raw]
        return b"".join(raw).split(b"\0")[0].decode("latin1")
    raw = [w.to_bytes(2, "big") for w in words]
    if order in ("CDAB", "BADC") and kind not in ("int16", "uint16"):
        raw = raw[::-1]
    little = order in ("DCBA", "BADC")
    return struct.unpack(("<" if little else ">") + FORMATS[kind], b"".join(raw))[0]


def size_of(spec):
    if spec["type"] == "string":
        return spec["length"]
    return struct.calcsize(FORMATS[spec["type"]]) // 2


class LoggingContext(ModbusSlaveContext):
    """Logs each access with its function code; decodes writes to watched slots."""

    def __init__(self, watch, **blocks):
        super().__init__(zero_mode=False, **blocks)
        self.watch = watch

    def getValues(self, fc_as_hex, address, count=1):
        emit({"op": "get", "fc": fc_as_hex, "address": address, "count": count})
        return super().getValues(fc_as_hex, address, count)

    def setValues(self, fc_as_hex, address, values):
        super().setValues(fc_as_hex, address, values)
        emit({"op": "set", "fc": fc_as_hex, "address": address, "values": [v if isinstance(v, bool) else int(v) for v in values]})
        if fc_as_hex not in (6, 16):
            return
        for spec in self.watch:
            start, n = spec["address"], size_of(spec)
            if address < start + n and start < address + len(values):
                # zero_mode=False: the store keeps protocol address a at index a + 1.
                words = self.store["h"].getValues(start + 1, n)
                emit({"op": "decoded", "address": start, "value": decode(spec, words)})


def build_context(layout):
    blocks = {}
    for table, short in TABLES.items():
        bits = table in ("coil", "discrete-input")
        values = [False if bits else 0] * SIZE
        for spec in layout.get(table, []):
            if bits:
                values[spec["address"]] = bool(spec["value"])
            else:
                words = spec["words"] if "words" in spec else encode(spec)
                values[spec["address"]:spec["address"] + len(words)] = words
        # pymodbus 3.0 adds 1 to every address (zero_mode=False): the block starts at 1.
        blocks[short] = ModbusSequentialDataBlock(1, values)
    return ModbusServerContext(slaves=LoggingContext(layout.get("watch", []), **blocks), single=True)


async def main():
    with open(sys.argv[2], encoding="utf8") as f:
        layout = json.load(f)
    if sys.argv[1].startswith("/"):
        # Modbus RTU on a serial device (in the tests, one end of a socat pseudo-terminal pair).
        from pymodbus.server import StartAsyncSerialServer
        from pymodbus.transaction import ModbusRtuFramer
        emit({"op": "start", "port": sys.argv[1]})
        await StartAsyncSerialServer(context=build_context(layout), framer=ModbusRtuFramer, port=sys.argv[1], baudrate=19200, parity="N", bytesize=8, stopbits=1)
        return
    port = int(sys.argv[1])
    emit({"op": "start", "port": port})
    await StartAsyncTcpServer(context=build_context(layout), address=("127.0.0.1", port), allow_reuse_address=True)


if __name__ == "__main__":
    asyncio.run(main())
