"""Rule packs as data and the few kinds of test that evaluate them.

A pack (``packs/<name>.toml``) has parameters (thresholds, each with its evidence
and source) and rules. A rule names its kind:

* ``threshold`` (also written ``coverage`` or ``yoy_change`` when that reads better):
  ``metric op param`` — e.g. ``energy.co2_per_tce <= max_co2_per_tce``;
* ``present``: every metric in ``metrics`` is known;
* ``consistency``: a named internal-consistency test (``zcf.checks.consistency``).

``detail`` names a metric shown as ``{detail}`` in a rule's messages (e.g. which
meter has the fewest months). ``when`` makes a rule apply only if a condition on another metric holds
(otherwise ``not_applicable``). A metric that is unknown gives ``missing_data``; its
message states the fact, and ``needs`` / ``needs_zh`` name the input table and column
that would make it known (for the preparer's to-do list, not the disclosure).

Every text a result carries is in English and Chinese (``title``, ``message``,
``source`` / ``source_zh``); ``measured`` and ``threshold`` are numbers (or true/false)
in ``unit``, with ``measured_text`` / ``threshold_text`` as plain renderings. A pack may ``extend``
another: it inherits its parameters and rules, overrides those with the same
name or id, and adds its own.

Thresholds known only from secondary reports, third-party code or inference may not
be errors: loading a pack enforces it.
"""

from __future__ import annotations

import operator
import tomllib
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from zcf.checks.metrics import METRIC_LABELS, METRIC_NEEDS

PACKS = Path(__file__).parent / "packs"
Evidence = Literal["official", "secondary", "third-party", "inference"]
OPS = {"<=": operator.le, ">=": operator.ge, "<": operator.lt, ">": operator.gt, "==": operator.eq}
OP_SIGNS = {"<=": "≤", ">=": "≥", "<": "<", ">": ">", "==": "="}  # as a reader writes them
THRESHOLD_KINDS = {"threshold", "coverage", "yoy_change"}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Param(_Strict):
    value: float | int | str | bool
    evidence: Evidence
    source: str
    note: str = ""


class Condition(_Strict):
    metric: str
    op: Literal["<=", ">=", "<", ">", "=="]
    param: str | None = None
    value: float | None = None


class Rule(_Strict):
    id: str
    title_en: str
    title_zh: str
    severity: Literal["error", "warning", "info"]
    evidence: Evidence
    source: str
    source_zh: str  # the source document as the Chinese report names it
    kind: Literal["threshold", "coverage", "yoy_change", "present", "consistency"]
    metric: str | None = None
    metrics: list[str] = Field(default_factory=list)
    op: Literal["<=", ">=", "<", ">", "=="] | None = None
    param: str | None = None
    test: str | None = None
    when: Condition | None = None
    unit: str = ""
    detail: str | None = None  # a metric shown as {detail} in the messages (e.g. which meter)
    message_en: str = ""
    message_zh: str = ""

    @model_validator(mode="after")
    def _shape(self) -> Rule:
        if self.kind in THRESHOLD_KINDS and not (self.metric and self.op and self.param):
            raise ValueError(f"{self.id}: a {self.kind} rule needs metric, op and param")
        if self.kind == "present" and not self.metrics:
            raise ValueError(f"{self.id}: a present rule needs metrics")
        if self.kind == "consistency" and not self.test:
            raise ValueError(f"{self.id}: a consistency rule needs test")
        if self.severity == "error" and self.evidence != "official":
            raise ValueError(f"{self.id}: only rules with official evidence may be errors (this one is {self.evidence})")
        return self


class Pack(_Strict):
    name: str
    title_en: str
    title_zh: str
    description: str = ""
    extends: str | None = None
    params: dict[str, Param] = Field(default_factory=dict)
    rules: list[Rule] = Field(default_factory=list)


def available() -> list[str]:
    return sorted(p.stem for p in PACKS.glob("*.toml"))


@cache
def load_pack(name: str, folder: Path = PACKS) -> Pack:
    """A pack (from ``folder``, the shipped packs by default) with everything it extends merged in."""
    path = folder / f"{name}.toml"
    if not path.is_file():
        raise KeyError(name)
    with open(path, "rb") as f:
        raw = tomllib.load(f)
    pack = Pack(name=name, **raw)
    if pack.extends:
        base = load_pack(pack.extends, folder)
        params = {**base.params, **pack.params}
        own = {r.id: r for r in pack.rules}
        rules = [own.pop(r.id, r) for r in base.rules] + list(own.values())
        pack = pack.model_copy(update={"params": params, "rules": rules})
    for rule in pack.rules:
        for name_ in filter(None, [rule.param, rule.when.param if rule.when else None]):
            if name_ not in pack.params:
                raise ValueError(f"{pack.name}/{rule.id}: unknown param {name_!r}")
            param = pack.params[name_]
            if rule.severity == "error" and param.evidence != "official":
                raise ValueError(f"{pack.name}/{rule.id}: threshold {name_} is {param.evidence}; the rule cannot be an error")
    return pack


def _show(value: Any, unit: str, lang: str = "en") -> str:
    """A value as a message shows it: 29.6% for a share, 1,234.5 for a number, yes/是 for true."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return ("是" if value else "否") if lang == "zh" else ("yes" if value else "no")
    if isinstance(value, (int, float)) and unit == "%":
        return f"{value:.1%}"
    if isinstance(value, (int, float)):
        from zcf.report.numbers import fmt_number  # the reports' one number rule, so message and table agree

        return fmt_number(value)
    if isinstance(value, list):
        return ("、" if lang == "zh" else ", ").join(str(v) for v in value) or ("无" if lang == "zh" else "none")
    return str(value)


def evaluate(pack: Pack, params: dict[str, Any], metrics: dict[str, Any], consistency: dict[str, Any]) -> list[dict]:
    """Results of every rule of ``pack`` against ``metrics`` (params already merged with overrides)."""
    out = []
    for rule in pack.rules:
        result = {
            "pack": pack.name,
            "rule_id": rule.id,
            "title": {"en": rule.title_en, "zh": rule.title_zh},
            "kind": rule.kind,
            "severity": rule.severity,
            "evidence": rule.evidence,
            "source": rule.source,
            "source_zh": rule.source_zh,
            "unit": rule.unit,
        }
        result.update(_evaluate(rule, params, metrics, consistency))
        if rule.kind in THRESHOLD_KINDS:  # the requirement stands even when the data to test it are missing
            result.setdefault("op", rule.op)
            result.setdefault("threshold", params[rule.param])
        result["measured_text"] = _show(result.get("measured"), result["unit"])
        result["threshold_text"] = ("" if "threshold" not in result
                                    else f"{OP_SIGNS[rule.op]} {_show(result['threshold'], result['unit'])}")
        out.append(result)
    return out


def _failed(rule: Rule) -> str:
    return "fail" if rule.severity == "error" else "warn"


def _message(rule: Rule, status: str, shown: dict[str, dict[str, str]], default: dict[str, str]) -> dict[str, str]:
    if status in ("pass", "fail", "warn") and rule.message_en:
        return {"en": rule.message_en.format(**shown["en"]), "zh": rule.message_zh.format(**shown["zh"])}
    return default


def _missing(metric_names: list[str]) -> dict:
    needs = sorted({METRIC_NEEDS.get(m, (m, m)) for m in metric_names})
    return {
        "status": "missing_data",
        "needs": [en for en, _ in needs],
        "needs_zh": [zh for _, zh in needs],
        "message": {"en": "the data to evaluate it were not given", "zh": "未提供评估所需的数据"},
    }


def _not_applicable(condition: Condition, value: Any, limit: Any) -> dict:
    en, zh, unit = METRIC_LABELS.get(condition.metric, (condition.metric, condition.metric, ""))
    sign, suffix = OP_SIGNS[condition.op], f" {unit}" if unit else ""
    return {"status": "not_applicable", "message": {  # the value tested is the condition's, said in the message
        "en": f"does not apply: {en} {_show(value, unit)}{suffix}; it applies from {sign} {_show(limit, unit)}{suffix}",
        "zh": f"不适用：{zh} {_show(value, unit, 'zh')}{suffix}，{sign} {_show(limit, unit, 'zh')}{suffix} 时适用"}}


def _evaluate(rule: Rule, params: dict[str, Any], metrics: dict[str, Any], consistency: dict[str, Any]) -> dict:
    if rule.when is not None:
        value = metrics.get(rule.when.metric)
        limit = params[rule.when.param] if rule.when.param else rule.when.value
        if value is None:
            return _missing([rule.when.metric])
        if not OPS[rule.when.op](value, limit):
            return _not_applicable(rule.when, value, limit)
    if rule.kind in THRESHOLD_KINDS:
        measured = metrics.get(rule.metric)
        if measured is None:
            return _missing([rule.metric])
        threshold = params[rule.param]
        passed = bool(OPS[rule.op](measured, threshold))
        status = "pass" if passed else _failed(rule)
        shown = {lang: {"measured": _show(measured, rule.unit, lang), "threshold": _show(threshold, rule.unit, lang),
                        "op": OP_SIGNS[rule.op], "detail": _show(metrics.get(rule.detail) if rule.detail else None, "", lang)}
                 for lang in ("en", "zh")}
        default = {"en": f"{shown['en']['measured']} (required {OP_SIGNS[rule.op]} {shown['en']['threshold']})",
                   "zh": f"{shown['zh']['measured']}（要求 {OP_SIGNS[rule.op]} {shown['zh']['threshold']}）"}
        return {"status": status, "measured": measured, "threshold": threshold, "op": rule.op,
                "message": _message(rule, status, shown, default)}
    if rule.kind == "present":
        absent = [m for m in rule.metrics if metrics.get(m) in (None, "", [])]
        if absent:
            return _missing(absent)
        return {"status": "pass", "measured": True, "message": {"en": "all given", "zh": "均已提供"}}
    outcome = consistency[rule.test]
    status = "pass" if outcome["ok"] else _failed(rule)
    return {"status": status, "measured": outcome["measured"], "unit": outcome.get("unit", ""), "message": outcome["message"]}
