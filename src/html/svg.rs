//! Inline SVG charts for the HTML report: a sparkline per KPI and a history
//! chart with the target zone, the forecast and its interval, breached
//! periods and recent anomalies. Only screen positions are computed here;
//! every value drawn is one the report holds.

use serde_json::Value;

use super::escape;
use super::words::{period_text, value_text};

/// The healthy zone of a target as (low, high); an open side is infinite.
fn healthy_zone(target: &Value) -> Option<(f64, f64)> {
    let number = |key: &str| target.get(key).and_then(Value::as_f64);
    match target.get("kind")?.as_str()? {
        "at_most" => Some((f64::NEG_INFINITY, number("value")?)),
        "at_least" => Some((number("value")?, f64::INFINITY)),
        "between" => Some((number("low")?, number("high")?)),
        _ => None,
    }
}

fn numbers(values: &[Value]) -> Vec<Option<f64>> {
    values
        .iter()
        .map(|value| value.as_f64().filter(|number| number.is_finite()))
        .collect()
}

/// The y range: the values, the thresholds and anything else drawn.
fn range(all: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    let (mut low, mut high) = (f64::INFINITY, f64::NEG_INFINITY);
    for value in all.filter(|value| value.is_finite()) {
        low = low.min(value);
        high = high.max(value);
    }
    if low > high {
        return None;
    }
    if low == high {
        let pad = (low.abs() * 0.1)
            .max(1e-9)
            .max(if low == 0.0 { 1.0 } else { 0.0 });
        return Some((low - pad, high + pad));
    }
    let pad = (high - low) * 0.08;
    Some((low - pad, high + pad))
}

/// A path through the points; a missing value lifts the pen.
fn line_path(points: &[Option<(f64, f64)>]) -> String {
    let mut path = String::new();
    let mut pen_down = false;
    for point in points {
        match point {
            Some((x, y)) => {
                path.push_str(&format!(
                    "{}{x:.1},{y:.1}",
                    if pen_down { 'L' } else { 'M' }
                ));
                pen_down = true;
            }
            None => pen_down = false,
        }
    }
    path
}

struct Frame {
    width: f64,
    height: f64,
    left: f64,
    right: f64,
    top: f64,
    bottom: f64,
    count: usize,
    low: f64,
    high: f64,
}

impl Frame {
    fn x(&self, index: usize) -> f64 {
        let inner = self.width - self.left - self.right;
        if self.count <= 1 {
            self.left + inner / 2.0
        } else {
            self.left + index as f64 * inner / (self.count - 1) as f64
        }
    }

    fn y(&self, value: f64) -> f64 {
        let inner = self.height - self.top - self.bottom;
        let clamped = value.clamp(self.low, self.high);
        self.top + (self.high - clamped) * inner / (self.high - self.low)
    }

    fn zone(&self, zone: Option<(f64, f64)>) -> String {
        let Some((low, high)) = zone else {
            return String::new();
        };
        let top = if high.is_finite() {
            self.y(high)
        } else {
            self.top
        };
        let bottom = if low.is_finite() {
            self.y(low)
        } else {
            self.height - self.bottom
        };
        let mut out = format!(
            r#"<rect class="zone" x="{:.1}" y="{top:.1}" width="{:.1}" height="{:.1}"/>"#,
            self.left,
            self.width - self.left - self.right,
            (bottom - top).max(0.0)
        );
        for threshold in [low, high].into_iter().filter(|value| value.is_finite()) {
            let at = self.y(threshold);
            out.push_str(&format!(
                r#"<line class="threshold" x1="{:.1}" x2="{:.1}" y1="{at:.1}" y2="{at:.1}"/>"#,
                self.left,
                self.width - self.right
            ));
        }
        out
    }
}

/// A 120×32 sparkline of a KPI's values with its target zone.
pub fn sparkline(kpi: &Value) -> String {
    let values = numbers(
        kpi.get("values")
            .and_then(Value::as_array)
            .map_or(&[], Vec::as_slice),
    );
    let zone = kpi.get("target").and_then(healthy_zone);
    let thresholds = zone.map_or_else(Vec::new, |(low, high)| vec![low, high]);
    let name = kpi.get("name").and_then(Value::as_str).unwrap_or_default();
    let open = format!(
        r#"<svg class="spark" viewBox="0 0 120 32" width="120" height="32" role="img" aria-label="History of {}">"#,
        escape(name)
    );
    let Some((low, high)) = range(values.iter().flatten().copied().chain(thresholds)) else {
        return format!("{open}</svg>");
    };
    let frame = Frame {
        width: 120.0,
        height: 32.0,
        left: 2.0,
        right: 2.0,
        top: 3.0,
        bottom: 3.0,
        count: values.len(),
        low,
        high,
    };
    let points: Vec<Option<(f64, f64)>> = values
        .iter()
        .enumerate()
        .map(|(index, value)| value.map(|value| (frame.x(index), frame.y(value))))
        .collect();
    let last = points.iter().rev().flatten().next();
    let health = kpi
        .get("health")
        .and_then(Value::as_str)
        .unwrap_or("no_target");
    format!(
        r#"{open}{}<path class="line" d="{}"/>{}</svg>"#,
        frame.zone(zone),
        line_path(&points),
        last.map(|(x, y)| format!(
            r#"<circle class="last {health}" cx="{x:.1}" cy="{y:.1}" r="2.6"/>"#
        ))
        .unwrap_or_default()
    )
}

/// The history chart: values, target zone, forecast and its interval,
/// breached periods (filled dots) and the recent anomalies (rings).
pub fn history_chart(kpi: &Value, recent_anomalies: &[String]) -> String {
    let empty: Vec<Value> = Vec::new();
    let array = |key: &str| kpi.get(key).and_then(Value::as_array).unwrap_or(&empty);
    let values = numbers(array("values"));
    let periods: Vec<&str> = array("periods").iter().filter_map(Value::as_str).collect();
    let path: &[Value] = kpi
        .get("forecast")
        .and_then(|forecast| forecast.get("path"))
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice);
    let future = |key: &str| -> Vec<Option<f64>> {
        path.iter()
            .map(|point| point.get(key).and_then(Value::as_f64))
            .collect()
    };
    let (forecast, lows, highs) = (future("value"), future("low"), future("high"));
    let zone = kpi.get("target").and_then(healthy_zone);
    let thresholds = zone.map_or_else(Vec::new, |(low, high)| vec![low, high]);
    let unit = kpi.get("unit").and_then(Value::as_str);
    let name = kpi.get("name").and_then(Value::as_str).unwrap_or_default();
    let open = format!(
        r#"<svg class="chart" viewBox="0 0 640 200" role="img" aria-label="Chart of {} over time, with its target zone and forecast">"#,
        escape(name)
    );
    let drawn = values
        .iter()
        .chain(&forecast)
        .chain(&lows)
        .chain(&highs)
        .flatten()
        .copied()
        .chain(thresholds);
    let Some((low, high)) = range(drawn) else {
        return format!("{open}</svg>");
    };
    let count = values.len() + path.len();
    let frame = Frame {
        width: 640.0,
        height: 200.0,
        left: 64.0,
        right: 10.0,
        top: 10.0,
        bottom: 24.0,
        count,
        low,
        high,
    };
    let mut out = open;
    out.push_str(&frame.zone(zone));
    // Axis labels: the range and the first and last periods.
    for value in [high, low] {
        out.push_str(&format!(
            r#"<text class="axis" x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            frame.left - 6.0,
            frame.y(value) + 4.0,
            escape(&value_text(value, unit))
        ));
    }
    let last_label = path
        .last()
        .and_then(|point| point.get("period"))
        .and_then(Value::as_str)
        .or(periods.last().copied());
    if let (Some(first), Some(last)) = (periods.first(), last_label) {
        out.push_str(&format!(
            r#"<text class="axis" x="{:.1}" y="196">{}</text><text class="axis" x="{:.1}" y="196" text-anchor="end">{}</text>"#,
            frame.left,
            escape(&period_text(first)),
            640.0 - frame.right,
            escape(&period_text(last))
        ));
    }
    if !path.is_empty() && !values.is_empty() {
        // The interval as a band, from the last value shown.
        let start = values.len() - 1;
        let anchor = values.last().copied().flatten();
        let mut upper = Vec::new();
        let mut lower = Vec::new();
        if let Some(anchor) = anchor {
            upper.push((frame.x(start), frame.y(anchor)));
            lower.push((frame.x(start), frame.y(anchor)));
        }
        for (offset, (low, high)) in lows.iter().zip(&highs).enumerate() {
            if let (Some(low), Some(high)) = (low, high) {
                upper.push((frame.x(start + 1 + offset), frame.y(*high)));
                lower.push((frame.x(start + 1 + offset), frame.y(*low)));
            }
        }
        if upper.len() > 1 {
            let points: Vec<String> = upper
                .iter()
                .chain(lower.iter().rev())
                .map(|(x, y)| format!("{x:.1},{y:.1}"))
                .collect();
            out.push_str(&format!(
                r#"<polygon class="interval" points="{}"/>"#,
                points.join(" ")
            ));
        }
        let mut line: Vec<Option<(f64, f64)>> =
            vec![anchor.map(|anchor| (frame.x(start), frame.y(anchor)))];
        line.extend(forecast.iter().enumerate().map(|(offset, value)| {
            value.map(|value| (frame.x(start + 1 + offset), frame.y(value)))
        }));
        out.push_str(&format!(
            r#"<path class="forecast" d="{}"/>"#,
            line_path(&line)
        ));
        let now = (frame.x(start) + frame.x(start + 1)) / 2.0;
        out.push_str(&format!(
            r#"<line class="now" x1="{now:.1}" x2="{now:.1}" y1="{:.1}" y2="{:.1}"/>"#,
            frame.top,
            200.0 - frame.bottom
        ));
    }
    let points: Vec<Option<(f64, f64)>> = values
        .iter()
        .enumerate()
        .map(|(index, value)| value.map(|value| (frame.x(index), frame.y(value))))
        .collect();
    out.push_str(&format!(
        r#"<path class="line" d="{}"/>"#,
        line_path(&points)
    ));
    let status = array("status");
    for (index, point) in points.iter().enumerate() {
        let Some((x, y)) = point else { continue };
        if status.get(index).and_then(Value::as_str) == Some("breached") {
            out.push_str(&format!(
                r#"<circle class="breached" cx="{x:.1}" cy="{y:.1}" r="3.2"/>"#
            ));
        }
        if periods
            .get(index)
            .is_some_and(|period| recent_anomalies.iter().any(|recent| recent == period))
        {
            out.push_str(&format!(
                r#"<circle class="anomaly" cx="{x:.1}" cy="{y:.1}" r="7"/>"#
            ));
        }
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_sparkline_draws_the_values_and_the_zone() {
        let kpi = json!({"name": "Churn <b>", "values": [5.1, null, 6.0, 8.4], "target": {"kind": "at_most", "value": 7.5}, "health": "breached"});
        let svg = sparkline(&kpi);
        assert!(svg.contains("History of Churn &lt;b&gt;"));
        assert!(svg.contains(r#"class="zone""#));
        assert_eq!(svg.matches('M').count(), 2, "the gap lifts the pen: {svg}");
        assert!(svg.contains(r#"class="last breached""#));
    }

    #[test]
    fn a_chart_marks_breaches_recent_anomalies_and_the_forecast() {
        let kpi = json!({
            "name": "Churn", "unit": "%", "periods": ["2024-01", "2024-02", "2024-03"],
            "values": [5.0, 8.0, 9.0], "status": ["met", "breached", "breached"],
            "target": {"kind": "at_most", "value": 7.5},
            "forecast": {"path": [{"period": "2024-04", "value": 9.5, "low": 8.0, "high": 11.0}]}
        });
        let svg = history_chart(&kpi, &["2024-03".to_string()]);
        assert_eq!(svg.matches(r#"class="breached""#).count(), 2);
        assert_eq!(svg.matches(r#"class="anomaly""#).count(), 1);
        assert!(svg.contains(r#"class="interval""#));
        assert!(svg.contains("Apr 2024"));
    }
}
