//! The clock's text.

use crate::speed::format_time;

/// `t = 1.234 s` for the clock.
pub fn clock_text(now_us: u64) -> String {
    format!("t = {}", format_time(now_us))
}
