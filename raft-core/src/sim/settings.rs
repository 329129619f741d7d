//! The settings a simulation runs with now, for a UI to show.

use super::{Sim, SimConfig};

impl Sim {
    /// The configuration as the simulation runs it now: [`Sim::config`] (what
    /// the run started with) with the network settings that actions changed
    /// since (latency, loss, duplication, reordering). Read-only; restored
    /// with the rest of the simulation by a seek.
    pub fn settings(&self) -> SimConfig {
        SimConfig {
            latency_min_us: self.net.latency_min_us,
            latency_max_us: self.net.latency_max_us,
            loss_ppm: self.net.loss_ppm,
            duplication_ppm: self.net.duplication_ppm,
            reorder_ppm: self.net.reorder_ppm,
            reorder_delay_max_us: self.net.reorder_delay_max_us,
            ..self.cfg.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Sim, SimConfig};

    #[test]
    fn the_settings_are_what_the_network_runs_with() {
        let mut sim = Sim::new(SimConfig::default()).unwrap();
        assert_eq!(sim.settings(), SimConfig::default());
        sim.set_latency(5_000, 90_000).unwrap();
        sim.set_loss(1_000).unwrap();
        sim.set_duplication(2_000).unwrap();
        sim.set_reorder(3_000, 7_000).unwrap();
        let s = sim.settings();
        assert_eq!((s.latency_min_us, s.latency_max_us), (5_000, 90_000));
        assert_eq!((s.loss_ppm, s.duplication_ppm), (1_000, 2_000));
        assert_eq!((s.reorder_ppm, s.reorder_delay_max_us), (3_000, 7_000));
        // What the run started with is unchanged.
        assert_eq!(*sim.config(), SimConfig::default());
    }
}
