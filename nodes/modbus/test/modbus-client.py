"""A Modbus TCP client for the tests: pymodbus 3.0's client, values encoded and decoded with Python's struct.

Usage: /usr/bin/python3 modbus-client.py PORT OPS.json

OPS is a list of requests, run in order on one connection; one JSON line is printed per request:
{"words": [...]} or {"bits": [...]} or {"value": ...} or {"ok": true}, or {"exception": code} when
the server answered with a Modbus exception ({"error": ...} when it did not answer). Any request may
give "slave", the unit id it is addressed to (default 1). Requests:
  {"op": "read", "fc": 1|2|3|4, "address": a, "count": n}
  {"op": "read-value", "fc": 3|4, "address": a, "type": "float32", "order": "CDAB", "length": n}
  {"op": "write-register", "address": a, "value": word}            (FC 6)
  {"op": "write-registers", "address": a, "values": [words]}       (FC 16)
  {"op": "write-value", "address": a, "type": ..., "order": ..., "value": v}   (FC 16, struct-encoded)
  {"op": "write-coil", "address": a, "value": true}                (FC 5)
  {"op": "write-coils", "address": a, "values": [bools]}           (FC 15)
Values are encoded and decoded by modbus-server.py's struct code, independently of the TypeScript codec.
"""
import importlib.util
import json
import os
import sys

from pymodbus.client import ModbusTcpClient

_spec = importlib.util.spec_from_file_location("modbus_server", os.path.join(os.path.dirname(__file__), "modbus-server.py"))
codec = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(codec)

# The unit id requests carry, unless an op gives "slave".
SLAVE = 1


def answer(result, key, value):
    if result.isError():
        code = getattr(result, "exception_code", None)
        return {"exception": code} if code is not None else {"error": str(result)}
    return {key: value(result)}


def run(client, op):
    kind, address = op["op"], op["address"]
    slave = op.get("slave", SLAVE)
    if kind == "read":
        fc, count = op["fc"], op["count"]
        if fc in (1, 2):
            call = client.read_coils if fc == 1 else client.read_discrete_inputs
            return answer(call(address, count, slave=slave), "bits", lambda r: [bool(b) for b in r.bits[:count]])
        call = client.read_holding_registers if fc == 3 else client.read_input_registers
        return answer(call(address, count, slave=slave), "words", lambda r: list(r.registers))
    if kind == "read-value":
        spec = {"type": op["type"], "order": op.get("order", "ABCD"), "length": op.get("length")}
        call = client.read_holding_registers if op["fc"] == 3 else client.read_input_registers
        result = call(address, codec.size_of(spec), slave=slave)
        return answer(result, "value", lambda r: codec.decode(spec, r.registers))
    if kind == "write-register":
        return answer(client.write_register(address, op["value"], slave=slave), "ok", lambda r: True)
    if kind == "write-registers":
        return answer(client.write_registers(address, op["values"], slave=slave), "ok", lambda r: True)
    if kind == "write-value":
        words = codec.encode(op)
        return answer(client.write_registers(address, words, slave=slave), "ok", lambda r: True)
    if kind == "write-coil":
        return answer(client.write_coil(address, op["value"], slave=slave), "ok", lambda r: True)
    if kind == "write-coils":
        return answer(client.write_coils(address, op["values"], slave=slave), "ok", lambda r: True)
    raise ValueError("unknown op " + kind)


def main():
    with open(sys.argv[2], encoding="utf8") as f:
        ops = json.load(f)
    client = ModbusTcpClient("127.0.0.1", port=int(sys.argv[1]), timeout=3, retries=0)
    if not client.connect():
        print(json.dumps({"error": "cannot connect"}), flush=True)
        sys.exit(1)
    try:
        for op in ops:
            print(json.dumps(run(client, op)), flush=True)
    finally:
        client.close()


if __name__ == "__main__":
    main()
