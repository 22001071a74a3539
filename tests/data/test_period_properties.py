"""Property: every period the parser returns is named by its label, which parses back to it."""

from __future__ import annotations

import datetime as dt

from hypothesis import example, given
from hypothesis import strategies as st

from netcompare.data.inputs import parse_period

MONTH_NAMES = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
FULL_NAMES = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]

years = st.integers(min_value=1990, max_value=2098)
months = st.integers(min_value=1, max_value=12)


@st.composite
def labels(draw: st.DrawFn) -> str:
    year, month = draw(years), draw(months)
    return draw(
        st.sampled_from(
            [
                f"{year}-{month:02d}",
                f"{year}-{month:02d}-01",
                f"{MONTH_NAMES[month - 1]}-{year % 100:02d}",
                f"{MONTH_NAMES[month - 1]} {year}",
                f"{FULL_NAMES[month - 1]} {year}",
                f"{year}-{(year + 1) % 100:02d}",
                f"{year}/{(year + 1) % 100:02d}",
                f"FY {year}/{(year + 1) % 100:02d}",
                f"{year}",
                f"{year}/{(year + 1) % 100:02d} Q{(month - 1) // 3 + 1}",
                f"{year} Q{(month - 1) // 3 + 1}",
            ]
        )
    )


@given(labels())
@example("2011-12")
def test_the_label_round_trips(label: str) -> None:
    period = parse_period(label)
    assert period is not None, label
    assert parse_period(period.label) == period
    assert parse_period(f"  {period.label} ") == period


@given(years, months)
def test_month_forms_agree(year: int, month: int) -> None:
    # "2011-12" is the financial year 2011-12 (consecutive years win), not December 2011.
    short = [] if month == (year + 1) % 100 else [f"{year}-{month:02d}"]
    forms = [
        *short,
        f"{year}-{month:02d}-01",
        f"{MONTH_NAMES[month - 1]} {year}",
        f"{FULL_NAMES[month - 1]} {year}",
    ]
    periods = {parse_period(f) for f in forms}
    assert len(periods) == 1
    (period,) = periods
    assert period.start == dt.date(year, month, 1) and period.kind == "month"


@given(years)
def test_financial_year_forms_agree(year: int) -> None:
    second = f"{(year + 1) % 100:02d}"
    periods = {
        parse_period(f) for f in (f"{year}-{second}", f"{year}/{second}", f"FY {year}/{second}")
    }
    assert len(periods) == 1
    (period,) = periods
    assert period.start == dt.date(year, 4, 1) and period.kind == "financial_year"
    assert parse_period(str(year)).kind == "year"
