"""A simulated PLC for the modbus-to-opcua example: a Modbus TCP server (pymodbus 3.0) whose values move.

Usage: /usr/bin/python3 plc-simulator.py PORT

Holding registers (0-based protocol addresses), raw analog values 0-27648 as a Siemens S7 analog
input card gives them for 4-20 mA:
  0  tank1/level         a slow sine (period 120 s) around half full, with a little noise
  1  tank1/outlet-valve  steps between 0, 25, 50 and 75 % every 5 s, with a little noise
Coil 0: pump1/running, on for 3 s, off for 3 s.
Each update (every 200 ms) is printed on stdout as a JSON line {"level": raw, "valve": raw, "running": bool}.
"""
import asyncio
import json
import math
import random
import sys
import time

from pymodbus.datastore import ModbusSequentialDataBlock, ModbusServerContext, ModbusSlaveContext
from pymodbus.server import StartAsyncTcpServer

FULL_SCALE = 27648
UPDATE_SECONDS = 0.2


def registers(t, rng):
    level = FULL_SCALE / 2 + 8000 * math.sin(2 * math.pi * t / 120) + rng.uniform(-30, 30)
    valve = FULL_SCALE / 4 * (int(t // 5) % 4) + rng.uniform(0, 20)
    return [int(round(level)), int(round(valve))]


async def update(slave):
    rng = random.Random(7)
    start = time.monotonic()
    while True:
        t = time.monotonic() - start
        values = registers(t, rng)
        running = int(t // 3) % 2 == 0
        # FC 3 = holding registers, FC 1 = coils; pymodbus 3.0 with zero_mode=False adds 1 to the address itself.
        slave.setValues(3, 0, values)
        slave.setValues(1, 0, [running])
        print(json.dumps({"level": values[0], "valve": values[1], "running": running}), flush=True)
        await asyncio.sleep(UPDATE_SECONDS)


async def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 5020
    # Blocks start at address 1: pymodbus 3.0 maps protocol address a to index a + 1.
    slave = ModbusSlaveContext(
        hr=ModbusSequentialDataBlock(1, [0] * 100), co=ModbusSequentialDataBlock(1, [0] * 100), zero_mode=False
    )
    updating = asyncio.create_task(update(slave))
    await StartAsyncTcpServer(context=ModbusServerContext(slaves=slave, single=True), address=("127.0.0.1", port), allow_reuse_address=True)
    updating.cancel()


if __name__ == "__main__":
    asyncio.run(main())
