"""Oracle for the forecast module: statsforecast on deterministic series.

Writes tests/fixtures/reference_forecast.json, read by tests/all/forecast_oracle.rs. Every series comes
from numpy's PCG64 with a fixed seed, so the file is reproducible:

    pip install statsforecast numpy pandas
    python3 reference/make_expected.py

Non-seasonal cases: `AutoETS(model="AZN")`, i.e. ETS(A,N,N), ETS(A,Ad,N) and
ETS(A,A,N) chosen by AICc (`damped=None` tries both), with the AICc of each
candidate from `ets_f` so a disagreement on the choice can be diagnosed.

Seasonal cases (season_length 12, 4-6 years): `MSTL(season_length=12,
trend_forecaster=AutoETS(model="AZN"))`, the same pipeline as the Rust module
(STL with seasonal window 11 and seasonal degree 0, ETS on trend + remainder,
the last cycle of the seasonal component repeated). The additive-season ETS
(AZA) result is written next to it for comparison only.

The oracle is fitted on what the Rust module keeps (`fit_values`): the latest
120 periods (MAX_FIT_PERIODS), and for the case whose `values` hold nulls, what
the missing-value rule keeps.
"""

import json
import math
import sys
import warnings
from pathlib import Path

import numpy as np
import statsforecast
from statsforecast.ets import ets_f
from statsforecast.models import MSTL, AutoETS

warnings.filterwarnings("ignore")

LEVEL = 95
# The Rust module fits at most the latest 120 periods (MAX_FIT_PERIODS).
MAX_FIT_PERIODS = 120
OUT = Path(__file__).resolve().parent.parent / "fixtures" / "reference_forecast.json"


def iid(rng, n, level=50.0, sd=2.0):
    return level + rng.normal(0.0, sd, n)


def ar1(rng, n, phi, level=100.0, sd=1.0):
    x = np.empty(n)
    prev = rng.normal(0.0, sd / math.sqrt(1 - phi * phi))
    for t in range(n):
        prev = phi * prev + rng.normal(0.0, sd)
        x[t] = level + prev
    return x


def random_walk(rng, n, start=100.0, sd=1.0):
    return start + np.cumsum(rng.normal(0.0, sd, n))


def trend(rng, n, slope=0.3, start=10.0, sd=1.0):
    return start + slope * np.arange(n) + rng.normal(0.0, sd, n)


def seasonal(rng, n, amplitude=5.0, slope=0.0, level=100.0, sd=1.0):
    t = np.arange(n)
    return (
        level
        + slope * t
        + amplitude * np.sin(2 * np.pi * t / 12)
        + 0.5 * amplitude * np.cos(4 * np.pi * t / 12)
        + rng.normal(0.0, sd, n)
    )


def damped(rng, n, rise=20.0, rate=0.93, level=100.0, sd=1.0):
    t = np.arange(n)
    return level + rise * (1 - rate ** t) + rng.normal(0.0, sd, n)


def bulk(rng, count):
    """A mixed bag of kinds and lengths, for a broader agreement count."""
    kinds = ("iid", "ar05", "ar09", "rw", "trend", "damped", "rw_drift")
    out = []
    for index in range(count):
        kind = kinds[index % len(kinds)]
        n = int(rng.integers(10, 151))
        sd = float(np.exp(rng.uniform(-3, 3)))
        level = float(rng.uniform(-50, 500))
        if kind == "iid":
            y = iid(rng, n, level=level, sd=sd)
        elif kind == "ar05":
            y = ar1(rng, n, 0.5, level=level, sd=sd)
        elif kind == "ar09":
            y = ar1(rng, n, 0.9, level=level, sd=sd)
        elif kind == "rw":
            y = random_walk(rng, n, start=level, sd=sd)
        elif kind == "trend":
            y = trend(rng, n, slope=float(rng.normal(0, 0.5)) * sd, start=level, sd=sd)
        elif kind == "damped":
            y = damped(rng, n, rise=10 * sd, rate=float(rng.uniform(0.8, 0.97)), level=level, sd=sd)
        else:
            y = level + np.cumsum(0.3 * sd + rng.normal(0.0, sd, n))
        out.append((f"bulk_{index:03d}_{kind}_n{n}", f"bulk_{kind}", y, None, 6))
    return out


def cases():
    out = []
    seed = 20240
    for n in (36, 60, 120):
        for rep in range(2):
            seed += 1
            rng = np.random.default_rng(seed)
            out.append((f"iid_n{n}_r{rep}", "iid", iid(rng, n), None, 6))
            out.append((f"ar05_n{n}_r{rep}", "ar05", ar1(rng, n, 0.5), None, 6))
            out.append((f"ar09_n{n}_r{rep}", "ar09", ar1(rng, n, 0.9), None, 6))
            out.append((f"rw_n{n}_r{rep}", "rw", random_walk(rng, n), None, 6))
            out.append((f"trend_n{n}_r{rep}", "trend", trend(rng, n), None, 6))
    for years in (4, 5, 6):
        for rep in range(2):
            seed += 1
            rng = np.random.default_rng(seed)
            n = 12 * years
            out.append((f"seasonal_y{years}_r{rep}", "seasonal", seasonal(rng, n), 12, 12))
            out.append(
                (f"seasonal_trend_y{years}_r{rep}", "seasonal_trend",
                 seasonal(rng, n, slope=0.4), 12, 12)
            )
    for n in (12, 15, 18, 24):
        seed += 1
        rng = np.random.default_rng(seed)
        out.append((f"short_iid_n{n}", "short", iid(rng, n), None, 3))
        out.append((f"short_trend_n{n}", "short", trend(rng, n, slope=1.0), None, 3))
        out.append((f"short_rw_n{n}", "short", random_walk(rng, n), None, 3))
    for n in (24, 48, 96):
        seed += 1
        rng = np.random.default_rng(seed)
        out.append((f"damped_n{n}", "damped", damped(rng, n), None, 12))
    out += bulk(np.random.default_rng(7), 140)
    # Too few cycles: a season length is given but the history has < 4 cycles,
    # so the module must fall back to the non-seasonal set.
    seed += 1
    rng = np.random.default_rng(seed)
    out.append(("seasonal_too_short_y3", "seasonal", seasonal(rng, 36), 12, 6))
    # Scale: revenue-sized values and tiny rates.
    seed += 1
    rng = np.random.default_rng(seed)
    out.append(("large_scale_trend", "trend", 2.5e6 + trend(rng, 48, slope=0.3, sd=1.0) * 1e4, None, 6))
    out.append(("small_scale_iid", "iid", 0.045 + iid(rng, 48, level=0.0, sd=0.002), None, 6))
    return out


def nonseasonal_oracle(y, h):
    model = AutoETS(season_length=1, model="AZN").fit(y)
    fc = model.predict(h=h, level=[LEVEL])
    fitted = model.predict_in_sample()["fitted"]
    candidates = {}
    for name, spec, damped in (
        ("ETS(A,N,N)", "ANN", False),
        ("ETS(A,Ad,N)", "AAN", True),
        ("ETS(A,A,N)", "AAN", False),
    ):
        try:
            candidates[name] = float(ets_f(y, 1, model=spec, damped=damped)["aicc"])
        except Exception:  # too short for this candidate
            candidates[name] = None
    return {
        # A constant series is fitted as ETS(A,N,N) with alpha 0.9999 and no
        # "method" key.
        "method": model.model_.get("method", "ETS(A,N,N)"),
        "aicc": float(model.model_["aicc"]),
        "sigma2": float(model.model_["sigma2"]),
        "par": [None if math.isnan(p) else float(p) for p in model.model_["par"][:4]],
        "candidates_aicc": candidates,
        "mean": fc["mean"].tolist(),
        "lo": fc[f"lo-{LEVEL}"].tolist(),
        "hi": fc[f"hi-{LEVEL}"].tolist(),
        "fitted": fitted.tolist(),
    }


def seasonal_oracle(y, m, h):
    model = MSTL(season_length=m, trend_forecaster=AutoETS(model="AZN")).fit(y)
    fc = model.predict(h=h, level=[LEVEL])
    decomposition = model.model_
    deseasonalised = (decomposition["trend"] + decomposition["remainder"]).to_numpy()
    trend_model = model.trend_forecaster.model_
    inner = nonseasonal_oracle(deseasonalised, h)
    ets_seasonal = AutoETS(season_length=m, model="AZA").fit(y)
    ets_fc = ets_seasonal.predict(h=h, level=[LEVEL])
    return {
        "method": "MSTL(%d)+%s" % (m, trend_model["method"]),
        "trend_method": trend_model["method"],
        "aicc": float(trend_model["aicc"]),
        "sigma2": float(trend_model["sigma2"]),
        "candidates_aicc": inner["candidates_aicc"],
        "deseasonalised": deseasonalised.tolist(),
        "fitted": (np.asarray(inner["fitted"]) + decomposition["seasonal"].to_numpy()).tolist(),
        "seasonal": decomposition["seasonal"].tolist(),
        "mean": fc["mean"].tolist(),
        "lo": fc[f"lo-{LEVEL}"].tolist(),
        "hi": fc[f"hi-{LEVEL}"].tolist(),
        "ets_additive_season": {
            "method": ets_seasonal.model_["method"],
            "mean": ets_fc["mean"].tolist(),
            "lo": ets_fc[f"lo-{LEVEL}"].tolist(),
            "hi": ets_fc[f"hi-{LEVEL}"].tolist(),
        },
    }


def main():
    records = []
    for name, kind, y, m, h in cases():
        y = np.asarray(y, dtype=float)
        fit_values = y[-max(MAX_FIT_PERIODS, 4 * (m or 0)):]
        enough_cycles = m is not None and len(fit_values) >= 4 * m
        expected = (seasonal_oracle(fit_values, m, h) if enough_cycles
                    else nonseasonal_oracle(fit_values, h))
        records.append({
            "name": name, "kind": kind, "values": y.tolist(), "fit_values": fit_values.tolist(),
            "season_length": m, "horizon": h, "expected": expected,
        })

    # The missing-value rule: a gap at index 10 of 60 leaves a trailing run of
    # 49 values, long enough, so the oracle is fitted on that run; one trailing
    # gap moves the origin: forecasts for steps 2..h+1 of the run.
    rng = np.random.default_rng(99)
    y = trend(rng, 60)
    values = [float(v) for v in y]
    values[10] = None
    values[-1] = None
    run = np.asarray(values[11:-1], dtype=float)
    expected = nonseasonal_oracle(run, 7)
    for key in ("mean", "lo", "hi"):
        expected[key] = expected[key][1:]
    records.append({
        "name": "gap_trailing_run", "kind": "missing", "values": values,
        "fit_values": run.tolist(), "season_length": None, "horizon": 6,
        "expected": expected,
    })

    # Too short for any model (statsforecast: n <= 6 is "tiny"), and constant.
    records.append({
        "name": "tiny_n6", "kind": "tiny", "values": [1.0, 2.0, 3.0, 2.0, 1.0, 2.0],
        "fit_values": [], "season_length": None, "horizon": 3, "expected": None,
    })
    constant = np.full(24, 7.5)
    records.append({
        "name": "constant_n24", "kind": "constant", "values": constant.tolist(),
        "fit_values": constant.tolist(), "season_length": None, "horizon": 3,
        "expected": nonseasonal_oracle(constant, 3),
    })

    OUT.write_text(json.dumps({
        "generator": "reference/make_expected.py",
        "statsforecast": statsforecast.__version__,
        "numpy": np.__version__,
        "level": LEVEL,
        "cases": records,
    }, separators=(",", ":")))
    print(f"wrote {len(records)} cases to {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
