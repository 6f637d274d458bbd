//! What a KPI's series is, before any statistic is read from it: whether it
//! is stationary (ADF and KPSS), whether it is seasonal (the season-dummy
//! F-test, monthly and quarterly sheets with three full years), the
//! stationary form the lead/lag scan uses (demeaned levels or first
//! differences, month means removed when seasonal), and whether its level
//! wanders like a random walk without drift (the ADF test with a constant
//! and a trend, and the HAC drift test; see [`crate::analysis::hac`]).
//! Depends on the values only, so it survives target and direction edits.

use serde::Serialize;

use crate::analysis::hac::{drift_test, wanders_from};
use crate::analysis::seasonality::{remove_seasonal_means, seasonality, SeasonalPeriod};
use crate::analysis::stationarity::{
    adf_test_with_trend, assess_stationarity, stationary_series, Stationarity,
};
use crate::model::{Frequency, Period};

/// The stationarity the report shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Form {
    Level,
    Differenced,
}

/// One KPI's series described.
#[derive(Clone, Debug, PartialEq)]
pub struct SeriesProfile {
    pub stationarity: Form,
    /// The ADF test with a constant (the stationarity decision's).
    pub adf_p_value: Option<f64>,
    pub kpss_p_value: Option<f64>,
    /// A significant seasonal pattern (1 %).
    pub seasonal: bool,
    pub seasonal_p_value: Option<f64>,
    /// The season count and the first period's season, when the sheet's
    /// frequency has seasons (monthly, quarterly).
    pub seasons: Option<(SeasonalPeriod, usize)>,
    /// The stationary series, month means removed when seasonal.
    pub stationary: Vec<Option<f64>>,
    /// The levels with month means removed when seasonal (for the trend test).
    pub deseasonalised_levels: Vec<Option<f64>>,
    /// The ADF test with a constant and a linear trend (the wanders
    /// guard's).
    pub adf_trend_p_value: Option<f64>,
    /// A unit root not rejected against a linear trend
    /// (`adf_trend_p_value` > 0.05) and no significant drift.
    pub wanders: bool,
}

/// The seasons of a sheet: months or quarters, and the season (0-based) of
/// its first period.
pub fn seasons_of(frequency: Frequency, first: Option<&Period>) -> Option<(SeasonalPeriod, usize)> {
    match (frequency, first?) {
        (Frequency::Monthly, Period::Month { month, .. }) => {
            Some((SeasonalPeriod::Monthly, (*month as usize).saturating_sub(1)))
        }
        (Frequency::Quarterly, Period::Quarter { quarter, .. }) => Some((
            SeasonalPeriod::Quarterly,
            (*quarter as usize).saturating_sub(1),
        )),
        _ => None,
    }
}

/// Describes a KPI's values.
pub fn describe(values: &[Option<f64>], seasons: Option<(SeasonalPeriod, usize)>) -> SeriesProfile {
    let assessment = assess_stationarity(values);
    let mut stationary = stationary_series(values, assessment.form);
    let test = seasons.and_then(|(period, first)| seasonality(values, &stationary, first, period));
    let seasonal = test.is_some_and(|test| test.is_significant());
    let mut deseasonalised_levels = values.to_vec();
    if let (true, Some((period, first))) = (seasonal, seasons) {
        stationary = remove_seasonal_means(&stationary, first, period);
        deseasonalised_levels = remove_seasonal_means(values, first, period);
    }
    // The guard asks "random walk, or trend?": its ADF has a trend, unlike
    // the stationarity decision's (see crate::analysis::hac).
    let trend_adf = adf_test_with_trend(values);
    let wanders = wanders_from(trend_adf.as_ref(), drift_test(values).as_ref());
    SeriesProfile {
        stationarity: match assessment.form {
            Stationarity::Level => Form::Level,
            Stationarity::Differenced => Form::Differenced,
        },
        adf_p_value: assessment.adf.map(|test| test.p_value),
        kpss_p_value: assessment.kpss.map(|test| test.p_value),
        adf_trend_p_value: trend_adf.map(|test| test.p_value),
        seasonal,
        seasonal_p_value: test.map(|test| test.p_value),
        seasons,
        stationary,
        deseasonalised_levels,
        wanders,
    }
}
