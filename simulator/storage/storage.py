"""The hub's storage: one object for operators, settings, certificates and the exchange log."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

from simulator.exchange import Exchange
from simulator.model import (
    Operator,
    ServiceType,
    ServiceTypeSettings,
    SettingsRevision,
    UploadedCertificate,
)
from simulator.storage import certificates as certificates_sql
from simulator.storage import exchanges as exchanges_sql
from simulator.storage import operators as operators_sql
from simulator.storage import settings as settings_sql
from simulator.storage.certificates import NewCertificate
from simulator.storage.database import Database
from simulator.storage.evse import EvseStore
from simulator.storage.exchange_writer import AppendBatch, ExchangeWriter
from simulator.storage.exchanges import ExchangeQuery
from simulator.storage.log_process import LogProcess
from simulator.storage.log_writer import append_records
from simulator.storage.partners import PartnerStore
from simulator.storage.pending import PendingFile, pending_path, read_pending
from simulator.storage.sessions import SessionStore

DEFAULT_MAX_EXCHANGES = 10_000


class Storage:
    """The hub's SQLite storage. Open it with :meth:`open`, close it with :meth:`close`.

    Every method but :meth:`record_exchange` is a coroutine whose SQLite work runs on one
    dedicated worker thread, so the event loop never waits on the disk. Every save is one
    committed transaction by the time it returns.
    """

    def __init__(
        self, database: Database, writer: ExchangeWriter, log: LogProcess | None = None
    ) -> None:
        self._database = database
        self._writer = writer
        self._log = log
        # The inbound side's data (EMPs, EVSE data, sessions), on the same worker thread.
        self.partners = PartnerStore(database)
        self.evse = EvseStore(database)
        self.sessions = SessionStore(database)
        self._config_generation = 0

    @classmethod
    async def open(
        cls, path: str | Path = ":memory:", *, max_exchanges: int = DEFAULT_MAX_EXCHANGES
    ) -> Storage:
        """Open or create the database at ``path`` (``":memory:"`` for a throwaway one).

        An older database is upgraded; one from a newer hubsim is refused with a
        :class:`StorageError`. The exchange log keeps the newest ``max_exchanges`` entries.
        """
        if max_exchanges < 1:
            raise ValueError(f"max_exchanges must be at least 1, got {max_exchanges}")
        database = await Database.open(path)
        log = None
        pending: PendingFile | None = None
        if database.path not in ("", ":memory:"):  # another process can open it
            try:
                log = await LogProcess.start(database.path, max_exchanges)
                pending = await _recover_pending(database.path, log)
            except BaseException:
                if log is not None:
                    await log.close()
                await database.close()
                raise
            append: AppendBatch = log.append
        else:

            async def append(rows: list[bytes]) -> None:
                await database.write(
                    lambda c: append_records(c, rows, max_exchanges),
                    durable=False,
                )

        next_id = await database.read(exchanges_sql.last_exchange_id) + 1
        writer = ExchangeWriter(append, max_exchanges, next_id=next_id, pending=pending)
        writer.start()
        return cls(database, writer, log)

    @property
    def config_generation(self) -> int:
        """Bumped by every write to operators, settings or certificates made through this
        object, so that callers can cache configuration and know when it went stale."""
        return self._config_generation

    def _config_changed(self) -> None:
        self._config_generation += 1

    @property
    def log_process_pid(self) -> int | None:
        """The pid of the exchange log's writer process (None for an in-memory database)."""
        return self._log.pid if self._log is not None else None

    @property
    def path(self) -> str:
        """The database's path as given to :meth:`open`."""
        return self._database.path

    async def close(self) -> None:
        """Write the queued exchanges, then close the database. Closing twice is harmless."""
        try:
            await self._writer.close()
        finally:
            try:
                if self._log is not None:
                    await self._log.close()
            finally:
                await self._database.close()

    async def __aenter__(self) -> Storage:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    # Operators

    async def upsert_operator(self, op: Operator) -> None:
        """Create the operator, or replace the stored fields of an existing one."""
        await self._database.write(lambda c: operators_sql.upsert_operator(c, op))
        self._config_changed()

    async def get_operator(self, operator_id: str) -> Operator | None:
        return await self._database.read(lambda c: operators_sql.get_operator(c, operator_id))

    async def list_operators(self) -> list[Operator]:
        """Every operator, ordered by id."""
        return await self._database.read(operators_sql.list_operators)

    async def delete_operator(self, operator_id: str) -> bool:
        """Delete the operator with its settings history and certificates.

        Returns False if there was no such operator. The exchange log keeps its entries.
        """
        result = await self._database.write(lambda c: operators_sql.delete_operator(c, operator_id))
        self._config_changed()
        return result

    # Service type settings

    async def save_settings(
        self, operator_id: str, service_type: ServiceType, settings: ServiceTypeSettings
    ) -> SettingsRevision:
        """Append a revision (numbered from 1 per operator and service type) and return it.

        Raises :class:`UnknownOperatorError` if the operator does not exist.
        """
        result = await self._database.write(
            lambda c: settings_sql.save_settings(c, operator_id, service_type, settings)
        )
        self._config_changed()
        return result

    async def current_settings(
        self, operator_id: str, service_type: ServiceType
    ) -> SettingsRevision | None:
        """The newest revision, or None if this service type was never saved."""
        return await self._database.read(
            lambda c: settings_sql.current_settings(c, operator_id, service_type)
        )

    async def settings_history(
        self, operator_id: str, service_type: ServiceType
    ) -> list[SettingsRevision]:
        """Every revision, newest first."""
        return await self._database.read(
            lambda c: settings_sql.settings_history(c, operator_id, service_type)
        )

    async def all_current_settings(self, operator_id: str) -> dict[ServiceType, SettingsRevision]:
        """The newest revision of each service type saved for the operator."""
        return await self._database.read(
            lambda c: settings_sql.all_current_settings(c, operator_id)
        )

    # Certificate Management

    async def add_certificates(
        self, operator_id: str, certificates: Sequence[NewCertificate]
    ) -> list[UploadedCertificate]:
        """Store one upload (a single certificate or a chain) whole, or nothing of it.

        Raises :class:`DuplicateCertificateError` if a certificate's SHA-256 fingerprint is
        already stored for the operator or repeats within the upload, and
        :class:`UnknownOperatorError` if the operator does not exist.
        """
        upload = tuple(certificates)  # a snapshot: the caller may change its list meanwhile
        result = await self._database.write(
            lambda c: certificates_sql.add_certificates(c, operator_id, upload)
        )
        self._config_changed()
        return result

    async def list_certificates(self, operator_id: str) -> list[UploadedCertificate]:
        """The operator's certificates in upload order."""
        return await self._database.read(
            lambda c: certificates_sql.list_certificates(c, operator_id)
        )

    async def delete_certificate(self, operator_id: str, cert_id: int) -> bool:
        """Delete one of the operator's certificates; False if it has no such certificate."""
        result = await self._database.write(
            lambda c: certificates_sql.delete_certificate(c, operator_id, cert_id)
        )
        self._config_changed()
        return result

    # Exchange log (Process Monitor)

    def record_exchange(self, exchange: Exchange) -> Exchange:
        """Queue an exchange for the log; set its ``exchange_id`` and return it, at once.

        Call it from the event loop's thread. A background task writes queued exchanges in
        batches; :meth:`flush` waits for them, and the read methods of the API flush first,
        so an exchange is found by its id as soon as this returns. For a database file the
        exchange is also in the pending file (:mod:`pending`) by then, so a killed process
        does not lose it. Raises :class:`StorageError` at once for an exchange that could
        not be stored (naive ``started_at``, non-JSON request body).
        """
        return self._writer.record(exchange)

    async def flush(self) -> None:
        """Wait until every exchange recorded so far is written."""
        await self._writer.flush()

    async def list_exchanges(
        self,
        *,
        operator_id: str | None = None,
        service_type: str | None = None,
        outcome: str | None = None,
        limit: int = 100,
    ) -> list[Exchange]:
        """Written exchanges, newest first, each with its ``exchange_id``.

        ``service_type`` takes the portal label or the slug; ``outcome`` an
        :class:`~simulator.exchange.Outcome` value. Exchanges still queued are not included:
        call :meth:`flush` first to see them.
        """
        return await self.query_exchanges(
            ExchangeQuery(
                operator_id=operator_id, service_type=service_type, outcome=outcome, limit=limit
            )
        )

    async def query_exchanges(self, query: ExchangeQuery) -> list[Exchange]:
        """:meth:`list_exchanges` with every filter of :class:`ExchangeQuery` (ValueError
        naming a bad filter value)."""
        checked = exchanges_sql.check_query(query)
        return await self._database.read(lambda c: exchanges_sql.list_exchanges(c, checked))

    async def get_exchange(self, exchange_id: int) -> Exchange | None:
        return await self._database.read(lambda c: exchanges_sql.get_exchange(c, exchange_id))

    async def newest_exchange_id(self) -> int:
        """The id of the newest written exchange (0 for an empty log): it changes whenever
        an exchange is written."""
        return await self._database.read(exchanges_sql.newest_exchange_id)

    async def count_exchanges(self) -> int:
        """How many exchanges the log holds (written ones only)."""
        return await self._database.read(exchanges_sql.count_exchanges)

    async def clear_exchanges(self) -> None:
        """Empty the log, including what is still queued."""
        await self._writer.flush()
        await self._database.write(exchanges_sql.clear_exchanges, durable=False)


async def _recover_pending(path: str, log: LogProcess) -> PendingFile:
    """Commit what a killed hub left in the pending file, then open it, empty, for this one."""
    pending = pending_path(path)
    lines = read_pending(pending)
    if lines:
        await log.append(lines)
    return PendingFile(pending)
