//! Deterministic randomness for election timeouts.

use crate::types::TimeUs;
use rand_core::{RngCore, SeedableRng};
use rand_pcg::Pcg32;

/// A seeded PCG stream stored as (seed, draws) so a node stays `Clone`,
/// comparable and serializable: the generator is rebuilt and advanced on each
/// draw. Draws are rare (only when an election timer is re-randomized).
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ElectionRng {
    seed: u64,
    draws: u64,
}

impl ElectionRng {
    /// A stream determined entirely by `seed`.
    pub fn new(seed: u64) -> Self {
        ElectionRng { seed, draws: 0 }
    }

    /// A value uniformly drawn from `lo..hi` (returns `lo` when the range is empty).
    pub fn next_in(&mut self, lo: TimeUs, hi: TimeUs) -> TimeUs {
        let mut pcg = Pcg32::seed_from_u64(self.seed);
        pcg.advance(self.draws.wrapping_mul(2));
        self.draws = self.draws.wrapping_add(1);
        if hi <= lo {
            return lo;
        }
        lo + pcg.next_u64() % (hi - lo)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_draws_and_in_range() {
        let (mut a, mut b) = (ElectionRng::new(7), ElectionRng::new(7));
        let mut distinct = alloc::collections::BTreeSet::new();
        for _ in 0..100 {
            let x = a.next_in(150, 300);
            assert_eq!(x, b.next_in(150, 300));
            assert!((150..300).contains(&x));
            distinct.insert(x);
        }
        assert!(distinct.len() > 30, "draws should spread out");
        assert_ne!(
            ElectionRng::new(8).next_in(0, 1 << 40),
            ElectionRng::new(7).next_in(0, 1 << 40)
        );
    }
}
