"""Backend processes shared by the tests of one session: started on first use, stopped at
the end, so that repeating a case runs against the same process."""

from __future__ import annotations

from tests.backends.materials import Materials
from tests.backends.process import BackendProcess
from tests.backends.spec import BackendSpec
from tests.backends.stacks import STACKS, start_backend


class BackendPool:
    def __init__(self, materials: Materials) -> None:
        self.materials = materials
        self._running: dict[tuple[str, BackendSpec], BackendProcess] = {}

    def get(self, stack_name: str, spec: BackendSpec) -> BackendProcess:
        key = (stack_name, spec)
        backend = self._running.get(key)
        if backend is None or not backend.alive:
            backend = start_backend(STACKS[stack_name], spec, self.materials)
            self._running[key] = backend
        return backend

    def close(self) -> None:
        for backend in self._running.values():
            backend.stop()
        self._running.clear()
