"""Input table definitions (SPEC §2), loaded from the data files next to this module.

``tables.toml`` declares every table and column with its Chinese alias, type,
requiredness and bilingual description; ``enums.toml`` the enumerations;
``provinces.csv`` and ``grid_regions.csv`` the Chinese provinces and grids.
Everything here is plain data plus name matching — no validation logic.
"""

from __future__ import annotations

import csv
import difflib
import math
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

HERE = Path(__file__).parent

ColumnType = Literal[
    "id", "text", "number", "integer", "ratio", "percent", "boolean", "year",
    "period", "enum", "unit", "province", "grid_region", "factor_unit",
    "activity", "currency", "region", "pcf_unit",
]

_SEPARATORS = re.compile(r"[\s_\-./·]+")
_BRACKETED = re.compile(r"[(\[{<（【《〔「][^)\]}>）】》〕」]*[)\]}>）】》〕」]")
_NUMBERED = re.compile(r"(?:fy)?\d+\s*(?:年度|年|月份|月|期)?")
_COMPACT_DROP = re.compile(r"[\W_]+")


def normalize_name(text: str) -> str:
    """Key used to match names: NFKC, case-folded, separators collapsed to ``_``.

    ``"Site ID"``, ``"site-id"`` and ``"SITE_ID"`` all give ``"site_id"``;
    full-width characters become half-width.
    """
    text = unicodedata.normalize("NFKC", str(text)).casefold().strip().strip("*").strip()
    return _SEPARATORS.sub("_", text).strip("_")


def compact_name(text: str) -> str:
    """Key for designations such as gas names: NFKC, case-folded, every separator removed.

    ``"R-134a"``, ``"R134a"``, ``"r 134A"`` and ``"HFC-134a"`` → ``"r134a"`` / ``"hfc134a"``.
    """
    return _COMPACT_DROP.sub("", unicodedata.normalize("NFKC", str(text)).casefold())


def suggest(word: str, choices: dict[str, str], n: int = 3) -> list[str]:
    """Up to ``n`` canonical values whose names are close to ``word``.

    ``choices`` maps normalised names (aliases included) to canonical values.
    """
    close = difflib.get_close_matches(normalize_name(word), list(choices), n=n * 3, cutoff=0.6)
    out: list[str] = []
    for key in close:
        value = choices[key]
        if value not in out:
            out.append(value)
    return out[:n]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class EnumValue(_Frozen):
    value: str
    zh: str
    aliases: tuple[str, ...] = ()
    unit_kinds: tuple[str, ...] = ()
    defaults: dict[str, str] = Field(default_factory=dict)
    memo_only: bool = False  # gas outside the Kyoto basket: a memo item, not in the scopes
    assumed: tuple[str, ...] = ()  # less precise names read as this value, with a warning
    assumption_en: str = ""
    assumption_zh: str = ""


class EnumSpec(_Frozen):
    name: str
    description_en: str
    description_zh: str
    values: tuple[EnumValue, ...]
    match: Literal["name", "compact"] = "name"  # compact: every separator ignored (R134a = R-134a)
    suggest: bool = True  # False: names that merely look alike mean other things (R-22 vs R-32)
    extensible: bool = False  # your own factors may add values (a new fuel, gas, material, sector)
    hint_en: str = ""  # said after "did you mean" (instead of it when suggest is False)
    hint_zh: str = ""

    def key(self, text: str) -> str:
        """The matching key of a text under this enumeration's ``match`` rule."""
        return compact_name(text) if self.match == "compact" else normalize_name(text)

    @cached_property
    def lookup(self) -> dict[str, str]:
        """Matching key of each name or alias (assumed ones included) → canonical value."""
        out: dict[str, str] = {}
        for v in self.values:
            for name in (v.value, v.zh, *v.aliases, *v.assumed):
                out.setdefault(self.key(name), v.value)
        return out

    @cached_property
    def assumed(self) -> dict[str, EnumValue]:
        """Matching key of each less precise name → the value it is read as (warned about)."""
        return {self.key(name): v for v in self.values for name in v.assumed}

    def value_spec(self, value: str) -> EnumValue | None:
        return next((v for v in self.values if v.value == value), None)


class ColumnSpec(_Frozen):
    name: str
    zh: str
    aliases: tuple[str, ...] = ()
    type: ColumnType
    required: bool = False
    enum: str | None = None
    unit_kinds: tuple[str, ...] = ()
    unit_kinds_by: str | None = None  # enum column whose value narrows unit_kinds per row
    per_unit_of: str | None = None  # pcf_unit: the unit column whose kind the footprint must be per
    unit_kinds_from: str | None = None  # factor_unit: the activity column whose family says what it is per
    whole_units: bool = False  # currency: no multiples such as 万元 (the amounts are in units)
    min: float | None = None
    max: float | None = None
    default: str | float | int | bool | None = None
    references: str | None = None
    description_en: str
    description_zh: str
    example: str = ""

    def header(self, lang: str) -> str:
        """Header text for a template in ``lang`` (zh, en or both)."""
        if lang == "zh":
            return self.zh
        if lang == "both":
            return f"{self.zh}\n{self.name}"
        return self.name

    def description(self, lang: str) -> str:
        return self.description_zh if lang == "zh" else self.description_en


class QuantitySpec(_Frozen):
    value: str
    unit: str


class MonthlySpec(_Frozen):
    group: tuple[str, ...]


class ConditionSpec(_Frozen):
    """A per-row rule that applies when enum columns hold given values (``powertrain`` = ``bev`` ...).

    ``when`` maps enum columns to the values that make the rule apply (every column
    must match). For those rows the ``required`` columns must be filled, a column of
    ``allowed`` may hold only the values listed, and the ``unused`` columns are ignored
    by the calculation (a warning when filled). ``because_*`` says why, for messages.
    """

    when: dict[str, tuple[str, ...]] = Field(min_length=1)
    required: tuple[str, ...] = ()
    allowed: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    unused: tuple[str, ...] = ()
    because_en: str
    because_zh: str


class TableSpec(_Frozen):
    name: str
    zh: str
    aliases: tuple[str, ...] = ()
    layout: Literal["rows", "key_value"] = "rows"
    key: tuple[str, ...] = ()
    unique: tuple[str, ...] = ()
    quantity: QuantitySpec | None = None
    monthly: MonthlySpec | None = None
    energy_content: str | None = None  # enum column naming the fuel; energy_mwh is added
    one_of: tuple[tuple[str, ...], ...] = ()
    together: tuple[tuple[str, ...], ...] = ()
    conditions: tuple[ConditionSpec, ...] = ()  # per-row rules keyed on enum values (see ConditionSpec)
    reconcile: bool = False  # every row must be calculated, used or excluded with a reason (results.json)
    in_template: bool = True  # part of the blank inventory workbook (the supplier kit's own tables are not)
    amounts: tuple[tuple[str, str], ...] = ()  # (amount column, unit column or "=unit") summed per reason
    description_en: str
    description_zh: str
    columns: tuple[ColumnSpec, ...] = Field(min_length=1)

    def column(self, name: str) -> ColumnSpec:
        return next(c for c in self.columns if c.name == name)

    @cached_property
    def column_lookup(self) -> dict[str, str]:
        """Normalised header (English, Chinese or alias) → column name."""
        out: dict[str, str] = {}
        for c in self.columns:
            for name in (c.name, c.zh, *c.aliases):
                out.setdefault(normalize_name(name), c.name)
        return out

    def description(self, lang: str) -> str:
        return self.description_zh if lang == "zh" else self.description_en

    def title(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.name


class Province(_Frozen):
    code: str
    zh: str
    en: str
    grid_region: str
    aliases: tuple[str, ...] = ()


class Schema(_Frozen):
    """All tables, enumerations, provinces and grid regions."""

    tables: dict[str, TableSpec]
    enums: dict[str, EnumSpec]
    provinces: tuple[Province, ...]
    grid_regions: EnumSpec
    ignored_sheets: tuple[str, ...] = ()
    sheet_name_decorations: tuple[str, ...] = ()  # words around a table name that do not change it

    def table(self, name: str) -> TableSpec:
        return self.tables[name]

    def table_for_name(self, sheet_or_file: str) -> TableSpec | None:
        """The table a sheet or file name stands for (English, Chinese or alias), if any.

        A bilingual name such as ``能源 energy`` matches through either word.
        """
        lookup = self.table_lookup
        name = lookup.get(normalize_name(sheet_or_file))
        if name is None:
            for word in str(sheet_or_file).split():
                name = lookup.get(normalize_name(word))
                if name:
                    break
        return self.tables.get(name or "")

    def match_table(self, sheet_or_file: str) -> tuple[TableSpec | None, bool]:
        """The table a sheet or file name stands for, and whether that was assumed.

        ``能源``, ``Energy``, ``能源 energy`` name a table outright (``assumed`` is False).
        A name that only contains a table name — with a year or number, a bracketed
        part, one of ``sheet_name_decorations`` (``能源2025``, ``采购明细(2025)``,
        ``2025年能耗数据``), or beside other words (``old energy``) — is read as that
        table with ``assumed`` True, so the caller can say so.
        """
        key = normalize_name(sheet_or_file)
        if key in self.table_lookup:
            return self.tables[self.table_lookup[key]], False
        words = {self.table_lookup.get(normalize_name(w)) for w in str(sheet_or_file).split()}
        if len(words) == 1 and None not in words:  # bilingual: every word names the same table
            return self.tables[words.pop()], False  # type: ignore[index]
        for candidate in self._undecorated(sheet_or_file):
            spec = self.table_for_name(candidate)
            if spec is not None:
                return spec, True
        return None, False

    def _undecorated(self, name: str):
        """``name`` with decorations removed step by step: brackets, numbers, then decoration words."""
        text = unicodedata.normalize("NFKC", str(name)).casefold()
        yield text
        text = _BRACKETED.sub(" ", text)
        yield text
        text = _NUMBERED.sub(" ", text)
        key = normalize_name(text)
        yield key
        decorations = sorted({normalize_name(d) for d in self.sheet_name_decorations}, key=len, reverse=True)
        changed = True
        while key and changed:
            changed = False
            for word in decorations:
                latin = word.isascii()
                if key.startswith(word) and (not latin or key == word or key[len(word)] == "_"):
                    key, changed = key[len(word):].strip("_"), True
                elif key.endswith(word) and (not latin or key == word or key[-len(word) - 1] == "_"):
                    key, changed = key[: -len(word)].strip("_"), True
                if changed:
                    if key:
                        yield key
                    break

    def is_ignored_sheet(self, name: str) -> bool:
        """Sheets zcf's own templates add for people (instructions, drop-down lists)."""
        return normalize_name(name) in {normalize_name(n) for n in self.ignored_sheets}

    def table_suggestions(self, name: str) -> list[str]:
        return suggest(name, self.table_lookup)

    @cached_property
    def table_lookup(self) -> dict[str, str]:
        """Normalised table name, Chinese name or alias → table name."""
        out: dict[str, str] = {}
        for t in self.tables.values():
            for name in (t.name, t.zh, *t.aliases):
                out.setdefault(normalize_name(name), t.name)
        return out

    @cached_property
    def province_lookup(self) -> dict[str, str]:
        """Normalised province name or code (江苏, 江苏省, Jiangsu, JS, CN-JS) → ``CN-JS``."""
        out: dict[str, str] = {}
        for p in self.provinces:
            for name in (p.code, p.code.removeprefix("CN-"), p.zh, p.en, *p.aliases):
                out.setdefault(normalize_name(name), p.code)
        return out

    def province(self, code: str) -> Province:
        return next(p for p in self.provinces if p.code == code)

    @cached_property
    def region_lookup(self) -> dict[str, str]:
        """Region names and codes as factor regions use them: 浙江 → CN-ZJ, 华东 → CN-GRID-EAST, 中国 → CN."""
        out: dict[str, str] = {}
        for row in _read_csv("regions.csv"):
            for name in (row["code"], row["zh"], row["en"], *filter(None, row["aliases"].split("|"))):
                out.setdefault(normalize_name(name), row["code"])
        for key, code in self.province_lookup.items():
            out.setdefault(key, code)
        for grid in self.grid_regions.values:
            code = f"CN-GRID-{grid.value.upper()}"
            for name in (code, grid.value, grid.zh, *grid.aliases):
                out.setdefault(normalize_name(name), code)
        return out


def _read_csv(name: str) -> list[dict[str, str]]:
    with open(HERE / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@cache
def load_schema() -> Schema:
    """The schema shipped with zcf (cached)."""
    with open(HERE / "tables.toml", "rb") as f:
        raw = tomllib.load(f)
    tables_raw = raw["tables"]
    with open(HERE / "enums.toml", "rb") as f:
        enums_raw = tomllib.load(f)
    enums = {name: EnumSpec(name=name, **body) for name, body in enums_raw.items()}
    tables = {name: TableSpec(name=name, **body) for name, body in tables_raw.items()}
    provinces = tuple(
        Province(**{**row, "aliases": tuple(a for a in row["aliases"].split("|") if a)})
        for row in _read_csv("provinces.csv")
    )
    grid_regions = EnumSpec(
        name="grid_region",
        description_en="Regional power grid",
        description_zh="区域电网",
        values=tuple(
            EnumValue(value=r["code"], zh=r["zh"], aliases=(r["en"],)) for r in _read_csv("grid_regions.csv")
        ),
    )
    schema = Schema(
        tables=tables,
        enums=enums,
        provinces=provinces,
        grid_regions=grid_regions,
        ignored_sheets=tuple(raw.get("ignored_sheets", ())),
        sheet_name_decorations=tuple(raw.get("sheet_name_decorations", ())),
    )
    _check_consistency(schema)
    return schema


@dataclass(frozen=True)
class Magnitude:
    """The largest magnitude accepted in a numeric column (limits.toml)."""

    kind: str  # a kind of limits.toml, or "unit": the row's unit decides (checked on quantity_std)
    max: float  # in ``unit``: the column's own unit
    unit: str
    label: str = ""  # "an energy quantity", for messages
    label_zh: str = ""


@dataclass(frozen=True)
class MagnitudeLimits:
    kinds: dict[str, dict]  # kind → {max, unit, why, label, label_zh}
    columns: dict[str, tuple[str, float, str]]  # "table.column" → (kind, to_canonical, the column's unit)

    def for_kind(self, kind: str) -> Magnitude:
        """The limit of a quantity kind (energy, mass ... as zcf.units names them) in its canonical unit."""
        body = self.kinds.get(kind, self.kinds["default"])
        return Magnitude(kind, body["max"], body["unit"], body["label"], body["label_zh"])

    def for_column(self, table: str, column: str) -> Magnitude:
        """The limit of a numeric column in its own unit; kind "unit" (max ∞) when the row's unit decides."""
        kind, to_canonical, unit = self.columns.get(f"{table}.{column}", ("default", 1.0, ""))
        if kind == "unit":
            return Magnitude("unit", math.inf, "")
        body = self.kinds[kind]
        return Magnitude(kind, body["max"] / to_canonical, unit or body["unit"], body["label"], body["label_zh"])


@cache
def magnitude_limits() -> MagnitudeLimits:
    """The magnitude limits of ``limits.toml`` (cached); checked against the schema."""
    with open(HERE / "limits.toml", "rb") as f:
        raw = tomllib.load(f)
    kinds = {
        name: {"max": float(body["max"]), "unit": str(body["unit"]), "why": str(body["why"]),
               "label": str(body["label"]), "label_zh": str(body["label_zh"])}
        for name, body in raw["kinds"].items()
    }
    columns = {
        name: (str(body["kind"]), float(body.get("to_canonical", 1.0)), str(body.get("unit", "")))
        for name, body in raw["columns"].items()
    }
    schema = load_schema()
    for name, (kind, to_canonical, _) in columns.items():
        table, _, column = name.partition(".")
        if table not in schema.tables or column not in {c.name for c in schema.tables[table].columns}:
            raise ValueError(f"limits.toml: unknown column {name!r}")
        if kind != "unit" and kind not in kinds:
            raise ValueError(f"limits.toml: {name}: unknown kind {kind!r}")
        if kind == "unit" and (schema.tables[table].quantity is None or schema.tables[table].quantity.value != column):
            raise ValueError(f"limits.toml: {name}: kind 'unit' needs the quantity column of a quantity/unit pair")
        if not (math.isfinite(to_canonical) and to_canonical > 0):
            raise ValueError(f"limits.toml: {name}: bad to_canonical")
    if "default" not in kinds or not all(math.isfinite(k["max"]) and k["max"] > 0 for k in kinds.values()):
        raise ValueError("limits.toml: every kind needs a finite positive max, and a default kind is required")
    return MagnitudeLimits(kinds, columns)


def derived_columns(table: TableSpec) -> set[str]:
    """Columns ingest adds to a table's canonical frame; an input column cannot have these names.

    Names starting with ``_`` (lineage such as ``_source_file``, helpers) are reserved too.
    """
    names = set()
    if table.quantity:
        names |= {"quantity_std", "unit_std"}
    if table.energy_content:
        names.add("energy_mwh")
    for column in table.columns:
        if column.type == "period":
            names |= {f"{column.name}_year", f"{column.name}_month"}
    return names


def _check_consistency(schema: Schema) -> None:
    """Catch mistakes in the data files early (they are part of the code base)."""
    for t in schema.tables.values():
        names = {c.name for c in t.columns}
        for col in t.columns:
            if col.type == "enum" and col.enum not in schema.enums:
                raise ValueError(f"{t.name}.{col.name}: unknown enum {col.enum!r}")
            for reference in (col.references or "").split("|"):
                if not reference:
                    continue
                ref_table, _, ref_col = reference.partition(".")
                if ref_col not in {c.name for c in schema.tables[ref_table].columns}:
                    raise ValueError(f"{t.name}.{col.name}: bad reference {col.references!r}")
        groups = [t.key, t.unique, *t.one_of, *t.together]
        if t.quantity:
            groups.append((t.quantity.value, t.quantity.unit))
        if t.monthly:
            groups.append(t.monthly.group)
        derived = {"quantity_std", "unit_std"} if t.quantity else set()
        for value, unit in t.amounts:
            groups.append(tuple(c for c in (value, unit) if c not in derived and not c.startswith("=")))
        groups.append(tuple(filter(None, [t.energy_content, *(c.unit_kinds_by for c in t.columns),
                                          *(c.per_unit_of for c in t.columns), *(c.unit_kinds_from for c in t.columns)])))
        if t.energy_content and not t.quantity:
            raise ValueError(f"{t.name}: energy_content needs a quantity/unit pair")
        for group in groups:
            missing = set(group) - names
            if missing:
                raise ValueError(f"{t.name}: unknown columns {sorted(missing)}")
        for condition in t.conditions:
            _check_condition(schema, t, condition)
        clash = (names & derived_columns(t)) | {n for n in names if n.startswith("_")}
        if clash:
            raise ValueError(f"{t.name}: columns {sorted(clash)} clash with the columns ingest derives")
        lookup_keys = [normalize_name(n) for c in t.columns for n in (c.name, c.zh)]
        if len(lookup_keys) != len(set(lookup_keys)):
            raise ValueError(f"{t.name}: two columns share a name or Chinese alias")


def _check_condition(schema: Schema, table: TableSpec, condition: ConditionSpec) -> None:
    """Columns of a condition exist; its ``when`` and ``allowed`` values are values of the columns' enums."""
    names = {c.name for c in table.columns}
    mentioned = [*condition.when, *condition.required, *condition.allowed, *condition.unused]
    missing = set(mentioned) - names
    if missing:
        raise ValueError(f"{table.name}: condition names unknown columns {sorted(missing)}")
    for column_name, values in [*condition.when.items(), *condition.allowed.items()]:
        column = table.column(column_name)
        if column.type != "enum":
            raise ValueError(f"{table.name}.{column_name}: a condition can test or restrict only enum columns")
        known = {v.value for v in schema.enums[column.enum].values}  # type: ignore[index]
        if not values or set(values) - known:
            raise ValueError(f"{table.name}.{column_name}: condition values {sorted(set(values) - known)} "
                             f"are not values of enum {column.enum!r}")
