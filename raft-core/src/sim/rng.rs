//! Deterministic random streams, one per purpose, all derived from the seed.

use rand_core::{RngCore, SeedableRng};
use rand_pcg::Pcg64Mcg;

/// SplitMix64 finalizer: spreads a seed so nearby seeds give unrelated streams.
pub fn splitmix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// Derives the seed of an independent stream: `purpose` names the use,
/// `index` distinguishes instances (node id, incarnation, ...).
pub fn derive_seed(seed: u64, purpose: u64, index: u64) -> u64 {
    splitmix64(splitmix64(seed ^ splitmix64(purpose)) ^ index.wrapping_mul(0xA24B_AED4_963E_E407))
}

/// A seeded random stream (PCG-64 MCG).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimRng(Pcg64Mcg);

impl SimRng {
    /// The stream for `purpose` derived from `seed`.
    pub fn new(seed: u64, purpose: u64) -> Self {
        SimRng(Pcg64Mcg::seed_from_u64(derive_seed(seed, purpose, 0)))
    }

    /// A raw 64-bit draw.
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }

    /// Uniform in `0..n` (0 when `n == 0`), by widening multiplication.
    #[inline]
    pub fn below(&mut self, n: u64) -> u64 {
        ((self.next_u64() as u128 * n as u128) >> 64) as u64
    }

    /// Uniform in `lo..=hi` (`lo` when the range is empty).
    #[inline]
    pub fn range_inclusive(&mut self, lo: u64, hi: u64) -> u64 {
        if hi <= lo {
            return lo;
        }
        match (hi - lo).checked_add(1) {
            Some(n) => lo + self.below(n),
            None => self.next_u64(),
        }
    }

    /// True with probability `ppm` parts per million. Draws nothing when `ppm` is 0,
    /// so switching a fault off does not shift the other draws.
    #[inline]
    pub fn chance_ppm(&mut self, ppm: u32) -> bool {
        ppm > 0 && self.below(1_000_000) < ppm as u64
    }
}

/// Purposes of the streams (arbitrary distinct constants).
pub(crate) mod purpose {
    pub const NETWORK: u64 = 0x6E65_7477;
    pub const CLIENTS: u64 = 0x636C_6965;
    pub const NODES: u64 = 0x6E6F_6465;
    pub const DRIFT: u64 = 0x6472_6966;
}
