"""The attacks of the fuzz suite: HTTP requests built by Hypothesis, each tagged with its class.

A class names the kind of hostility, so that a run can count its cases and its failures per
class, and the CI run can leave out a class whose fix has not landed yet:

- ``schema``: a body derived from Hubject's official schema of the operation;
- ``mutated``: such a body with one member removed, retyped or replaced;
- ``nesting``: arrays or objects nested hundreds to thousands of levels deep;
- ``encoding``: a Content-Encoding (garbage or real gzip), or bytes that are not UTF-8;
- ``surrogate``: a lone surrogate escape (``"\\ud800"``) in a string member;
- ``size``: long strings and long arrays, up to just under the 1 MiB body limit;
- ``oversize``: a body over the limit;
- ``nan``: NaN and Infinity (the json module's extensions) in number members;
- ``method``: another HTTP method on an operation's path;
- ``path``: a path no operation or route serves;
- ``query``: query parameters, on an OICP path or on the admin API's reading routes
  (``?limit=0``, ``?outcome=foo``, ids that are no numbers).
"""

from __future__ import annotations

import gzip
import json
import urllib.parse
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

from tests.fuzz.from_schema import JSON, json_values

ALL_CLASSES = (
    "schema",
    "mutated",
    "nesting",
    "encoding",
    "surrogate",
    "size",
    "nan",
    "method",
    "path",
    "oversize",
    "query",
)
# The stub's and the admin port's limit (aiohttp's client_max_size), and that of every OICP
# operation of the hub but PushEvseData, which reads up to 24 MiB
# (oicp.limits.FULL_LOAD_MAX_BODY_BYTES): there an "oversize" attack is a large body,
# answered with a FaultBody; its 413 is tested in tests/hostile.
BODY_LIMIT = 1024 * 1024
_DEEP = "\x00deep\x00"  # placeholder, replaced by the nested text after json.dumps


@dataclass(frozen=True)
class Route:
    """Where a body goes: method, path, the client certificate to present, its body strategy."""

    path: str
    bodies: st.SearchStrategy[JSON]
    identity: str = "cpo"  # which client certificate: "cpo", "emp" or "none" (admin)
    method: str = "POST"


@dataclass(frozen=True)
class Attack:
    """One request of the fuzz suite."""

    kind: str
    identity: str
    method: str
    path: str
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = field(default=())

    def describe(self) -> str:
        head = self.body[:200]
        return f"[{self.kind}] {self.method} {self.path} {dict(self.headers)} {head!r}…"


def attacks(routes: Sequence[Route], classes: Sequence[str]) -> st.SearchStrategy[Attack]:
    """Attacks of the given classes on the given routes."""
    builders = [_BUILDERS[c] for c in classes]
    return st.one_of([st.sampled_from(routes).flatmap(b) for b in builders])


def _json_request(kind: str, route: Route, text: str | bytes, **headers: str) -> Attack:
    body = text.encode("utf-8") if isinstance(text, str) else text
    all_headers = {"Content-Type": "application/json", **headers}
    return Attack(kind, route.identity, route.method, route.path, body, tuple(all_headers.items()))


def _schema(route: Route) -> st.SearchStrategy[Attack]:
    return route.bodies.map(lambda b: _json_request("schema", route, json.dumps(b)))


# --- mutations of a valid body ---------------------------------------------------------------


def _paths(value: JSON, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every member's path in a JSON value (the root is ())."""
    found = [prefix]
    if isinstance(value, dict):
        for key, member in value.items():
            found += _paths(member, (*prefix, key))
    elif isinstance(value, list):
        for index, member in enumerate(value):
            found += _paths(member, (*prefix, index))
    return found


def _replace(value: JSON, path: tuple[Any, ...], new: JSON, *, delete: bool = False) -> JSON:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        copy = dict(value)
        if delete and not rest:
            del copy[head]
        else:
            copy[head] = _replace(value[head], rest, new, delete=delete)
        return copy
    items = list(value)
    if delete and not rest:
        del items[head]
    else:
        items[head] = _replace(value[head], rest, new, delete=delete)
    return items


@st.composite
def _placed(draw: st.DrawFn, route: Route, new: st.SearchStrategy[JSON]) -> JSON:
    """A valid body with one member (or the body itself) replaced by a value of ``new``."""
    body = draw(route.bodies)
    path = draw(st.sampled_from(_paths(body)))
    return _replace(body, path, draw(new))


@st.composite
def _mutated(draw: st.DrawFn, route: Route) -> Attack:
    body = draw(route.bodies)
    paths = _paths(body)[1:]
    if paths and draw(st.booleans()):
        body = _replace(body, draw(st.sampled_from(paths)), None, delete=True)
    else:
        body = _replace(body, draw(st.sampled_from(_paths(body))), draw(json_values()))
    return _json_request("mutated", route, json.dumps(body, allow_nan=False))


def _mutated_strategy(route: Route) -> st.SearchStrategy[Attack]:
    return _mutated(route)


@st.composite
def _nesting(draw: st.DrawFn, route: Route) -> Attack:
    # Around the 64 levels a body may nest, around orjson's 254 and 1024, and far beyond.
    depth = draw(st.integers(min_value=40, max_value=300) | st.integers(300, 20_000))
    opener = draw(st.sampled_from(["[", '{"a":']))
    closer = "]" if opener == "[" else "}"
    body = draw(_placed(route, st.just(_DEEP)))
    text = json.dumps(body).replace(json.dumps(_DEEP), opener * depth + "0" + closer * depth)
    return _json_request("nesting", route, text)


@st.composite
def _encoding(draw: st.DrawFn, route: Route) -> Attack:
    plain = json.dumps(draw(route.bodies)).encode()
    choice = draw(st.sampled_from(["garbage", "gzip", "deflate", "truncated", "charset"]))
    if choice == "charset":
        body = draw(
            st.sampled_from(
                [
                    plain.decode().encode("utf-16"),
                    b"\xef\xbb\xbf" + plain,  # a UTF-8 byte order mark
                    plain.replace(b'"', b'"\xe9', 1),  # Latin-1 é
                    plain + b"\xed\xa0\x80",  # an encoded surrogate: not UTF-8
                    draw(st.binary(max_size=200)),
                ]
            )
        )
        return _json_request("encoding", route, body)
    coding = draw(st.sampled_from(["gzip", "deflate", "br", "zstd", "x-gzip", "GZIP", "a, b"]))
    body = {
        "garbage": draw(st.binary(min_size=1, max_size=200)),
        "gzip": gzip.compress(plain),
        "deflate": zlib.compress(plain),
        "truncated": gzip.compress(plain)[:-6],
    }[choice]
    return _json_request("encoding", route, body, **{"Content-Encoding": coding})


_SURROGATES = st.sampled_from(["\ud800", "\udfff", "a\udc00b", "\ud83d", "\ude00\ud83d"])


def _surrogate(route: Route) -> st.SearchStrategy[Attack]:
    # json.dumps writes a lone surrogate as its \\uXXXX escape, as a hostile peer would.
    return _placed(route, _SURROGATES).map(
        lambda b: _json_request("surrogate", route, json.dumps(b))
    )


@st.composite
def _size(draw: st.DrawFn, route: Route) -> Attack:
    # Up to just under the body limit: a body over it is the limit's business, not this class's.
    length = draw(st.integers(min_value=1_000, max_value=BODY_LIMIT - 50_000))
    filler = draw(st.sampled_from(["a", " ", "*", "é", "0", "-----BEGIN X-----\n"]))
    big: JSON = draw(
        st.sampled_from(
            [  # each about ``length`` bytes once written
                filler * (length // (len(filler.encode()) + 1)),
                [0] * (length // 3),
                [{}] * (length // 4),
                {f"k{i}": i for i in range(length // 20)},
            ]
        )
    )
    body = draw(_placed(route, st.just(_DEEP)))
    text = json.dumps(body).replace(json.dumps(_DEEP), json.dumps(big, ensure_ascii=False))
    return _json_request("size", route, text)


def _nan(route: Route) -> st.SearchStrategy[Attack]:
    values = st.sampled_from([float("nan"), float("inf"), float("-inf")])
    return _placed(route, values).map(lambda b: _json_request("nan", route, json.dumps(b)))


def _method(route: Route) -> st.SearchStrategy[Attack]:
    methods = st.sampled_from(["GET", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE"])
    return st.builds(
        lambda m, b: Attack("method", route.identity, m, route.path, b, ()),
        methods,
        st.sampled_from([b"", b"{}"]),
    )


_PATH_PARTS = st.sampled_from(
    ["api", "oicp", "..", ".", "%2e%2e", "%00", "%ED%A0%80", "%FF", "*", "%2A", "DE*ABC", "x" * 300]
)


@st.composite
def _path(draw: st.DrawFn, route: Route) -> Attack:
    # The admin port also serves the portal's pages: its API is what lives under /api/, so
    # there no part may climb out of it (aiohttp resolves dot segments).
    admin = route.identity == "none"
    root = "/api/" if admin else "/"
    parts = st.lists(_PATH_PARTS, min_size=0, max_size=6)
    if admin:
        parts = parts.map(lambda ps: [p for p in ps if p not in ("..", ".", "%2e%2e")])
    drawn = draw(parts)
    choice = draw(st.sampled_from(["random", "suffix", "prefix"]))
    path = {
        "random": root + "/".join(drawn),
        "suffix": route.path + "/" + "/".join(drawn),
        "prefix": root + "/".join(drawn) + route.path,
    }[choice]
    return Attack("path", route.identity, route.method, path, b"{}", ())


@st.composite
def _oversize(draw: st.DrawFn, route: Route) -> Attack:
    extra = draw(st.integers(min_value=1, max_value=200_000))
    body = b'{"x": "' + b"a" * (BODY_LIMIT + extra) + b'"}'
    return Attack("oversize", route.identity, route.method, route.path, body, _JSON)


_JSON = (("Content-Type", "application/json"),)
_QUERY_VALUES = st.sampled_from(
    ["0", "-1", "\u00b2", "99999999999999999999", "NaN",
     "1e400", "foo", "", "%00", "%ED%A0%80", "x" * 2000, "1.5", "+1", " 1"]
).map(lambda v: urllib.parse.quote(v, safe="%"))  # fmt: skip
_QUERY_KEYS = st.sampled_from(["limit", "outcome", "operator_id", "service_type", "x"])
# The admin API's reading routes, with a value where an id or a filter goes.
_ADMIN_READS = ("/api/exchanges?{k}={v}", "/api/exchanges/{v}", "/api/operators/{v}",
                "/api/operators/DE%2AABC/settings/{v}", "/api/emps/{v}/contracts")  # fmt: skip


@st.composite
def _query(draw: st.DrawFn, route: Route) -> Attack:
    key, value = draw(_QUERY_KEYS), draw(_QUERY_VALUES)
    if route.identity == "none":
        path = draw(st.sampled_from(_ADMIN_READS)).format(k=key, v=value)
        return Attack("query", route.identity, "GET", path, b"", ())
    body = json.dumps(draw(route.bodies)).encode()
    path = f"{route.path}?{key}={value}"
    return Attack("query", route.identity, route.method, path, body, _JSON)


_BUILDERS: dict[str, Callable[[Route], st.SearchStrategy[Attack]]] = {
    "schema": _schema,
    "mutated": _mutated_strategy,
    "nesting": _nesting,
    "encoding": _encoding,
    "surrogate": _surrogate,
    "size": _size,
    "nan": _nan,
    "method": _method,
    "path": _path,
    "oversize": _oversize,
    "query": _query,
}
