"""Financial levers: Treasury sales and reserve shifts (used by :mod:`chokepoints.finance`).

Case: China's reduction of its US Treasury holdings (about $683bn in late 2025, from a
$1.3tn peak) and the PBoC's gold purchases. They do not act in the dynamic engine.

``treasury_sale``: an official holder sells US Treasuries; ``reserve_shift``: a holder
moves reserves between assets (e.g. the proceeds of a sale into gold). The market and
budget responses a sale meets (other buyers, the Federal Reserve, how fast the yield
effect fades, how fast US debt reprices) are explicit fields of the sale, so each can
be declared uncertain as ``events.<id>.<field>``. Checks that need the bundled data
(unknown holder, a sale larger than the holdings) are made by :mod:`chokepoints.finance`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field, field_validator, model_validator

from .base import LeverEvent

Tenor = Literal["bills", "2y", "5y", "10y", "30y"]
Asset = Literal["treasuries", "gold", "usd_cash", "other_fx"]


class TreasurySale(LeverEvent):
    """``holder`` sells ``amount_bn`` (USD bn) of Treasuries in equal monthly tranches
    over ``months`` months from the month of ``on``.

    maturity_mix: share of the sale in each tenor (bills, 2y, 5y, 10y, 30y), summing to 1;
    default the holder's assumed official portfolio mix. The yield impact scales with the
    duration sold: impact x duration(mix) / duration(official mix).
    holdings_bn: the holder's Treasury holdings when the sale starts; default the latest
    bundled TIC figure (custody-based; e.g. about 1,500 for the FT custody-adjusted
    estimate for China).
    other_buyers_share, fed_purchase_share: shares of each month's sale absorbed by
    price-insensitive other buyers and by Federal Reserve purchases; they do not reach
    private investors and move no yields. Defaults 0 (no offset).
    impact_estimates: ids of published impact estimates (bundled table) that make the
    band; default the foreign-official-flow studies. All sales of a scenario use the same.
    impact_half_life_months: the yield effect of each month's net sale decays with this
    half-life; default none (a persistent stock effect).
    rollover_scale: multiplies the ladder lengths of the US rollover profile (1 = calibrated
    to 31 % maturing within 12 months and a 72-month average maturity; >1 slower repricing).
    new_borrowing_bn_per_year: new US borrowing issued at the higher yields; default the
    FY2025 deficit (about $1,800bn, CBO).
    """

    type: Literal["treasury_sale"] = "treasury_sale"
    holder: str = Field(min_length=1)
    amount_bn: float = Field(gt=0, le=100_000)
    months: int = Field(ge=1, le=600)
    maturity_mix: dict[Tenor, float] | None = None
    holdings_bn: float | None = Field(default=None, gt=0)
    other_buyers_share: float = Field(default=0.0, ge=0, le=1)
    fed_purchase_share: float = Field(default=0.0, ge=0, le=1)
    impact_estimates: list[str] | None = Field(default=None, min_length=1)
    impact_half_life_months: float | None = Field(default=None, gt=0)
    rollover_scale: float = Field(default=1.0, gt=0, le=10)
    new_borrowing_bn_per_year: float | None = Field(default=None, ge=0)

    @field_validator("maturity_mix")
    @classmethod
    def _mix(cls, v: dict[str, float] | None) -> dict[str, float] | None:
        if v is None:
            return v
        if any(x < 0 for x in v.values()):
            raise ValueError("maturity_mix shares must be >= 0")
        total = sum(v.values())
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"maturity_mix shares must sum to 1 (got {total:g})")
        return v

    @model_validator(mode="after")
    def _offsets(self) -> TreasurySale:
        if self.other_buyers_share + self.fed_purchase_share > 1 + 1e-12:
            raise ValueError("other_buyers_share + fed_purchase_share must not exceed 1")
        return self


class ReserveShift(LeverEvent):
    """``holder`` moves ``amount_bn`` (USD bn) of reserves from asset ``from`` to asset
    ``to`` in equal monthly steps over ``months`` months from the month of ``on``.

    ``from: treasuries`` moves the proceeds of the holder's ``treasury_sale`` events (it is
    not a second sale, so it moves no yields and may not exceed what the holder sells).
    Dollars moved into gold are converted at ``gold_price_usd_per_oz`` (default the price
    implied by the PBoC's reported gold value, Nov 2025).
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    type: Literal["reserve_shift"] = "reserve_shift"
    holder: str = Field(min_length=1)
    from_: Literal["treasuries", "usd_cash", "other_fx"] = Field(alias="from")
    to: Literal["gold", "usd_cash", "other_fx"]
    amount_bn: float = Field(gt=0, le=100_000)
    months: int = Field(default=1, ge=1, le=600)
    gold_price_usd_per_oz: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _distinct(self) -> ReserveShift:
        if self.from_ == self.to:
            raise ValueError("'from' and 'to' must differ")
        return self


EVENTS = (TreasurySale, ReserveShift)
FINANCE_EVENTS: tuple[type[LeverEvent], ...] = EVENTS
