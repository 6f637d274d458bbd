"""Real series from the datasets bundled with statsmodels (no download).

Each entry is (name, values, frequency, seasonal period).
"""

import numpy as np


def real_series():
    """The forecast study's real series, in table order."""
    from statsmodels.datasets import co2, elnino, macrodata, nile, sunspots

    series = []
    macro = macrodata.load_pandas().data
    for column in ["realgdp", "unemp", "infl", "tbilrate", "cpi", "m1"]:
        series.append((f"macrodata {column}", macro[column].to_numpy(float), "quarterly", 4))

    # Weekly CO2 at Mauna Loa as monthly means; the 5 months without a reading
    # are interpolated linearly.
    weekly = co2.load_pandas().data["co2"]
    monthly = weekly.resample("MS").mean().interpolate()
    series.append(("co2 (monthly)", monthly.to_numpy(float), "monthly", 12))

    spots = sunspots.load_pandas().data["SUNACTIVITY"]
    series.append(("sunspots (yearly)", spots.to_numpy(float), "yearly", 1))

    # El Niño sea-surface temperatures: one row per year, one column per month.
    nino = elnino.load_pandas().data.drop(columns="YEAR")
    series.append(("elnino (monthly)", nino.to_numpy(float).ravel(), "monthly", 12))

    volume = nile.load_pandas().data["volume"]
    series.append(("nile (yearly)", volume.to_numpy(float), "yearly", 1))
    return series


def rolling_windows(values, window, horizon, max_origins):
    """Training windows and the periods after them, at up to max_origins evenly spaced origins.

    Returns (train (window × W), actual (horizon × W)), origin o using
    values[o − window : o] to forecast values[o : o + horizon].
    """
    last = len(values) - horizon
    origins = np.arange(window, last + 1)
    if len(origins) > max_origins:
        origins = origins[np.round(np.linspace(0, len(origins) - 1, max_origins)).astype(int)]
    train = np.column_stack([values[o - window : o] for o in origins])
    actual = np.column_stack([values[o : o + horizon] for o in origins])
    return train, actual
