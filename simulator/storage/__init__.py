"""The hub's storage: SQLite on one worker thread, versioned schema, batched exchange log.

Open it with ``await Storage.open(path)``; see :class:`Storage` for what it keeps.
"""

from simulator.storage.certificates import NewCertificate
from simulator.storage.errors import DuplicateCertificateError, StorageError, UnknownOperatorError
from simulator.storage.evse import EvseRow, EvseStore, PricingRow, evse_row
from simulator.storage.exchanges import ExchangeQuery, query_problems
from simulator.storage.migrations import MIGRATIONS, SCHEMA_VERSION, Migration, apply_migrations
from simulator.storage.partners import PartnerStore
from simulator.storage.sessions import SessionStore, StoredCDR
from simulator.storage.storage import DEFAULT_MAX_EXCHANGES, Storage

__all__ = [
    "DEFAULT_MAX_EXCHANGES",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "DuplicateCertificateError",
    "EvseRow",
    "EvseStore",
    "ExchangeQuery",
    "Migration",
    "NewCertificate",
    "PartnerStore",
    "PricingRow",
    "SessionStore",
    "Storage",
    "StorageError",
    "StoredCDR",
    "UnknownOperatorError",
    "apply_migrations",
    "evse_row",
    "query_problems",
]
