"""Launchers for real servers of other stacks, each in its own process on a loopback port.

Used by the backend-matrix tests and ``bench/matrix.py``; any test that needs a foreign peer
(nginx, HAProxy, ``openssl s_server``, Node, Python's ``ssl``, aiohttp, ``hubsim stub serve``)
can start one with :func:`start_backend` and a :class:`BackendSpec`.
"""

from tests.backends.materials import Materials
from tests.backends.process import BackendProcess
from tests.backends.spec import Answer, BackendSpec, ServerCert, TLSSpec, Verify, Versions
from tests.backends.stacks import STACKS, Stack, start_backend

__all__ = [
    "STACKS",
    "Answer",
    "BackendProcess",
    "BackendSpec",
    "Materials",
    "ServerCert",
    "Stack",
    "TLSSpec",
    "Verify",
    "Versions",
    "start_backend",
]
