"""A Locust user that sends the hub's own requests, for load beyond one machine.

Needs the ``load`` extra (``pip install '.[load]'`` in a clone of hubsim). Run it with
Locust's own master and workers; ``python -m hubsim.load.locustfile`` prints this file's
path for ``locust -f`` (the README shows the commands). A bad option is refused when
Locust starts, in one line naming the option, with exit code 2. Each request is built by
the hub's request builder, sent with the hub's client certificate and judged by the hub's
sender, and is reported to Locust under its operation (request type) and outcome (name); a
request that is not accepted is a failure whose message is the hub's diagnosis sentence.

Options (also as environment variables: LOCUST_HUBSIM_PKI for --hubsim-pki ...), besides
Locust's ``--host``, the Service URL:

* ``--hubsim-pki DIR`` (required), ``--hubsim-server-cert hubject|user:FILE``;
* ``--hubsim-mix``, ``--hubsim-evse``, ``--hubsim-provider``, ``--hubsim-reservation-duration``
  as for ``hubsim load``;
* ``--hubsim-requests N``: each process sends at most N requests, then quits (0: no bound);
* ``--hubsim-processes N`` with the number of worker processes, so that they draw
  different EvseIDs (worker i takes operations i, i+N, i+2N ...).

Locust sends the master's options to its workers when the run starts; a worker keeps only
its own ``--hubsim-pki`` and ``--hubsim-server-cert``, which name files on its machine.

Locust's ``--stop-timeout``, unless given, is set long enough for a user to finish its
operation when ``--run-time`` ends (see ``_check_options``).
"""

from __future__ import annotations

import argparse
import importlib.util
import itertools
import os
import re
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hubsim.errors import CLIError, user_error_message
from hubsim.load.channels import TargetSpec
from hubsim.load.engine import check_requests, operation_params, outcome_key
from hubsim.load.plan import Plan, Shape, Unit, parse_evse_pattern, parse_mix, unit_schedule
from mockpki.errors import PKIError
from oicp import Operation, jsontext
from simulator.exchange import Exchange
from simulator.hub import HubIdentity
from simulator.model import WireProfile
from simulator.oneshot import ServerCertChoice, one_shot_target
from simulator.requests import WIRE_SHAPES, SendParams, prepare_request
from simulator.sender import Target, judge_answer
from simulator.tls import ClientContextCache


def _needs_locust(missing: str | None) -> SystemExit:
    return SystemExit(
        f"hubsim: error: the Locust user class needs Locust ({missing} is not installed): "
        "pip install '.[load]' in hubsim's checkout"
    )


if __name__ == "__main__":
    # The path for ``locust -f``, found without importing Locust: gevent's monkey-patching
    # warns about the modules imported before it (hubsim.load's aiohttp), which matters in a
    # load run, not here.
    absent = [name for name in ("gevent", "locust") if importlib.util.find_spec(name) is None]
    if absent:
        raise _needs_locust(absent[0])
    print(__file__)
    raise SystemExit(0)

try:
    import gevent
    from locust import FastHttpUser, constant, events, task
    from locust.env import Environment
    from locust.exception import StopUser
    from locust.runners import STATE_INIT, MasterRunner, WorkerRunner

    from hubsim.load.locust_diagnosis import diagnose_locust_failure  # gevent's too
except ModuleNotFoundError as missing:  # hubsim without its 'load' extra
    raise _needs_locust(missing.name) from None


_STEPS = {
    Unit.REMOTE_START: (Operation.AUTHORIZE_REMOTE_START, None),
    Unit.REMOTE_START_STOP: (Operation.AUTHORIZE_REMOTE_START, Operation.AUTHORIZE_REMOTE_STOP),
    Unit.RESERVATION_START: (Operation.AUTHORIZE_REMOTE_RESERVATION_START, None),
    Unit.RESERVATION_START_STOP: (
        Operation.AUTHORIZE_REMOTE_RESERVATION_START,
        Operation.AUTHORIZE_REMOTE_RESERVATION_STOP,
    ),
}


# Each option: --hubsim-NAME, or the environment variable LOCUST_HUBSIM_NAME.
_OPTIONS: tuple[tuple[str, type, object, str], ...] = (
    ("pki", str, "", "folder written by 'hubsim pki init'"),
    ("server-cert", str, "hubject", "hubject or user:FILE"),
    ("mix", str, "remote-start-stop", "as hubsim load --mix"),
    ("evse", str, "DE*ABC*E[0001-1000]", "EvseID pattern"),
    ("provider", str, "DE*ICE", "ProviderID"),
    ("reservation-duration", int, 15, "minutes"),
    ("timeout", float, 10.0, "seconds"),
    ("requests", int, 0, "per process; 0: no bound"),
    ("processes", int, 1, "worker processes"),
)


@events.init_command_line_parser.add_listener
def _options(parser: Any) -> None:
    group = parser.add_argument_group("hubsim")
    for name, kind, default, text in _OPTIONS:
        group.add_argument(
            f"--hubsim-{name}",
            env_var=f"LOCUST_HUBSIM_{name.upper().replace('-', '_')}",
            type=kind,
            default=default,
            help=text,
        )


@dataclass
class _Process:
    """What every user of one process shares: identity, targets, numbering and budget."""

    plan: Plan
    identity: HubIdentity
    targets: dict[Operation, Target]
    numbers: Any
    budget: int  # requests this process may still send; negative: no bound
    timeout_s: float
    contexts: ClientContextCache = field(default_factory=ClientContextCache)
    active: int = 0

    def claim(self) -> bool:
        if self.budget == 0:
            return False
        self.budget -= 1
        return True


_state: _Process | None = None


def _setup(environment: Environment, host: str) -> _Process:
    global _state
    if _state is None:
        _state = _build(environment, host)
    return _state


# The options that name files: a worker reads its own, since the master's paths are paths
# on the master's machine. Locust sends every other option of the master to its workers
# when the run starts, replacing theirs.
_LOCAL_OPTIONS = ("hubsim_pki", "hubsim_server_cert")
_local: dict[str, object] = {}


def _options_of(environment: Environment) -> Any:
    """The parsed options, with a worker's own file options in place of the master's."""
    o = environment.parsed_options
    if o is None or not isinstance(environment.runner, WorkerRunner):
        return o
    if not _local:  # at the worker's start, before the master's options arrive
        _local.update({name: getattr(o, name) for name in _LOCAL_OPTIONS})
    return argparse.Namespace(**{**vars(o), **_local})


def _build(environment: Environment, host: str) -> _Process:
    """This process's state; raises the refusal of ``hubsim load`` for a bad option."""
    o = _options_of(environment)
    if o is None or not o.hubsim_pki:
        raise CLIError("give --hubsim-pki DIR (a folder written by 'hubsim pki init')")
    if o.headless and not o.worker and not host:
        raise CLIError("give --host https://HOST:PORT, the Service URL of the backend to load")
    if o.hubsim_requests < 0:
        raise CLIError(f"--hubsim-requests {o.hubsim_requests}: give 0 (no bound) or more")
    if o.hubsim_processes < 1:
        raise CLIError(f"--hubsim-processes {o.hubsim_processes}: give at least 1")
    # hubsim load's checks of a one-shot target; the host itself, when known, is checked
    # by one_shot_target below (a worker learns it from the master later).
    TargetSpec(
        url=host or "https://", server_cert=o.hubsim_server_cert, pki=o.hubsim_pki,
        timeout_s=o.hubsim_timeout,
    ).check()  # fmt: skip
    try:
        identity = HubIdentity.from_pki_dir(Path(o.hubsim_pki))
    except PKIError as bad:
        raise CLIError(f"--hubsim-pki {o.hubsim_pki}: {bad}") from None
    choice = ServerCertChoice.parse(o.hubsim_server_cert)
    plan = Plan(
        shape=Shape(concurrency=1, requests=max(o.hubsim_requests, 1)),
        mix=parse_mix(o.hubsim_mix),
        evse=parse_evse_pattern(o.hubsim_evse),
        provider_id=o.hubsim_provider,
        reservation_duration=o.hubsim_reservation_duration,
    )
    check_requests(plan)
    targets = {
        op: one_shot_target(
            host, choice, identity, op, plan.provider_id, timeout_s=o.hubsim_timeout
        )
        for op in Operation
        if op.slug and host
    }
    index = getattr(environment.runner, "worker_index", 0) or 0
    return _Process(
        plan=plan,
        identity=identity,
        targets=targets,
        numbers=itertools.count(index, max(o.hubsim_processes, 1)),
        budget=o.hubsim_requests if o.hubsim_requests > 0 else -1,
        timeout_s=o.hubsim_timeout,
    )


# hubsim load's option names, wherever its refusals name them, and the same options here.
_LOCUST_NAMES = {
    "--pki": "--hubsim-pki",
    "--provider": "--hubsim-provider",
    "--mix": "--hubsim-mix",
    "--evse": "--hubsim-evse",
    "--reservation-duration": "--hubsim-reservation-duration",
    "--timeout": "--hubsim-timeout",
    "--server-cert": "--hubsim-server-cert",
    "--url": "--host",
}
_LEADING_NAME = re.compile("|".join(re.escape(k) for k in _LOCUST_NAMES))


_OUR_OPTION = re.compile(r"--hubsim-[a-z-]+[a-z]")


def refusal_in_locust_terms(exc: BaseException) -> str:
    """The one-line refusal of ``hubsim load``, naming this file's options, or the
    environment variable a bad value came from."""
    text = _LEADING_NAME.sub(lambda m: _LOCUST_NAMES[m.group(0)], user_error_message(exc))
    return _OUR_OPTION.sub(lambda m: _source_of(m.group(0)), text)


def _source_of(option: str) -> str:
    """``option``, or ``LOCUST_HUBSIM_NAME (option)`` when the value came from that variable:
    a refusal of a CI job's variable that named only the option sent people looking for it
    on a command line that did not have it."""
    given = any(arg == option or arg.startswith(f"{option}=") for arg in sys.argv[1:])
    variable = "LOCUST_" + option.removeprefix("--").upper().replace("-", "_")
    return f"{variable} ({option})" if not given and variable in os.environ else option


@events.init.add_listener
def _check_options(environment: Environment, **_: Any) -> None:
    """Refuse a bad option once, when Locust starts, and exit 2, as ``hubsim load`` does.

    Checked at a user's first request instead, each user logged a traceback and the run
    went on sending nothing until --run-time ended, with exit code 0. A worker started
    without --host gets the master's later: its Service URL is checked then.
    """
    host = environment.host or ""
    try:
        state = _build(environment, host)
        if host:
            target = state.targets[Operation.AUTHORIZE_REMOTE_START]
            state.contexts.get(state.identity.client, target.trust)  # a User cert is read here
    except Exception as exc:
        refusal = refusal_in_locust_terms(exc)
        print(f"hubsim: error: {refusal}", file=sys.stderr, flush=True)
        _tell_the_master(environment, refusal)
        sys.exit(2)
    if not environment.stop_timeout:
        # Locust's own default kills a user mid-operation at the end of --run-time: a session
        # started but never stopped stays open at the backend, which answers the next run's
        # start on that EVSE with 602. Long enough for a start and its stop to time out; a
        # master sends its value to its workers with each spawn.
        environment.stop_timeout = 2 * state.timeout_s + 1
    if isinstance(environment.runner, MasterRunner):
        environment.runner.register_message(_REFUSED, _worker_refused)


_REFUSED = "hubsim_refused"
_FLUSH_MS = 2000  # how long a refused worker waits for its message to leave


def _tell_the_master(environment: Environment, refusal: str) -> None:
    """A worker refused on its own machine (its --hubsim-pki, say) tells its master, which
    otherwise saw only a missing worker and could end with exit code 0."""
    runner = environment.runner
    if isinstance(runner, WorkerRunner):
        runner.send_message(_REFUSED, {"error": refusal})
        # Wait (at most _FLUSH_MS) until the message has left, then leave at once: the
        # worker's own greenlets would go on with the closed connection.
        socket = runner.client.socket
        socket.close(linger=_FLUSH_MS)
        socket.context.term()
        os._exit(2)


def _worker_refused(environment: Environment, msg: Any) -> None:
    print(f"hubsim: error: worker {msg.node_id}: {msg.data['error']}", file=sys.stderr)
    environment.process_exit_code = 2
    runner = environment.runner
    assert runner is not None
    gevent.spawn(_quit_refused, runner, waiting=runner.state == STATE_INIT)


def _quit_refused(runner: MasterRunner, *, waiting: bool) -> None:
    """Quit the run: the workers, then the master. A master still waiting for its
    --expect-workers loops in Locust's main until they are all there, and a quit does not
    end that loop: with two expected and one refused, it waited for ever."""
    runner.quit()
    if waiting:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(2)


@events.init.add_listener
def _final_stats_before_quitting(environment: Environment, **_: Any) -> None:
    """A worker that ends on its own (its budget spent) sends its last stats before it says
    'quit': added after the runner's own listener, this one runs first (quitting fires in
    reverse order)."""

    def send(environment: Environment, **_: Any) -> None:
        runner = environment.runner
        if isinstance(runner, WorkerRunner):
            data: dict[str, Any] = {}
            environment.events.report_to_master.fire(client_id=runner.client_id, data=data)
            runner.send_message("stats", data)

    environment.events.quitting.add_listener(send)


class Diagnosed(Exception):
    """A failure reported to Locust: its sentence, in every one of Locust's renderings.

    Locust names a failure by ``repr`` of its exception. It unwraps its own
    CatchResponseError in a single process, but a worker sends the ``repr`` to its master,
    which kept the quotes: ``rejected:603: 'The CPO answered ...'``.
    """

    def __repr__(self) -> str:
        return str(self)


class HubsimUser(FastHttpUser):
    """Sends the operations of the mix, one after the other, as the hub would."""

    wait_time = constant(0)
    insecure = False  # verify the backend's certificate and host name, as the hub does
    abstract = False

    def __init__(self, environment: Environment) -> None:
        # FastHttpUser's own 60 s, and a per-request timeout, which geventhttpclient drops
        # for a POST body of bytes: a backend that never answered waited out 60 s and read
        # as a closed connection. These bound each socket operation, which for a request
        # and its small answer is the hub's timeout.
        try:
            timeout_s = _setup(environment, self.host or environment.host or "").timeout_s
        except Exception as exc:  # the master's options, refused on this worker
            refusal = refusal_in_locust_terms(exc)
            print(f"hubsim: error: {refusal}", file=sys.stderr, flush=True)
            _tell_the_master(environment, refusal)
            raise
        self.connection_timeout = self.network_timeout = timeout_s
        super().__init__(environment)

    def ssl_context_factory(self, **_: Any) -> Any:
        """The hub's client context: its service certificate, the trust of the mode, TLS >= 1.2
        (geventhttpclient passes a CA bundle, which the hub never trusts: ignored)."""
        state = _setup(self.environment, self.host or "")
        target = state.targets[Operation.AUTHORIZE_REMOTE_START]
        return state.contexts.get(state.identity.client, target.trust)

    def on_start(self) -> None:
        _setup(self.environment, self.host or "").active += 1

    @task
    def operation(self) -> None:
        state = _setup(self.environment, self.host or "")
        if not state.claim():
            self._finish(state)
        n = next(state.numbers)
        unit = unit_schedule(state.plan.mix)[n % 1000]
        first, stop = _STEPS[unit]
        started = self._send(state, first, operation_params(state.plan, unit, n))
        if stop is None or not started.ok:
            return
        state.budget -= 1 if state.budget > 0 else 0
        session = started.session_id or str(started.request_body.get("SessionID") or "")
        self._send(state, stop, operation_params(state.plan, unit, n, session_id=session))

    def _finish(self, state: _Process) -> None:
        state.active -= 1
        if state.active == 0:  # the last user of this process: its requests are all in
            runner = self.environment.runner
            assert runner is not None
            gevent.spawn(runner.quit)
        raise StopUser()

    def _send(self, state: _Process, operation: Operation, params: SendParams) -> Exchange:
        _, body = prepare_request(operation, params)
        target = state.targets[operation]
        fields: dict[str, Any] = {
            "operation": operation.value,
            "url": target.url,
            "request_body": body,
            "started_at": datetime.now(UTC),
            "elapsed_ms": 0.0,
            "server_certification": target.trust.mode.slug,
        }
        t0 = time.perf_counter()
        with self.client.request(
            "POST",
            target.url,
            data=jsontext.dumps_bytes(body),  # type: ignore[arg-type]  # bytes go as they are
            headers=dict(WIRE_SHAPES[WireProfile.HBS].headers),  # the real hub's profile
            catch_response=True,
            allow_redirects=False,  # as the hub's sender: a redirect is the answer
        ) as resp:
            fields["elapsed_ms"] = (time.perf_counter() - t0) * 1000
            error = getattr(resp, "error", None)
            if error is not None and not resp.status_code:
                diagnosis = diagnose_locust_failure(error, target, state.identity.client)
                exchange = Exchange(outcome=diagnosis.outcome, detail=diagnosis.detail, **fields)
            else:
                status = resp.status_code
                location = resp.headers.get("Location") if 300 <= status < 400 else None
                exchange = judge_answer(status, resp.content or b"", fields, location)
            resp.request_meta["request_type"] = operation.slug
            resp.request_meta["name"] = outcome_key(exchange)
            if exchange.ok:
                resp.success()
            else:
                resp.failure(Diagnosed(exchange.detail))
        return exchange
