"""Certificate Management: an upload (one certificate or a chain) is stored whole or not at all."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from simulator.model import Operator
from simulator.storage import (
    DuplicateCertificateError,
    NewCertificate,
    Storage,
    StorageError,
    UnknownOperatorError,
)

OPERATOR_ID = "DE*ABC"
CertificateFactory = Callable[[str], NewCertificate]


async def test_a_chain_is_stored_in_upload_order_with_every_field(
    storage: Storage, new_certificate: CertificateFactory
) -> None:
    chain = [new_certificate("cpo.example"), new_certificate("backup.cpo.example")]

    added = await storage.add_certificates(OPERATOR_ID, chain)
    listed = await storage.list_certificates(OPERATOR_ID)

    assert listed == added
    assert [(c.subject, c.sans, c.sha256) for c in listed] == [
        (n.subject, n.sans, n.sha256) for n in chain
    ]
    assert [(c.pem, c.not_before, c.not_after) for c in listed] == [
        (n.pem, n.not_before, n.not_after) for n in chain
    ]
    assert all(c.uploaded_at.tzinfo is UTC for c in listed)


async def test_a_repeated_certificate_within_one_upload_stores_nothing(
    storage: Storage, new_certificate: CertificateFactory
) -> None:
    leaf = new_certificate("cpo.example")
    chain = [leaf, new_certificate("other.example"), leaf]

    with pytest.raises(DuplicateCertificateError, match="twice in this upload") as refused:
        await storage.add_certificates(OPERATOR_ID, chain)

    assert refused.value.sha256 == leaf.sha256
    assert leaf.sha256 in str(refused.value)
    assert await storage.list_certificates(OPERATOR_ID) == []


async def test_an_upload_repeating_a_stored_certificate_stores_nothing_of_it(
    storage: Storage, new_certificate: CertificateFactory
) -> None:
    stored = new_certificate("cpo.example")
    [kept] = await storage.add_certificates(OPERATOR_ID, [stored])

    with pytest.raises(DuplicateCertificateError, match=stored.sha256):
        await storage.add_certificates(OPERATOR_ID, [new_certificate("new.example"), stored])

    assert await storage.list_certificates(OPERATOR_ID) == [kept]


async def test_the_same_certificate_may_be_uploaded_for_two_operators(
    storage: Storage, new_certificate: CertificateFactory
) -> None:
    shared = new_certificate("cpo.example")
    await storage.upsert_operator(Operator("DE*XYZ"))

    await storage.add_certificates(OPERATOR_ID, [shared])
    await storage.add_certificates("DE*XYZ", [shared])

    assert len(await storage.list_certificates("DE*XYZ")) == 1


async def test_certificates_for_an_unknown_operator_are_refused(
    storage: Storage, new_certificate: CertificateFactory
) -> None:
    with pytest.raises(UnknownOperatorError, match=r"'DE\*NOPE'"):
        await storage.add_certificates("DE*NOPE", [new_certificate("cpo.example")])


async def test_a_naive_validity_date_is_refused_and_nothing_stored(
    storage: Storage, new_certificate: CertificateFactory
) -> None:
    good = new_certificate("cpo.example")
    naive = replace(new_certificate("naive.example"), not_after=datetime(2030, 1, 1))

    with pytest.raises(StorageError, match="naive datetime"):
        await storage.add_certificates(OPERATOR_ID, [good, naive])

    assert await storage.list_certificates(OPERATOR_ID) == []


async def test_deleting_a_certificate_removes_only_that_one(
    storage: Storage, new_certificate: CertificateFactory
) -> None:
    first, second = await storage.add_certificates(
        OPERATOR_ID, [new_certificate("a.example"), new_certificate("b.example")]
    )

    assert await storage.delete_certificate(OPERATOR_ID, first.cert_id) is True
    assert await storage.delete_certificate(OPERATOR_ID, first.cert_id) is False
    assert await storage.list_certificates(OPERATOR_ID) == [second]


async def test_a_certificate_is_deleted_only_through_its_own_operator(
    storage: Storage, new_certificate: CertificateFactory
) -> None:
    [cert] = await storage.add_certificates(OPERATOR_ID, [new_certificate("a.example")])

    assert await storage.delete_certificate("DE*XYZ", cert.cert_id) is False
    assert await storage.list_certificates(OPERATOR_ID) == [cert]
