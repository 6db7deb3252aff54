"""The one exception of the PKI package."""

from __future__ import annotations


class PKIError(Exception):
    """The mock PKI could not be built, loaded or used as asked.

    The message names the file or value at fault and says what to do about it,
    e.g. which ``hubsim pki init`` command recreates a missing directory.
    """
