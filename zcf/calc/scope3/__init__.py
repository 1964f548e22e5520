"""Scope 3: the 15 categories of the GHG Protocol Scope 3 Standard.

Every category gets a status: ``calculated`` (it has lines), ``not_relevant`` (a
reason is given in zcf.toml ``[scope3.not_relevant]``, as one text or as ``{ zh = "…", en = "…" }``),
or ``not_calculated`` (a gap: ``needs`` names the input table that would fill it, if zcf has one).
"""

from __future__ import annotations

import pandas as pd

from zcf.calc.context import CalcContext
from zcf.calc.scope3.activities import commuting, fuel_and_energy, transport, travel, waste
from zcf.calc.scope3.purchases import purchases
from zcf.calc.scope3.sold_products import end_of_life, use_phase

CATEGORIES: dict[str, tuple[str, str]] = {
    "1": ("Purchased goods and services", "外购商品和服务"),
    "2": ("Capital goods", "资本货物"),
    "3": ("Fuel- and energy-related activities", "燃料和能源相关活动"),
    "4": ("Upstream transportation and distribution", "上游运输和配送"),
    "5": ("Waste generated in operations", "运营中产生的废弃物"),
    "6": ("Business travel", "商务差旅"),
    "7": ("Employee commuting", "员工通勤"),
    "8": ("Upstream leased assets", "上游租赁资产"),
    "9": ("Downstream transportation and distribution", "下游运输和配送"),
    "10": ("Processing of sold products", "售出产品的加工"),
    "11": ("Use of sold products", "售出产品的使用"),
    "12": ("End-of-life treatment of sold products", "售出产品的报废处理"),
    "13": ("Downstream leased assets", "下游租赁资产"),
    "14": ("Franchises", "特许经营"),
    "15": ("Investments", "投资"),
}

# Which input table feeds which category, to name the gap in the status.
SOURCES = {"1": "purchases", "2": "purchases", "3": "energy", "4": "transport", "5": "waste", "6": "travel",
           "7": "commuting", "9": "transport", "11": "sold_products", "12": "sold_products"}


def scope3(ctx: CalcContext) -> list[pd.DataFrame]:
    parts: list[pd.DataFrame] = []
    for step in (purchases, fuel_and_energy, transport, waste, travel, commuting, use_phase, end_of_life):
        parts += step(ctx)
    return parts


def reason_texts(reason: str | dict[str, str]) -> tuple[str, str]:
    """(English, Chinese) of a zcf.toml reason: one text serves both; a table gives each, either standing in."""
    if isinstance(reason, dict):
        return reason.get("en") or reason.get("zh", ""), reason.get("zh") or reason.get("en", "")
    return reason, reason


def category_status(ctx: CalcContext, lines: pd.DataFrame) -> dict[str, dict]:
    """Status, method mix and reason for each of the 15 categories."""
    scope3_lines = lines.loc[(lines["scope"] == "3").to_numpy(dtype=bool, na_value=False), ["category", "method"]]
    out: dict[str, dict] = {}
    for number, (name, name_zh) in CATEGORIES.items():
        here = scope3_lines[scope3_lines["category"] == number]
        reason = ctx.options.not_relevant.get(number)
        entry: dict = {"name": name, "name_zh": name_zh}
        if len(here):
            entry["status"] = "calculated"
            entry["methods"] = sorted(here["method"].dropna().unique().tolist())
            entry["lines"] = int(len(here))
            if reason:
                entry["note"] = f"zcf.toml marks it not relevant ({reason_texts(reason)[0]}), but data was given and calculated"
        elif reason:
            entry["status"] = "not_relevant"
            entry["reason"], entry["reason_zh"] = reason_texts(reason)
        else:
            entry["status"] = "not_calculated"
            entry["reason"], entry["reason_zh"] = "no data", "无数据"
            entry["needs"] = SOURCES.get(number)  # the input table that would fill it; None: zcf has none yet
            ctx.report("scope3-gap", category=number, name=name, name_zh=name_zh)
        if number == "3":
            entry["parts"] = category3_parts(ctx)
        out[number] = entry
    return out


def category3_parts(ctx: CalcContext) -> dict[str, dict]:
    """The four activities of category 3 (Scope 3 Standard Table 5.3): calculated, or why not."""
    parts = {key: dict(value) for key, value in ctx.category3_parts.items()}
    names = {"3a": "upstream emissions of purchased fuels", "3b": "upstream emissions of purchased electricity",
             "3c": "transmission and distribution losses", "3d": "generation of electricity bought and sold to end users"}
    for key in ("3a", "3b", "3c"):
        parts.setdefault(key, {"status": "not_calculated", "reason": "no fuel or grid electricity rows"})
    parts["3d"] = {"status": "not_applicable",
                   "reason": "applies to utilities and energy retailers that buy electricity to sell it on"}
    return {key: {"name": names[key], **parts[key]} for key in sorted(parts)}
