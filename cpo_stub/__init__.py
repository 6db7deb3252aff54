"""The stub CPO backend: a configurable, recording OICP 2.3 CPO behind mutual TLS.

Start with :class:`CPOStub` (``CPOStub.from_pki_dir(dir)``), configure answers with the
behaviours (:class:`Accept`, :class:`Reject`, :class:`Delay`, :class:`CloseConnection`,
:class:`Http500`, :class:`MalformedJson`) and read :attr:`CPOStub.records`.
"""

from cpo_stub.backend import BackendCall, BackendConfig, StubBackend
from cpo_stub.behaviour import (
    Accept,
    Behaviour,
    BehaviourError,
    CloseConnection,
    Delay,
    Http500,
    MalformedJson,
    Reject,
    behaviour_from_json,
    behaviour_to_json,
)
from cpo_stub.expectations import Expectation, ExpectationBook, Lifetime, Responder
from cpo_stub.recording import HandshakeFailure, NoRequestsError, StubRecord
from cpo_stub.server import CPOStub, StubNotRunningError, run_stub
from cpo_stub.state import EvseState, EvseStatus

__all__ = [
    "Accept",
    "BackendCall",
    "BackendConfig",
    "Behaviour",
    "BehaviourError",
    "CPOStub",
    "CloseConnection",
    "Delay",
    "EvseState",
    "EvseStatus",
    "Expectation",
    "ExpectationBook",
    "HandshakeFailure",
    "Http500",
    "Lifetime",
    "MalformedJson",
    "NoRequestsError",
    "Reject",
    "Responder",
    "StubBackend",
    "StubNotRunningError",
    "StubRecord",
    "behaviour_from_json",
    "behaviour_to_json",
    "run_stub",
]
