"""Protocol errors carry their OICP status code."""

from __future__ import annotations

import pytest

from oicp.errors import OICPError, OICPValidationError
from oicp.messages import StatusCode
from oicp.validation import Problem


def test_oicp_error_description_defaults_to_the_spec_text() -> None:
    error = OICPError("017")
    assert (error.code, error.description, error.additional_info) == (
        "017",
        "Unauthorized Access.",
        None,
    )


def test_oicp_error_status_code_is_the_wire_status_code() -> None:
    error = OICPError("603", additional_info="DE*ABC*E9 is not in the uploaded EVSE data")
    assert StatusCode.from_error(error) == StatusCode(
        "603", "Unknown EVSE ID.", "DE*ABC*E9 is not in the uploaded EVSE data"
    )
    assert "603" in str(error) and "DE*ABC*E9" in str(error)


def test_validation_error_is_a_data_error_listing_every_problem() -> None:
    problems = [
        Problem("/EvseID", "pattern:EvseID", "EvseID 'x' is not valid"),
        Problem("", "type:object", "body must be an object"),
    ]
    error = OICPValidationError(problems)
    assert isinstance(error, OICPError)
    assert (error.code, error.description) == ("022", "Data error.")
    assert error.problems == tuple(problems)
    assert (
        error.additional_info == "/EvseID: EvseID 'x' is not valid; (body): body must be an object"
    )
    assert "[pattern:EvseID]" in str(error)


def test_validation_error_additional_info_is_cut_to_1000_characters() -> None:
    problems = [Problem(f"/Member{i}", "required", "m" * 90) for i in range(20)]
    info = OICPValidationError(problems).additional_info or ""
    assert len(info) == 1000
    assert info.startswith("/Member0: ") and info.endswith("…")


def test_validation_error_needs_at_least_one_problem() -> None:
    with pytest.raises(ValueError, match="at least one Problem"):
        OICPValidationError([])
