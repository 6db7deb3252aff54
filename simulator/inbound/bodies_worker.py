"""The worker process of :mod:`simulator.inbound.bodies`: ``python -m`` this module
with the operation's wire name (a CPO's or an EMP's).

It reads one body on stdin, prepares it as the event loop would, and writes the result on
stdout. A module apart, so that what it pickles names ``simulator.inbound.bodies``'s
classes, not ``__main__``'s.
"""

from __future__ import annotations

import sys

from oicp.cpo_operations import CPOOperation
from oicp.operations import Operation
from simulator.inbound.bodies import ReceivedOperation, prepare_body, write_result

_BY_NAME: dict[str, ReceivedOperation] = {op.value: op for op in (*CPOOperation, *Operation)}


def main() -> None:
    operation = _BY_NAME[sys.argv[1]]
    write_result(sys.stdout.buffer, prepare_body(operation, sys.stdin.buffer.read()))
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    main()
