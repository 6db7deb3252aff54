"""The nesting bound on JSON a peer sends: a pointer to the first value too deep."""

from __future__ import annotations

from oicp.jsontext import NESTING_MAX, nesting_pointer


def test_a_body_within_the_bound_has_no_pointer() -> None:
    assert nesting_pointer('{"a": [1, {"b": [2]}]}') is None
    assert nesting_pointer("[" * NESTING_MAX + "]" * NESTING_MAX) is None


def test_the_pointer_names_keys_and_indexes_down_to_the_first_value_too_deep() -> None:
    deep = '{"x": 1, "a~/b": [0, ' + '{"k": ' * 70 + "1" + "}" * 70 + "]}"
    pointer = nesting_pointer(deep, limit=5)
    assert pointer == "/a~0~1b/1/k/k/k"


def test_brackets_inside_strings_do_not_count() -> None:
    assert nesting_pointer('{"text": "' + "[{" * 100 + '"}') is None


def test_five_thousand_levels_give_a_pointer_not_a_recursion_error() -> None:
    pointer = nesting_pointer("[" * 5000 + "]" * 5000)
    assert pointer == "/0" * NESTING_MAX
