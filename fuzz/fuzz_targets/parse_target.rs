//! The target parser, header splitting and the direction readers. A target
//! read has finite numbers, and a band's low end is not above its high end.
#![no_main]

use kpilot::ingest::target::{
    direction_from_name, direction_from_sign_prefix, parse_direction, parse_target, split_header,
};
use kpilot::model::{Direction, Target, TargetKind};
use libfuzzer_sys::fuzz_target;

fn check(text: &str, target: &Target) {
    match target.kind {
        TargetKind::AtLeast | TargetKind::AtMost => {
            assert!(
                target.value.is_some_and(f64::is_finite),
                "{text:?} gave {target:?}"
            );
        }
        TargetKind::Between => {
            let (Some(low), Some(high)) = (target.low, target.high) else {
                panic!("{text:?} gave a band without ends: {target:?}");
            };
            assert!(
                low.is_finite() && high.is_finite() && low <= high,
                "{text:?} gave {target:?}"
            );
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for decimal_comma in [false, true] {
        for direction in [
            None,
            Some(Direction::HigherIsBetter),
            Some(Direction::LowerIsBetter),
        ] {
            if let Some(target) = parse_target(&text, decimal_comma, direction, "fuzz") {
                check(&text, &target);
            }
        }
        let header = split_header(&text, decimal_comma);
        if let Some(target) = &header.target {
            check(&text, target);
        }
    }
    let _ = parse_direction(&text);
    let _ = direction_from_name(&text);
    let _ = direction_from_sign_prefix(&text);
});
