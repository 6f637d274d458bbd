//! The period parser: every day order, the axis-wide day-order vote, summary
//! labels, Excel serials. A period that reads must read back from its own
//! label (on an axis of months: `2011-12` alone could be a fiscal year).
#![no_main]

use kpilot::ingest::period::{
    date_from_excel_serial, detect_day_first, is_plausible_period_serial, is_summary_label,
    parse_label, parse_period, DayOrder, Label,
};
use kpilot::model::Period;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some(bytes) = data.first_chunk::<8>() {
        let serial = f64::from_le_bytes(*bytes);
        let _ = date_from_excel_serial(serial, false);
        let _ = date_from_excel_serial(serial, true);
        let _ = is_plausible_period_serial(serial);
    }
    let text = String::from_utf8_lossy(data);
    for order in [
        DayOrder::DayFirst,
        DayOrder::MonthFirst,
        DayOrder::lenient(true),
        DayOrder::lenient(false),
    ] {
        let _ = parse_label(&text, order);
    }
    for day_first in [false, true] {
        if let Some(period) = parse_period(&text, day_first) {
            let label = period.label();
            let read_back = match parse_label(&label, DayOrder::lenient(day_first)) {
                Some(Label::Period(period)) => Some(period),
                Some(Label::FiscalPair(year)) => Some(Period::Month {
                    year,
                    month: (year as u32 + 1) % 100,
                }),
                _ => None,
            };
            assert_eq!(
                read_back,
                Some(period),
                "{text:?} reads as {label}, which does not read back"
            );
        }
    }
    let _ = is_summary_label(&text);
    let lines: Vec<&str> = text.lines().take(64).collect();
    let _ = detect_day_first(&lines);
});
