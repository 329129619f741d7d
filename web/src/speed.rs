//! Playback speed on a logarithmic scale, and how times are shown.

use crate::fixed::{f1, f3};

/// Slider position (log10 of the speed) of the slowest speed, 1/1000×.
pub const SPEED_LOG_MIN: f64 = -3.0;
/// Slider position of real time, 1×.
pub const SPEED_LOG_MAX: f64 = 0.0;
/// Default: 1/50×, slow enough to follow each message (a 15 ms hop takes
/// 0.75 s) and, with quiet time skipped, fast enough that a first visit
/// sees a leader elected within a few seconds.
pub const SPEED_LOG_DEFAULT: f64 = -1.7;
/// Speed of quiet time (nothing in flight) when it is skipped: 1/2×, so a
/// 150-300 ms election timeout drains, visibly, in well under a second.
pub const QUIET_SPEED_LOG: f64 = -0.3;
/// Longest wall-clock gap one animation frame may cover (a tab that was
/// hidden, a breakpoint): beyond it the simulation does not leap ahead.
pub const MAX_FRAME_GAP_MS: f64 = 100.0;

/// Virtual microseconds that pass in `wall_ms` of real time at slider position `speed_log`.
pub fn virtual_us_for(wall_ms: f64, speed_log: f64) -> u64 {
    let wall_ms = wall_ms.clamp(0.0, MAX_FRAME_GAP_MS);
    let speed = crate::math::pow10(speed_log.clamp(SPEED_LOG_MIN, SPEED_LOG_MAX));
    (wall_ms * 1000.0 * speed).round() as u64
}

/// Wall milliseconds that `virtual_us` of virtual time take at slider position `speed_log`.
pub fn wall_ms_for(virtual_us: u64, speed_log: f64) -> f64 {
    let speed = crate::math::pow10(speed_log.clamp(SPEED_LOG_MIN, SPEED_LOG_MAX));
    virtual_us as f64 / 1000.0 / speed
}

/// Slider position for a speed in thousandths (1,000 = real time), as links carry it.
pub fn speed_log_from_milli(speed_milli: u32) -> f64 {
    crate::math::log10(speed_milli.max(1) as f64 / 1000.0).clamp(SPEED_LOG_MIN, SPEED_LOG_MAX)
}

/// Speed in thousandths for a slider position.
pub fn speed_milli_from_log(speed_log: f64) -> u32 {
    (crate::math::pow10(speed_log) * 1000.0).round() as u32
}

/// `1/100×`, `1/3×`, `1×`.
pub fn speed_label(speed_log: f64) -> String {
    let speed = crate::math::pow10(speed_log.clamp(SPEED_LOG_MIN, SPEED_LOG_MAX));
    if speed >= 0.999 {
        "1×".to_string()
    } else {
        format!("1/{}×", (1.0 / speed).round() as u64)
    }
}

/// Virtual time for people: `1.234 s` or `56.7 ms`.
pub fn format_time(us: u64) -> String {
    if us >= 1_000_000 {
        format!("{} s", f3(us as f64 / 1e6))
    } else {
        format!("{} ms", f1(us as f64 / 1e3))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_slider_spans_a_thousandth_to_real_time() {
        assert_eq!(virtual_us_for(10.0, SPEED_LOG_MAX), 10_000);
        assert_eq!(virtual_us_for(10.0, SPEED_LOG_MIN), 10);
        assert_eq!(virtual_us_for(10.0, -2.0), 100);
        assert_eq!(virtual_us_for(100.0, SPEED_LOG_DEFAULT), 1_995);
        assert_eq!(speed_label(SPEED_LOG_DEFAULT), "1/50×");
        assert_eq!(speed_label(QUIET_SPEED_LOG), "1/2×");
        assert!((wall_ms_for(1_995, SPEED_LOG_DEFAULT) - 100.0).abs() < 0.1);
    }

    #[test]
    fn a_long_pause_does_not_leap_ahead() {
        assert_eq!(virtual_us_for(60_000.0, 0.0), 100_000);
        assert_eq!(virtual_us_for(-5.0, 0.0), 0);
    }

    #[test]
    fn link_speeds_round_trip_through_the_slider() {
        for milli in [1, 10, 100, 1000] {
            assert_eq!(speed_milli_from_log(speed_log_from_milli(milli)), milli);
        }
        assert_eq!(speed_log_from_milli(0), SPEED_LOG_MIN);
        assert_eq!(speed_log_from_milli(100_000), SPEED_LOG_MAX);
    }

    #[test]
    fn labels_read_as_fractions() {
        assert_eq!(speed_label(-2.0), "1/100×");
        assert_eq!(speed_label(0.0), "1×");
        assert_eq!(format_time(1_234_000), "1.234 s");
        assert_eq!(format_time(56_700), "56.7 ms");
    }
}
