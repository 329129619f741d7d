//! The clock's text.

use crate::speed::format_time;

/// `t = 1.234 s` for the clock.
pub fn clock_text(now_us: u64) -> String {
    format!("t = {}", format_time(now_us))
}

/// What the clock adds while quiet time is skipped (at
/// [`QUIET_SPEED_LOG`](crate::speed::QUIET_SPEED_LOG)).
pub const SKIPPING_TEXT: &str = " · ▸▸ quiet time at 1/2×";

#[cfg(test)]
mod tests {
    use crate::speed::{speed_label, QUIET_SPEED_LOG};

    #[test]
    fn the_clock_names_the_quiet_speed() {
        assert!(super::SKIPPING_TEXT.ends_with(&speed_label(QUIET_SPEED_LOG)));
    }
}
