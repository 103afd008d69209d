"""Reading RPC parameters: each value checked for type and range, unknown keys refused.

Usage::

    p = Params("generate", raw)
    n = p.int("n", default=1, min=1)
    p.done()   # raises BadParamsError naming any key that was not read
"""

from __future__ import annotations

from typing import Any

from .errors import BadParamsError

_REQUIRED = object()


class Params:
    """A view of one request's ``params`` map that remembers which keys were read."""

    def __init__(self, where: str, raw: Any):
        if raw is None:
            raw = {}
        if not isinstance(raw, dict):
            raise BadParamsError(f"{where}: params must be a map, got {type(raw).__name__}")
        self.where = where
        self.raw = raw
        self.seen: set[str] = set()

    def _get(self, name: str, default: Any) -> Any:
        self.seen.add(name)
        value = self.raw.get(name)
        if value is None:
            if default is _REQUIRED:
                raise BadParamsError(f"{self.where}: `{name}` is required")
            return default
        return value

    def _fail(self, name: str, want: str, value: Any) -> BadParamsError:
        return BadParamsError(f"{self.where}: `{name}` must be {want}, got {value!r}"[:500])

    def has(self, name: str) -> bool:
        """True when ``name`` is present and not null."""
        return self.raw.get(name) is not None

    def int(self, name: str, default: Any = _REQUIRED, min: int | None = None, max: int | None = None):
        v = self._get(name, default)
        if v is default and default is not _REQUIRED:
            return v
        if isinstance(v, bool) or not isinstance(v, int):
            raise self._fail(name, "an integer", v)
        if (min is not None and v < min) or (max is not None and v > max):
            raise self._fail(name, f"an integer in [{min}, {max}]", v)
        return v

    def float(self, name: str, default: Any = _REQUIRED, min: float | None = None, max: float | None = None):
        v = self._get(name, default)
        if v is default and default is not _REQUIRED:
            return v
        if isinstance(v, bool) or not isinstance(v, (int, float)) or v != v:
            raise self._fail(name, "a number", v)
        if (min is not None and v < min) or (max is not None and v > max):
            raise self._fail(name, f"a number in [{min}, {max}]", v)
        return float(v)

    def bool(self, name: str, default: Any = _REQUIRED):
        v = self._get(name, default)
        if not isinstance(v, bool) and v is not default:
            raise self._fail(name, "true or false", v)
        return v

    def str(self, name: str, default: Any = _REQUIRED, choices: tuple[str, ...] | None = None):
        v = self._get(name, default)
        if v is default and default is not _REQUIRED:
            return v
        if not isinstance(v, str):
            raise self._fail(name, "a string", v)
        if choices is not None and v not in choices:
            raise self._fail(name, f"one of {list(choices)}", v)
        return v

    def list(self, name: str, default: Any = _REQUIRED, min_len: int = 0) -> Any:
        v = self._get(name, default)
        if v is default and default is not _REQUIRED:
            return v
        if not isinstance(v, list) or len(v) < min_len:
            raise self._fail(name, f"a list of at least {min_len} items", v)
        return v

    def map(self, name: str) -> Params:
        """An optional nested map, as its own Params (call ``done()`` on it too)."""
        return Params(f"{self.where}.{name}", self._get(name, {}))

    def done(self) -> None:
        unknown = sorted(set(self.raw) - self.seen)
        if unknown:
            raise BadParamsError(f"{self.where}: unknown parameter(s) {unknown}")


def int_list(where: str, value: Any, vocab_size: int | None = None) -> list[int]:
    """A list of token ids, each an int in [0, vocab_size)."""
    if not isinstance(value, list):
        raise BadParamsError(f"{where} must be a list of token ids, got {type(value).__name__}")
    for t in value:
        if isinstance(t, bool) or not isinstance(t, int) or t < 0:
            raise BadParamsError(f"{where} holds {t!r}, not a token id")
        if vocab_size is not None and t >= vocab_size:
            raise BadParamsError(f"{where} holds token id {t} >= vocabulary size {vocab_size}")
    return value


def float_list(where: str, value: Any, length: int) -> list[float]:
    """A list of ``length`` finite numbers."""
    if not isinstance(value, list) or len(value) != length:
        got = len(value) if isinstance(value, list) else type(value).__name__
        raise BadParamsError(f"{where} must be a list of {length} numbers, got {got}")
    for x in value:
        if (
            isinstance(x, bool)
            or not isinstance(x, (int, float))
            or x != x
            or x in (float("inf"), float("-inf"))
        ):
            raise BadParamsError(f"{where} holds {x!r}, not a finite number")
    return value
