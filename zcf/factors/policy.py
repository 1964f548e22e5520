"""The choices of zcf.toml ``[factors]`` that change which factor applies or how it is applied.

* ``library``: the factor-library version (default: the current one; an earlier version
  reproduces an earlier inventory, :mod:`zcf.factors.packs`);
* ``sets``: named factor sets replacing their group's default (``sets.toml``);
* ``vintage``: the rule choosing the year of grid factors, the same for location-based
  Scope 2, the residual factor and category 11 (:mod:`zcf.factors.vintage`);
* ``td_losses``: how transmission and distribution losses are calculated (category 3c);
* ``gas_volume``: what a plain m³ of a gaseous fuel means (reference conditions);
* ``certificates``: the validity rule green certificates are checked against (``instruments.toml``).

Each choice is stated in results.json (``factor_policy``) and the reports.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

VINTAGE_POLICIES = ("latest", "same-year")
TD_METHODS = ("ghgp", "supply-based")
GAS_VOLUMES = ("unstated", "normal", "20C")


@dataclass(frozen=True)
class FactorPolicy:
    library: str | None = None  # None: the current library
    sets: tuple[str, ...] = ()
    vintage: str | int = "latest"
    td_losses: str = "ghgp"
    gas_volume: str = "unstated"
    certificates: str = "cn-gec-2024"
    fallback_regions: tuple[str, ...] = field(default=())

    @property
    def library_version(self) -> str:
        from zcf.factors import LIBRARY_VERSION

        return self.library or LIBRARY_VERSION

    def active_sets(self) -> tuple[str, ...]:
        from zcf.factors import active_sets

        return active_sets(self.sets)

    def factors(self):
        """The library factors in use under this policy (its version, its sets)."""
        from zcf.factors import active_library

        return active_library(self.active_sets(), self.library_version)

    def to_dict(self) -> dict:
        out = asdict(self)
        out["sets"] = list(self.active_sets())
        out["library"] = self.library_version
        out.pop("fallback_regions")
        return out


TD_TEXT = {
    "ghgp": ("consumption × loss rate × generation factor (GHG Protocol, Technical Guidance for Calculating Scope 3 "
             "Emissions, category 3, Example 3.1)",
             "用电量 × 线损率 × 发电排放因子（温室气体核算体系《范围三排放计算技术指南》类别3示例3.1）"),
    "supply-based": ("consumption × L ÷ (1 − L) × generation factor, for a loss rate L defined against electricity "
                     "supplied to the grid (the CEC 线损率: losses ÷ 供电量)",
                     "用电量 × L ÷ (1 − L) × 发电排放因子，适用于以供电量为基准的线损率 L（中电联线损率 = 线损电量 ÷ 供电量）"),
}
GAS_TEXT = {
    "unstated": ("plain m³ of a gaseous fuel taken as normal m³ (0 °C, 101.325 kPa), the basis of the NCV per Nm³; "
                 "reference conditions not stated by the user (warned per row)",
                 "未注明参比条件的气体燃料立方米按标准立方米（0 °C、101.325 千帕，即低位发热量所依据的状态）计；用户未说明（逐行提示）"),
    "normal": ("plain m³ of a gaseous fuel are normal m³ (0 °C, 101.325 kPa), as the user stated",
               "用户说明气体燃料立方米为标准立方米（0 °C、101.325 千帕）"),
    "20C": ("plain m³ of a gaseous fuel are at 20 °C and 101.325 kPa (as gas meters and bills commonly state them), "
            "converted to normal m³ × 273.15 ÷ 293.15 (ideal gas at equal pressure)",
            "气体燃料立方米为 20 °C、101.325 千帕 状态（燃气表计和账单常用），按 × 273.15 ÷ 293.15 折算为标准立方米（同压下理想气体）"),
}


def td_factor(method: str, loss_rate: float) -> float:
    """MWh lost per MWh consumed: L (ghgp) or L ÷ (1 − L) (supply-based)."""
    if method == "supply-based":
        return loss_rate / (1 - loss_rate)
    return loss_rate
