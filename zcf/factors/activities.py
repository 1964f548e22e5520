"""Activity ids as families (``activities.toml``): which ids a factor may have, and what it may be per.

:func:`read_activity` turns what a user typed in the ``activity`` column of the factors sheet
into the canonical id (``ncv.天然气`` → ``ncv.natural_gas``, ``gwp.AR6.HFC-134a`` →
``gwp.AR6.R-134a``) with its family, or says it is no id zcf knows, with close ids to suggest
(``steel`` → ``material.steel``).
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

HERE = Path(__file__).parent
_PLACEHOLDER = re.compile(r"^\{(\w+)\}$")
_NEW_KEY = re.compile(r"^[^\s.]+$")


@dataclass(frozen=True)
class Placeholder:
    name: str
    enum: str | None = None
    open: bool = False
    currency: bool = False


@dataclass(frozen=True)
class Family:
    pattern: str
    meaning_en: str
    meaning_zh: str
    unit_kinds: tuple[str, ...]
    example: str
    declares: bool = False

    @property
    def segments(self) -> tuple[str, ...]:
        return tuple(self.pattern.split("."))

    @property
    def placeholders(self) -> tuple[str, ...]:
        return tuple(m[1] for s in self.segments if (m := _PLACEHOLDER.match(s)))


@dataclass(frozen=True)
class ActivityMatch:
    """A recognised activity id: its canonical text, family, and the open names it adds (fuel → biogas)."""

    activity: str
    family: Family
    values: dict[str, str]  # placeholder → canonical value
    new: dict[str, str]  # open placeholders filled with a name the enumeration does not list


@cache
def _load() -> tuple[dict[str, Placeholder], tuple[Family, ...]]:
    with open(HERE / "activities.toml", "rb") as f:
        raw = tomllib.load(f)
    placeholders = {name: Placeholder(name=name, **body) for name, body in raw["placeholders"].items()}
    families = tuple(
        Family(**{**body, "unit_kinds": tuple(body["unit_kinds"])}) for body in raw["family"]
    )
    # Literal ids first (spend.travel before spend.{sector}).
    families = tuple(sorted(families, key=lambda f: (len(f.placeholders), f.pattern)))
    return placeholders, families


def families() -> tuple[Family, ...]:
    return _load()[1]


def placeholders() -> dict[str, Placeholder]:
    return _load()[0]


def _fill(placeholder: Placeholder, text: str) -> tuple[str, bool] | None:
    """(canonical value, whether it is a new name) for one segment, or None if it does not fit."""
    from zcf.schema import load_schema

    if placeholder.currency:
        from zcf.units import try_currency

        currency = try_currency(text)
        return (currency.code, False) if currency is not None and currency.multiplier == 1 else None
    spec = load_schema().enums[placeholder.enum]  # type: ignore[index]
    value = spec.lookup.get(spec.key(text))
    if value is not None:
        return value, False
    if placeholder.open and _NEW_KEY.match(text):
        return text, True
    return None


def _match(family: Family, parts: list[str]) -> ActivityMatch | None:
    if len(parts) != len(family.segments):
        return None
    values: dict[str, str] = {}
    new: dict[str, str] = {}
    out: list[str] = []
    for segment, part in zip(family.segments, parts):
        found = _PLACEHOLDER.match(segment)
        if found is None:
            if part.casefold() != segment.casefold():
                return None
            out.append(segment)
            continue
        filled = _fill(placeholders()[found[1]], part)
        if filled is None:
            return None
        value, is_new = filled
        values[found[1]] = value
        if is_new:
            new[found[1]] = value
        out.append(value)
    return ActivityMatch(".".join(out), family, values, new)


@cache
def read_activity(text: str) -> ActivityMatch | None:
    """The canonical activity id for ``text``, or None when it fits no family."""
    parts = [p.strip() for p in str(text).strip().split(".")]
    if not all(parts):
        return None
    for family in families():
        found = _match(family, parts)
        if found is not None:
            return found
    return None


@cache
def known_activities() -> tuple[str, ...]:
    """Every concrete activity id: the library's, and each family with every enumeration value filled in."""
    from itertools import product

    from zcf.factors import library
    from zcf.schema import load_schema

    schema = load_schema()
    out = {f.activity for f in library()}
    for family in families():
        choices = []
        for segment in family.segments:
            found = _PLACEHOLDER.match(segment)
            if found is None:
                choices.append([segment])
                continue
            holder = placeholders()[found[1]]
            choices.append([v.value for v in schema.enums[holder.enum].values] if holder.enum else [])
        out |= {".".join(c) for c in product(*choices)}
    return tuple(sorted(out))


def suggest_activities(text: str, n: int = 3) -> list[str]:
    """Close activity ids: those that start with what was typed or end with it, else similar ones.

    The library's own ids are tried before the other combinations of the families.
    ``electricity`` → ``electricity.grid``, ...; ``steel`` → ``material.steel``;
    ``materal.steel`` → ``material.steel``.
    """
    from zcf.factors import library

    typed = str(text).strip().casefold()
    if not typed:
        return []
    in_library = tuple(sorted({f.activity for f in library()}))
    for known in (in_library, known_activities()):
        by_prefix = sorted((a for a in known if a.casefold().startswith(typed + ".")), key=lambda a: (len(a), a))
        by_part = [a for a in known if "." not in typed and a.casefold().split(".")[-1] == typed]
        picked = list(dict.fromkeys(by_prefix + by_part))
        if picked:
            return picked[:n]
        lowered = {a.casefold(): a for a in known}
        close = difflib.get_close_matches(typed, list(lowered), n=n, cutoff=0.75)
        if close:
            return [lowered[c] for c in close]
    return []


def declared_keys(activities: list[str], enum: str) -> set[str]:
    """New names that ``activities`` (e.g. the user's factors) make usable for enumeration ``enum``."""
    out: set[str] = set()
    for text in activities:
        found = read_activity(text)
        if found is None or not found.family.declares:
            continue
        for name, value in found.values.items():
            if placeholders()[name].enum == enum:
                out.add(value)
    return out
