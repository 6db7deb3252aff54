"""Why a server could not listen, in words that name the command-line option to change.

The hub and the stub both bind ports given by the user. The OS reports a host name it cannot
resolve, an address that is not this machine's and a port already taken alike, as an
OSError; blaming the port for all three sent users to the wrong option.
"""

from __future__ import annotations

import errno
import os
import socket


def authority(host: str, port: int) -> str:
    """``host:port`` as a URL and a sentence must write it: an IPv6 address in brackets
    (``[::1]:8443``), else its colons run into the port's."""
    shown = f"[{host}]" if ":" in host else host
    return f"{shown}:{port}"


def listen_problem(port_option: str, host_option: str, host: str, port: int, exc: OSError) -> str:
    """The sentence for ``exc``, raised by listening on ``host``:``port``."""
    if isinstance(exc, socket.gaierror):
        return (
            f"{host_option} {host}: no such host name or address; give an address of this "
            "machine, such as 127.0.0.1 (this machine only) or 0.0.0.0 (every interface)"
        )
    reason = os.strerror(exc.errno).lower() if exc.errno else str(exc)
    if exc.errno == errno.EADDRNOTAVAIL:
        return (
            f"{host_option} {host}: not an address of this machine ({reason}); give one of "
            "its addresses, such as 127.0.0.1 or 0.0.0.0"
        )
    return (
        f"{port_option} {port}: cannot listen on {authority(host, port)} ({reason}); stop what "
        f"listens there or give {port_option} another port"
    )
