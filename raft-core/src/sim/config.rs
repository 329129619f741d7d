//! Simulation parameters and their validation.

use crate::raft::{self, Bugs, Regressions};
use crate::types::TimeUs;
use alloc::string::String;
use core::fmt;

/// Most nodes a simulated cluster may have (initially or after `add_node`).
pub const MAX_NODES: usize = 9;
/// Most automatic (load-generating) clients.
pub const MAX_CLIENTS: usize = 64;
/// One million: probabilities are given in parts per million.
pub const PPM: u32 = 1_000_000;
/// Largest clock drift a node may have, in parts per million (±50 %).
pub const MAX_DRIFT_PPM: u32 = 500_000;
/// Largest one-way network latency accepted, in microseconds (one minute).
pub const MAX_LATENCY_US: TimeUs = 60_000_000;
/// Largest ring-buffer size of the trace, in events.
pub const MAX_TRACE_CAPACITY: usize = 10_000_000;
/// Largest bound on messages in flight.
pub const MAX_IN_FLIGHT_LIMIT: usize = 1_000_000;

/// Everything that shapes a simulation run. Together with the user's actions,
/// `seed` decides every random choice.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SimConfig {
    /// Number of nodes at start, 1 to [`MAX_NODES`] (ids `1..=nodes`).
    pub nodes: usize,
    /// The seed every random choice derives from.
    pub seed: u64,
    /// Lower bound of the randomized election timeout, node-local microseconds.
    pub election_timeout_min_us: TimeUs,
    /// Exclusive upper bound of the randomized election timeout.
    pub election_timeout_max_us: TimeUs,
    /// Leader heartbeat period, node-local microseconds.
    pub heartbeat_interval_us: TimeUs,
    /// Run PreVote before elections.
    pub pre_vote: bool,
    /// Leaders step down without quorum contact; leader stickiness.
    pub check_quorum: bool,
    /// Planted protocol bugs (all off by default).
    pub bugs: Bugs,
    /// Smallest one-way message latency, microseconds.
    pub latency_min_us: TimeUs,
    /// Largest one-way message latency (inclusive), microseconds.
    pub latency_max_us: TimeUs,
    /// Probability that a message is lost, parts per million.
    pub loss_ppm: u32,
    /// Probability that a message is delivered twice, parts per million.
    pub duplication_ppm: u32,
    /// Probability that a message is held back by an extra delay (reordering), ppm.
    pub reorder_ppm: u32,
    /// Upper bound of that extra delay, microseconds.
    pub reorder_delay_max_us: TimeUs,
    /// Time a disk write takes; messages promising persisted state wait for it.
    pub disk_latency_us: TimeUs,
    /// Each node's clock drift is drawn uniformly from ±this many ppm.
    pub max_drift_ppm: u32,
    /// Compact a node's log once it holds more than this many entries (0: never).
    pub snapshot_threshold: u64,
    /// Number of automatic clients generating load, 0 to [`MAX_CLIENTS`].
    pub clients: usize,
    /// Total operations per second issued by all automatic clients together.
    pub client_ops_per_sec: u32,
    /// A client retries (same sequence number) after this long without reply.
    pub client_timeout_us: TimeUs,
    /// Number of trace events kept in memory (older ones only count in the hash).
    pub trace_capacity: usize,
    /// Most messages in flight; beyond that new messages are dropped (and traced).
    pub max_in_flight: usize,
    /// Fixed bugs switched back on by tests (all off; never in links or exports).
    #[cfg_attr(feature = "serde", serde(skip))]
    pub regressions: Regressions,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            nodes: 5,
            seed: 1,
            election_timeout_min_us: 150_000,
            election_timeout_max_us: 300_000,
            heartbeat_interval_us: 50_000,
            pre_vote: true,
            check_quorum: true,
            bugs: Bugs::default(),
            latency_min_us: 10_000,
            latency_max_us: 20_000,
            loss_ppm: 0,
            duplication_ppm: 0,
            reorder_ppm: 0,
            reorder_delay_max_us: 50_000,
            disk_latency_us: 0,
            max_drift_ppm: 0,
            snapshot_threshold: 1_000,
            clients: 2,
            client_ops_per_sec: 10,
            client_timeout_us: 500_000,
            trace_capacity: 50_000,
            max_in_flight: 10_000,
            regressions: Regressions::default(),
        }
    }
}

impl SimConfig {
    /// The defaults with another seed.
    pub fn with_seed(seed: u64) -> Self {
        SimConfig {
            seed,
            ..SimConfig::default()
        }
    }

    /// The workload of the simulator's speed target and benchmarks: the
    /// defaults (5 nodes, 50 ms heartbeats) with 10 clients issuing 100
    /// operations per second together.
    pub fn benchmark_workload(seed: u64) -> Self {
        SimConfig {
            clients: 10,
            client_ops_per_sec: 100,
            ..SimConfig::with_seed(seed)
        }
    }

    /// Checks every range; the first problem found is returned.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.nodes == 0 || self.nodes > MAX_NODES {
            return Err(ConfigError::NodeCount { nodes: self.nodes });
        }
        self.raft_config(1).validate().map_err(ConfigError::Raft)?;
        check_latency(self.latency_min_us, self.latency_max_us)?;
        for (field, v) in [
            ("loss_ppm", self.loss_ppm),
            ("duplication_ppm", self.duplication_ppm),
            ("reorder_ppm", self.reorder_ppm),
        ] {
            if v > PPM {
                return Err(ConfigError::Probability {
                    field: field.into(),
                    value: v,
                });
            }
        }
        if self.reorder_delay_max_us > MAX_LATENCY_US || self.disk_latency_us > MAX_LATENCY_US {
            return Err(ConfigError::DelayTooLong);
        }
        if self.max_drift_ppm > MAX_DRIFT_PPM {
            return Err(ConfigError::Drift {
                ppm: self.max_drift_ppm,
            });
        }
        if self.clients > MAX_CLIENTS {
            return Err(ConfigError::Clients {
                clients: self.clients,
            });
        }
        if self.client_ops_per_sec > 1_000_000 {
            return Err(ConfigError::ClientRate);
        }
        if self.client_timeout_us == 0 || self.client_timeout_us > MAX_LATENCY_US {
            return Err(ConfigError::ClientTimeout);
        }
        if self.trace_capacity == 0 || self.trace_capacity > MAX_TRACE_CAPACITY {
            return Err(ConfigError::TraceCapacity);
        }
        if self.max_in_flight == 0 || self.max_in_flight > MAX_IN_FLIGHT_LIMIT {
            return Err(ConfigError::InFlightLimit);
        }
        Ok(())
    }

    /// The Raft configuration of node `id` under these settings.
    pub fn raft_config(&self, id: u64) -> raft::Config {
        let mut c = raft::Config::new(id);
        c.election_timeout_min_us = self.election_timeout_min_us;
        c.election_timeout_max_us = self.election_timeout_max_us;
        c.heartbeat_interval_us = self.heartbeat_interval_us;
        c.pre_vote = self.pre_vote;
        c.check_quorum = self.check_quorum;
        c.bugs = self.bugs;
        c.regressions = self.regressions;
        c
    }
}

/// Checks a latency range (shared with `Sim::set_latency`).
pub(crate) fn check_latency(min_us: TimeUs, max_us: TimeUs) -> Result<(), ConfigError> {
    if min_us > max_us || max_us > MAX_LATENCY_US {
        return Err(ConfigError::LatencyRange { min_us, max_us });
    }
    Ok(())
}

/// Why a [`SimConfig`] (or a setting changed later) was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum ConfigError {
    /// Node count outside `1..=MAX_NODES`.
    NodeCount {
        /// The count given.
        nodes: usize,
    },
    /// The Raft timing settings are inconsistent.
    Raft(raft::ConfigError),
    /// Need `latency_min_us <= latency_max_us <= MAX_LATENCY_US`.
    LatencyRange {
        /// Lower bound given.
        min_us: TimeUs,
        /// Upper bound given.
        max_us: TimeUs,
    },
    /// A probability above one million parts per million.
    Probability {
        /// Which setting.
        field: String,
        /// The value given.
        value: u32,
    },
    /// Reorder or disk delay above [`MAX_LATENCY_US`].
    DelayTooLong,
    /// Drift above [`MAX_DRIFT_PPM`].
    Drift {
        /// The value given.
        ppm: u32,
    },
    /// More than [`MAX_CLIENTS`] clients.
    Clients {
        /// The count given.
        clients: usize,
    },
    /// Client rate above one million operations per second.
    ClientRate,
    /// Client timeout zero or above [`MAX_LATENCY_US`].
    ClientTimeout,
    /// Trace capacity zero or above [`MAX_TRACE_CAPACITY`].
    TraceCapacity,
    /// In-flight limit zero or above [`MAX_IN_FLIGHT_LIMIT`].
    InFlightLimit,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::NodeCount { nodes } => {
                write!(f, "node count {nodes} outside 1..={MAX_NODES}")
            }
            ConfigError::Raft(e) => write!(f, "raft settings: {e}"),
            ConfigError::LatencyRange { min_us, max_us } => write!(
                f,
                "latency range {min_us}..={max_us} us invalid (max {MAX_LATENCY_US} us)"
            ),
            ConfigError::Probability { field, value } => {
                write!(f, "{field} = {value} exceeds {PPM} ppm")
            }
            ConfigError::DelayTooLong => write!(f, "delay above {MAX_LATENCY_US} us"),
            ConfigError::Drift { ppm } => write!(f, "drift {ppm} ppm above {MAX_DRIFT_PPM}"),
            ConfigError::Clients { clients } => {
                write!(f, "{clients} clients, at most {MAX_CLIENTS}")
            }
            ConfigError::ClientRate => f.write_str("client rate above 1,000,000 ops/s"),
            ConfigError::ClientTimeout => f.write_str("client timeout must be in 1..=60 s"),
            ConfigError::TraceCapacity => {
                write!(f, "trace capacity must be in 1..={MAX_TRACE_CAPACITY}")
            }
            ConfigError::InFlightLimit => {
                write!(f, "in-flight limit must be in 1..={MAX_IN_FLIGHT_LIMIT}")
            }
        }
    }
}
