"""A small Modbus TCP PLC for the import tests: holding registers 0-19 hold 100 + address, and
every write is printed as a JSON line ({"write": address, "values": [...]}). Debian's pymodbus 3.0
shifts addresses by one, so the block starts at 1. Usage: plc-server.py PORT"""

import asyncio
import json
import sys

from pymodbus.datastore import ModbusSequentialDataBlock, ModbusServerContext, ModbusSlaveContext
from pymodbus.server import StartAsyncTcpServer


class PrintingBlock(ModbusSequentialDataBlock):
    def setValues(self, address, values):
        super().setValues(address, values)
        print(json.dumps({"write": address - 1, "values": list(values)}), flush=True)


def main():
    port = int(sys.argv[1])
    holding = PrintingBlock(1, [100 + a for a in range(20)])
    coils = ModbusSequentialDataBlock(1, [False] * 20)
    device = ModbusSlaveContext(hr=holding, co=coils, zero_mode=False)
    context = ModbusServerContext(slaves=device, single=True)
    asyncio.run(StartAsyncTcpServer(context=context, address=("127.0.0.1", port)))


main()
