"""Main meters and sub-meters of the energy table (column ``meter_role``).

A sub-meter measures part of what a main meter of the same site already measures (a
workshop behind the site's meter). Its rows are never added to consumption — that
would count the energy twice — so the calculation sees the energy table without them
(:func:`counted_tables`, applied once when the calculation starts), and the ledger
records why (:func:`account_sub_meters`). They still count for metering completeness
(:func:`electricity_months_per_meter`). A blank ``meter_role`` counts as main.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from zcf.calc.ledger import Ledger

SUB = "sub"  # value of enum meter_role


def is_sub_meter(energy: pd.DataFrame) -> np.ndarray:
    """True for each row measured by a sub-meter."""
    if "meter_role" not in energy:
        return np.zeros(len(energy), dtype=bool)
    return (energy["meter_role"] == SUB).fillna(False).to_numpy(dtype=bool)


def counted_tables(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The tables the calculation modules see: the energy table without its sub-meter rows.

    Index labels are kept, so exclusions recorded against these rows reach the ledger's full table.
    """
    energy = tables.get("energy")
    if energy is None or not is_sub_meter(energy).any():
        return tables
    return {**tables, "energy": energy[~is_sub_meter(energy)]}


def account_sub_meters(ledger: Ledger, energy: pd.DataFrame | None) -> None:
    """Record every sub-meter row in the ledger: not summed (info), or a warning when its
    site has that energy on no main meter (then the energy is not counted at all)."""
    if energy is None or energy.empty:
        return
    sub = is_sub_meter(energy)
    if not sub.any():
        return
    main_groups = set(zip(energy.loc[~sub, "site_id"], energy.loc[~sub, "energy_type"]))
    for (site_id, energy_type), rows in energy[sub].groupby(["site_id", "energy_type"], sort=True):
        if (site_id, energy_type) in main_groups:
            ledger.exclude("energy", rows, "sub-meter-not-summed", "meter_role")
        else:
            ledger.exclude("energy", rows, "sub-meter-without-main", "meter_role", site_id=site_id,
                           energy_type=energy_type)


def electricity_months_per_meter(energy: pd.DataFrame | None, year: int) -> pd.Series:
    """Months of the reporting year with electricity data, per meter (site_id, meter_id) not marked sub.

    A meter with annual rows only counts 0; rows without a meter_id form one meter per site
    (meter_id ""). Empty when the year has no electricity rows.
    """
    if energy is None or energy.empty:
        return pd.Series(dtype="int64")
    electricity = energy[(energy["energy_type"] == "electricity").fillna(False).to_numpy(dtype=bool)
                         & (energy["period_year"] == year).fillna(False).to_numpy(dtype=bool)
                         & ~is_sub_meter(energy)]
    meter = electricity["meter_id"].astype(object).where(electricity["meter_id"].notna(), "")
    return electricity["period_month"].groupby([electricity["site_id"], meter], sort=True).nunique()


def meter_label(site_id: str, meter_id: str) -> str:
    """``CQ01 / E-CQ-01``, or just the site when its rows name no meter."""
    return f"{site_id} / {meter_id}" if meter_id else str(site_id)
