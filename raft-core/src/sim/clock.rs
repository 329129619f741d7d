//! Per-node clocks that run fast or slow (drift), as a piecewise-linear map
//! from global virtual time to the node's local time.

use crate::types::TimeUs;

const MILLION: i128 = 1_000_000;
/// Below this many microseconds (about 50 days) `dt * rate` fits in a `u64`.
const SMALL: TimeUs = 1 << 42;

/// Local time = `base_local + (global - base_global) * (1 + ppm / 10^6)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Clock {
    base_global: TimeUs,
    base_local: TimeUs,
    pub(crate) ppm: i64,
}

impl Clock {
    pub(crate) fn new(ppm: i64) -> Self {
        Clock {
            base_global: 0,
            base_local: 0,
            ppm,
        }
    }

    /// The node's reading at global time `t`.
    #[inline]
    pub(crate) fn local(&self, t: TimeUs) -> TimeUs {
        let dt = t.saturating_sub(self.base_global);
        if self.ppm == 0 {
            return self.base_local + dt;
        }
        if dt < SMALL && self.ppm > -(MILLION as i64) {
            // Same result as the i128 path, without a 128-bit division.
            let rate = (MILLION as i64 + self.ppm) as u64;
            return self.base_local + dt * rate / MILLION as u64;
        }
        let dt = dt as i128;
        self.base_local + (dt * (MILLION + self.ppm as i128) / MILLION) as TimeUs
    }

    /// The earliest global time at which the node's clock reads at least `l`.
    #[inline]
    pub(crate) fn global_at(&self, l: TimeUs) -> TimeUs {
        if l <= self.base_local {
            return self.base_global;
        }
        if self.ppm == 0 {
            return self.base_global + (l - self.base_local);
        }
        let dl = (l - self.base_local) as i128;
        let rate = MILLION + self.ppm as i128;
        let mut g = self.base_global + ((dl * MILLION + rate - 1) / rate) as TimeUs;
        while g > self.base_global && self.local(g - 1) >= l {
            g -= 1;
        }
        while self.local(g) < l {
            g += 1;
        }
        g
    }

    /// Changes the drift from global time `now` on, keeping the clock continuous.
    pub(crate) fn set_ppm(&mut self, now: TimeUs, ppm: i64) {
        self.base_local = self.local(now);
        self.base_global = now;
        self.ppm = ppm;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverse_is_tight() {
        for ppm in [-500_000, -1234, 0, 777, 500_000] {
            let mut c = Clock::new(ppm);
            c.set_ppm(12_345, ppm);
            for l in [0, 1, 999, 150_000, 1_000_003, 77_777_777] {
                let g = c.global_at(l);
                assert!(c.local(g) >= l);
                assert!(g == 12_345 || g == 0 || c.local(g - 1) < l);
            }
        }
    }
}
