"""A deterministic generator of fictional practice data shaped like Tower Hamlets.

The default output (``sample_data/``) is a fictional borough: 8 networks of 4-5 practices,
four care packages (childhood immunisation, type 2 diabetes, COPD, cardiovascular), 16
indicators with targets, 36 months of rolling-year values with an exceptions column,
improving trends with realistic binomial noise, a few genuine positive and negative
outliers, one practice with heavy exception reporting and one that does not share its name.
The same code scales to all of England for benchmarks (``--practices 6400 --networks 1270
--indicators 40``). Every name is invented; any likeness to a real practice is chance.

The same seed gives byte-identical files (one numpy ``Generator``, drawn in a fixed order).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import polars as pl

from netcompare.data.load import write_dataset


@dataclass(frozen=True)
class IndicatorTemplate:
    """An indicator of the sample borough and how its values are generated."""

    indicator_id: str
    name: str
    care_package: str
    description: str
    prevalence: float  # eligible patients per registered patient (rolling year)
    start: float  # borough-wide level 36 months ago
    end: float  # borough-wide level now
    target: float | None = None
    amber: float | None = None
    polarity: str = "high"
    exception_rate: float = 0.04
    numerator_definition: str = ""  # who is counted in the numerator
    denominator_definition: str = ""  # who is counted in the denominator, and the exceptions


# Every sample indicator's data is invented (sample_data/dataset.json says the same).
SAMPLE_LICENCE = "CC0 1.0: invented data, free to use"
SAMPLE_SOURCE = "netcompare sample generator (fictional)"


IMM, DM, COPD, CVD = (
    "Childhood immunisation",
    "Type 2 diabetes",
    "COPD",
    "Cardiovascular",
)

TEMPLATES: tuple[IndicatorTemplate, ...] = (
    IndicatorTemplate(
        "IMM_MMR1",
        "MMR1 by 24 months",
        IMM,
        "Children reaching 24 months in the last 12 months who had a first MMR dose",
        0.013,
        0.80,
        0.93,
        0.95,
        0.90,
        exception_rate=0.01,
        numerator_definition=(
            "Children in the denominator who had a first dose of MMR by their second birthday"
        ),
        denominator_definition=(
            "Children registered at the practice who reached 24 months in the last 12 months, all"
            " of them: the few excepted (contraindicated, or declined after three invitations) "
            "are counted here and in the exceptions column"
        ),
    ),
    IndicatorTemplate(
        "IMM_DTAP3",
        "DTaP/IPV/Hib 3 doses by 12 months",
        IMM,
        "Children reaching 12 months in the last 12 months with three doses",
        0.013,
        0.87,
        0.95,
        0.95,
        0.90,
        exception_rate=0.01,
        numerator_definition=(
            "Children in the denominator who had three doses of DTaP/IPV/Hib by their first "
            "birthday"
        ),
        denominator_definition=(
            "Children registered at the practice who reached 12 months in the last 12 months, all"
            " of them: the few excepted (contraindicated, or declined after three invitations) "
            "are counted here and in the exceptions column"
        ),
    ),
    IndicatorTemplate(
        "IMM_MMR2",
        "MMR2 by 5 years",
        IMM,
        "Children reaching 5 years in the last 12 months with two MMR doses",
        0.012,
        0.74,
        0.88,
        0.95,
        0.90,
        exception_rate=0.01,
        numerator_definition=(
            "Children in the denominator who had two doses of MMR by their fifth birthday"
        ),
        denominator_definition=(
            "Children registered at the practice who reached 5 years in the last 12 months, all "
            "of them: the few excepted (contraindicated, or declined after three invitations) are"
            " counted here and in the exceptions column"
        ),
    ),
    IndicatorTemplate(
        "DM_CAREPLAN",
        "Diabetes care plan in 12 months",
        DM,
        "Type 2 diabetes patients with a personalised care plan in the last 12 months",
        0.065,
        0.30,
        0.86,
        0.90,
        0.80,
        numerator_definition=(
            "Patients in the denominator with a personalised care plan agreed in the last 12 months"
        ),
        denominator_definition=(
            "Patients on the type 2 diabetes register, all of them: those excepted (declined care"
            " planning, or newly diagnosed) are counted here and in the exceptions column"
        ),
    ),
    IndicatorTemplate(
        "DM_RETINAL",
        "Diabetic retinal screening attended",
        DM,
        "Type 2 diabetes patients who attended retinal screening in 12 months",
        0.065,
        0.72,
        0.83,
        0.80,
        0.70,
        numerator_definition=(
            "Patients in the denominator who attended diabetic eye screening in the last 12 months"
        ),
        denominator_definition=(
            "Patients on the type 2 diabetes register, all of them: those excepted (declined, or "
            "screening not appropriate) are counted here and in the exceptions column"
        ),
    ),
    IndicatorTemplate(
        "DM_BPCHOL",
        "Diabetes: BP <=140/80 and cholesterol <=4",
        DM,
        "Type 2 diabetes patients with BP at or below 140/80 and cholesterol at or below 4 mmol/L",
        0.065,
        0.33,
        0.52,
        0.50,
        0.40,
        exception_rate=0.06,
        numerator_definition=(
            "Patients in the denominator whose last blood pressure was 140/80 mmHg or less and "
            "last total cholesterol 4 mmol/L or less, both in the last 12 months"
        ),
        denominator_definition=(
            "Patients on the type 2 diabetes register, all of them: those excepted (maximum "
            "tolerated treatment, or declined) are counted here and in the exceptions column"
        ),
    ),
    IndicatorTemplate(
        "DM_HBA1C",
        "Diabetes: HbA1c <=58 mmol/mol",
        DM,
        "Type 2 diabetes patients whose last HbA1c was 58 mmol/mol or less",
        0.065,
        0.58,
        0.64,
        exception_rate=0.06,
        numerator_definition=(
            "Patients in the denominator whose last HbA1c in the last 12 months was 58 mmol/mol "
            "or less"
        ),
        denominator_definition=(
            "Patients on the type 2 diabetes register, all of them: those excepted (maximum "
            "tolerated treatment, frailty) are counted here and in the exceptions column"
        ),
    ),
    IndicatorTemplate(
        "COPD_REVIEW",
        "COPD annual review with care plan",
        COPD,
        "COPD patients reviewed with a care plan in the last 12 months",
        0.015,
        0.58,
        0.82,
        0.80,
        0.70,
        numerator_definition=(
            "Patients in the denominator reviewed with an agreed care plan in the last 12 months"
        ),
        denominator_definition=(
            "Patients on the COPD register, all of them: those excepted (declined review, or "
            "newly diagnosed) are counted here and in the exceptions column"
        ),
    ),
    IndicatorTemplate(
        "COPD_REHAB",
        "Pulmonary rehab referral, MRC >=3",
        COPD,
        "COPD patients with MRC dyspnoea grade 3 or more referred to pulmonary rehabilitation",
        0.005,
        0.45,
        0.72,
        0.75,
        0.60,
        exception_rate=0.08,
        numerator_definition=(
            "Patients in the denominator ever referred to pulmonary rehabilitation"
        ),
        denominator_definition=(
            "Patients on the COPD register with an MRC dyspnoea grade of 3 or more, all of them: "
            "those excepted (unsuitable, or declined) are counted here and in the exceptions "
            "column"
        ),
    ),
    IndicatorTemplate(
        "COPD_FLU",
        "COPD flu vaccination",
        COPD,
        "COPD patients vaccinated against influenza this season",
        0.015,
        0.70,
        0.78,
        exception_rate=0.05,
        numerator_definition=(
            "Patients in the denominator given an influenza vaccination from 1 August to 31 March"
        ),
        denominator_definition=(
            "Patients on the COPD register, all of them: those excepted (contraindicated, or "
            "declined) are counted here and in the exceptions column"
        ),
    ),
    IndicatorTemplate(
        "COPD_SMOKER",
        "COPD current smokers",
        COPD,
        "COPD patients recorded as current smokers (lower is better)",
        0.015,
        0.40,
        0.32,
        polarity="low",
        exception_rate=0.0,
        numerator_definition=(
            "Patients in the denominator whose latest smoking status is current smoker"
        ),
        denominator_definition=(
            "Patients on the COPD register with a smoking status recorded, all of them (no "
            "exceptions)"
        ),
    ),
    IndicatorTemplate(
        "CVD_HTN_BP",
        "Hypertension: BP <140/90",
        CVD,
        "Patients with hypertension whose last BP was below 140/90",
        0.11,
        0.62,
        0.73,
        0.75,
        0.65,
        exception_rate=0.05,
        numerator_definition=(
            "Patients in the denominator whose last blood pressure in the last 12 months was "
            "below 140/90 mmHg"
        ),
        denominator_definition=(
            "Patients on the hypertension register, all of them: those excepted (maximum "
            "tolerated treatment, or declined) are counted here and in the exceptions column"
        ),
    ),
    IndicatorTemplate(
        "CVD_CHOL",
        "CHD/stroke: cholesterol <4 mmol/L",
        CVD,
        "Patients with CHD or stroke whose last total cholesterol was below 4",
        0.03,
        0.44,
        0.56,
        0.60,
        0.50,
        exception_rate=0.06,
        numerator_definition=(
            "Patients in the denominator whose last total cholesterol in the last 12 months was "
            "below 4 mmol/L"
        ),
        denominator_definition=(
            "Patients on the coronary heart disease or stroke registers, all of them: those "
            "excepted (statin intolerance, or declined) are counted here and in the exceptions "
            "column"
        ),
    ),
    IndicatorTemplate(
        "CVD_STATIN",
        "Statin for QRISK >=10%",
        CVD,
        "Patients with a QRISK score of 10% or more offered or taking a statin",
        0.04,
        0.55,
        0.69,
        0.70,
        0.60,
        exception_rate=0.07,
        numerator_definition="Patients in the denominator offered a statin or taking one",
        denominator_definition=(
            "Patients aged 25 to 84 with a QRISK score of 10% or more and no cardiovascular "
            "disease, all of them: those excepted (contraindicated, or informed dissent) are "
            "counted here and in the exceptions column"
        ),
    ),
    IndicatorTemplate(
        "CVD_MI_REVIEW",
        "MI reviewed <3 weeks after discharge",
        CVD,
        "Patients discharged after a myocardial infarction reviewed within 3 weeks",
        0.0012,
        0.60,
        0.82,
        0.85,
        0.75,
        exception_rate=0.02,
        numerator_definition=(
            "Patients in the denominator seen for a review within 3 weeks of discharge"
        ),
        denominator_definition=(
            "Patients discharged from hospital after a myocardial infarction in the last 12 "
            "months, all of them: the few excepted (still in hospital care, or declined) are "
            "counted here and in the exceptions column"
        ),
    ),
    IndicatorTemplate(
        "CVD_CARDIAC_REHAB",
        "Cardiac rehab attendance",
        CVD,
        "Patients after a cardiac event who attended cardiac rehabilitation",
        0.0015,
        0.40,
        0.56,
        0.60,
        0.50,
        exception_rate=0.03,
        numerator_definition=(
            "Patients in the denominator who attended a cardiac rehabilitation programme"
        ),
        denominator_definition=(
            "Patients who had a cardiac event (myocardial infarction, revascularisation or heart "
            "failure admission) in the last 12 months, all of them: those excepted (unsuitable, "
            "or declined) are counted here and in the exceptions column"
        ),
    ),
)

NETWORK_NAMES = (
    "Limekiln Fields",
    "Canal Basin",
    "Old Market",
    "Riverside East",
    "Wharfside",
    "Bow Common",
    "Victoria Green",
    "Bridge Street",
)
_STREETS = (
    "Albion",
    "Barley",
    "Bellfield",
    "Brickfield",
    "Chapel",
    "Cherry Tree",
    "Clover",
    "Copperfield",
    "Dockhead",
    "Elm Row",
    "Fairfield",
    "Ferry Lane",
    "Foundry",
    "Gasholder",
    "Glasshouse",
    "Granary",
    "Harbour",
    "Hawthorn",
    "Hopfield",
    "Ivy House",
    "Jubilee",
    "Kiln Lane",
    "Lantern",
    "Linden",
    "Maltings",
    "Mariners",
    "Mill Pond",
    "Nightingale",
    "Orchard",
    "Pepper Street",
    "Quayside",
    "Ropewalk",
    "Saffron",
    "Sailmakers",
    "Tannery",
    "Weavers",
    "Willow Bank",
    "Yardley",
)
_KINDS = ("Medical Centre", "Surgery", "Health Centre", "Practice", "Group Practice")

# The sample borough's deliberate stories (1-based practice numbers), used only when the
# borough is generated at its default size so the committed sample tells them.
STAR_PRACTICE = 7  # well above its peers on diabetes care plans and retinal screening
STRUGGLING_PRACTICE = 13  # well below on MMR1 and DTaP
IMMUNISATION_STAR = 25  # well above on MMR1 and MMR2
LOW_COPD = 31  # well below on COPD reviews
HEAVY_EXCEPTIONS = 18  # excepts a quarter of its patients
NOT_SHARING = 29  # does not share its name outside its network

END_PERIOD = dt.date(2026, 9, 1)


def _practice_names(n: int, rng: np.random.Generator) -> list[str]:
    combos = [f"{s} {k}" for k in _KINDS for s in _STREETS]
    order = rng.permutation(len(combos))
    names = []
    for i in range(n):
        base = combos[order[i % len(combos)]]
        cycle = i // len(combos)
        names.append(base if cycle == 0 else f"{base} {cycle + 1}")
    return names


def _network_names(n: int) -> list[str]:
    if n <= len(NETWORK_NAMES):
        return list(NETWORK_NAMES[:n])
    return [
        f"{NETWORK_NAMES[i % len(NETWORK_NAMES)]} {i // len(NETWORK_NAMES) + 1}"
        if i >= len(NETWORK_NAMES)
        else NETWORK_NAMES[i]
        for i in range(n)
    ]


def _months(n: int, end: dt.date) -> list[dt.date]:
    months = []
    year, month = end.year, end.month
    for _ in range(n):
        months.append(dt.date(year, month, 1))
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return months[::-1]


def _templates(n: int) -> list[IndicatorTemplate]:
    out = []
    for i in range(n):
        t = TEMPLATES[i % len(TEMPLATES)]
        cycle = i // len(TEMPLATES)
        if cycle:
            t = replace(
                t,
                indicator_id=f"{t.indicator_id}_V{cycle + 1}",
                name=f"{t.name} (variant {cycle + 1})",
            )
        out.append(t)
    return out


def _logit(p: np.ndarray | float) -> np.ndarray:
    p = np.asarray(p, dtype=float)
    return np.log(p / (1 - p))


def generate_sample(
    *,
    seed: int = 1,
    practices: int = 36,
    networks: int = 8,
    indicators: int = 16,
    months: int = 36,
    end: dt.date = END_PERIOD,
) -> dict[str, pl.DataFrame]:
    """The four canonical tables of a fictional borough (or country), deterministic by seed."""
    if practices < 1 or networks < 1 or indicators < 1 or months < 1:
        raise ValueError("practices, networks, indicators and months must be at least 1")
    if networks > practices:
        raise ValueError("there cannot be more networks than practices")
    rng = np.random.default_rng(seed)
    is_borough = (practices, networks) == (36, 8)

    # Networks and practices: practices dealt to networks in contiguous blocks, sizes as even
    # as possible (36 in 8 gives four networks of 5 then four of 4).
    net_ids = [f"N{i + 1}" for i in range(networks)]
    width = max(3, len(str(practices)))
    prac_ids = [f"P{i + 1:0{width}d}" for i in range(practices)]
    sizes = np.full(networks, practices // networks)
    sizes[: practices % networks] += 1
    prac_net = np.repeat(np.arange(networks), sizes)
    list_size = np.round(rng.lognormal(np.log(8500), 0.35, practices)).astype(np.int64)
    list_size = np.clip(list_size, 2500, 40000)
    share = np.ones(practices, dtype=bool)
    if is_borough:
        share[NOT_SHARING - 1] = False
    else:
        share[rng.random(practices) < 0.02] = False

    networks_df = pl.DataFrame(
        {
            "network_id": net_ids,
            "network_name": _network_names(networks),
            "parent_area": ["Riverbank (fictional borough)"] * networks
            if is_borough
            else [f"Area {i // 5 + 1}" for i in range(networks)],
        }
    )
    practices_df = pl.DataFrame(
        {
            "practice_id": prac_ids,
            "practice_name": _practice_names(practices, rng),
            "network_id": [net_ids[i] for i in prac_net],
            "list_size": list_size,
            "share_name": share,
        }
    )

    templates = _templates(indicators)
    indicators_df = pl.DataFrame(
        {
            "indicator_id": [t.indicator_id for t in templates],
            "name": [t.name for t in templates],
            "care_package": [t.care_package for t in templates],
            "description": [t.description for t in templates],
            "numerator_definition": [t.numerator_definition for t in templates],
            "denominator_definition": [t.denominator_definition for t in templates],
            "polarity": [t.polarity for t in templates],
            "target": [t.target for t in templates],
            "amber_threshold": [t.amber for t in templates],
            "network_target": [t.target for t in templates],
            "source": [SAMPLE_SOURCE] * len(templates),
            "licence": [SAMPLE_LICENCE] * len(templates),
        },
        schema_overrides={
            "target": pl.Float64,
            "amber_threshold": pl.Float64,
            "network_target": pl.Float64,
        },
    )

    # Values: arrays shaped (indicator, month, practice).
    n_i, n_m, n_p = len(templates), months, practices
    periods = _months(months, end)
    prevalence = np.array([t.prevalence for t in templates])
    start = _logit([t.start for t in templates])
    stop = _logit([t.end for t in templates])
    exc_rate = np.array([t.exception_rate for t in templates])
    sign = np.array([-1.0 if t.polarity == "low" else 1.0 for t in templates])

    practice_skill = rng.normal(0, 0.18, n_p)  # some practices are better at everything
    network_skill = rng.normal(0, 0.12, networks)[prac_net]
    specific = rng.normal(0, 0.12, (n_i, n_p))  # and better at some things than others
    pace = rng.normal(1.0, 0.08, (n_i, n_p)).clip(0.7, 1.3)  # how fast each one improves
    den_scale = rng.lognormal(0, 0.15, (n_i, n_p))
    effect = np.zeros((n_i, n_p))
    exc_practice = np.ones(n_p)
    if is_borough:
        ids = [t.indicator_id for t in templates]

        def bump(practice: int, indicator: str, size: float) -> None:
            if indicator in ids:
                effect[ids.index(indicator), practice - 1] += size

        bump(STAR_PRACTICE, "DM_CAREPLAN", 1.5)
        bump(STAR_PRACTICE, "DM_RETINAL", 1.0)
        bump(STRUGGLING_PRACTICE, "IMM_MMR1", -1.5)
        bump(STRUGGLING_PRACTICE, "IMM_DTAP3", -1.2)
        bump(IMMUNISATION_STAR, "IMM_MMR1", 1.3)
        bump(IMMUNISATION_STAR, "IMM_MMR2", 1.0)
        bump(LOW_COPD, "COPD_REVIEW", -1.4)
        exc_practice[HEAVY_EXCEPTIONS - 1] = 6.0
    else:
        outliers = rng.random((n_i, n_p)) < 0.01
        effect += outliers * rng.choice([-1.0, 1.0], (n_i, n_p)) * 1.1
        exc_practice[rng.random(n_p) < 0.01] = 6.0

    progress = np.linspace(0, 1, n_m)[None, :, None]  # 0 .. 1 over the months
    level = start[:, None, None] + (stop - start)[:, None, None] * progress * pace[:, None, :]
    level = level + sign[:, None, None] * (
        (practice_skill + network_skill)[None, None, :] + specific[:, None, :] + effect[:, None, :]
    )
    level = level + rng.normal(0, 0.05, (n_i, n_m, n_p))  # month-to-month wobble
    p_true = 1 / (1 + np.exp(-level))

    growth = 1 + 0.01 * progress  # lists grow slowly
    expected = prevalence[:, None, None] * list_size[None, None, :] * den_scale[:, None, :] * growth
    denominator = rng.poisson(expected).astype(np.int64)
    rate = np.clip(exc_rate[:, None, None] * exc_practice[None, None, :], 0, 0.6)
    exceptions = rng.binomial(denominator, np.broadcast_to(rate, denominator.shape))
    numerator = rng.binomial(denominator - exceptions, p_true)

    keep = denominator > 0  # a practice with no eligible patients has no row
    ind_idx, month_idx, prac_idx = np.nonzero(keep)
    values_df = pl.DataFrame(
        {
            "practice_id": pl.Series(prac_ids).gather(prac_idx),
            "indicator_id": pl.Series([t.indicator_id for t in templates]).gather(ind_idx),
            "period": pl.Series(periods, dtype=pl.Date).gather(month_idx),
            "numerator": numerator[keep],
            "denominator": denominator[keep],
            "exceptions": exceptions[keep],
        }
    ).sort("indicator_id", "period", "practice_id")
    return {
        "networks": networks_df,
        "practices": practices_df,
        "indicators": indicators_df,
        "values": values_df,
    }


def write_sample(
    out: str | Path,
    *,
    seed: int = 1,
    practices: int = 36,
    networks: int = 8,
    indicators: int = 16,
    months: int = 36,
    fmt: str = "csv",
) -> Path:
    """Generate the sample and write it as a data set folder (CSV or Parquet)."""
    tables = generate_sample(
        seed=seed, practices=practices, networks=networks, indicators=indicators, months=months
    )
    default = (practices, networks, indicators, months) == (36, 8, 16, 36)
    metadata = {
        "name": "Riverbank sample borough (fictional)"
        if default
        else f"Generated sample: {practices} practices, {networks} networks",
        "source": f"netcompare sample generator, seed {seed} (invented practices and numbers)",
        "licence": SAMPLE_LICENCE,
    }
    return write_dataset(out, tables, fmt=fmt, metadata=metadata)
