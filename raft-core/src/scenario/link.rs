//! Share links: a playground state in the URL fragment `#s=<payload>`.
//!
//! The payload is `<version>.<data>`: a decimal format version, a dot, and
//! URL-safe base64 (no padding) of the deflate-compressed
//! [postcard](https://docs.rs/postcard) bytes of that version's wire
//! structure. Version 1 is described in `wire_v1`; its structures are frozen
//! copies of today's types, so a link keeps decoding after
//! [`SimConfig`] or [`Action`] grow: a new format gets a new version and
//! [`decode`] keeps a branch for every old one. Version 2 adds a story;
//! version 3 adds the actions version 1 cannot carry (a reordering change,
//! a crash during a disk write: what a swarm run may hold). [`encode`]
//! writes the oldest version that carries the state, so a link that could
//! be written before is written byte for byte as before.
//!
//! Decoding never panics and bounds everything: the payload length
//! ([`MAX_LINK_CHARS`]), the inflated size ([`MAX_DECODED_BYTES`]), the
//! number of actions ([`MAX_ACTIONS`]) and every value (the configuration is
//! validated, node ids, times and speeds are range-checked). Each failure is
//! a [`LinkError`] whose message is one plain sentence.
//!
//! ```
//! use raft_core::scenario::{self, link};
//! let s = scenario::by_id("network-partition").unwrap();
//! let state = s.share_state(3_200_000);
//! let payload = link::encode(&state);
//! assert!(payload.starts_with("1."));
//! assert_eq!(link::decode(&payload), Ok(state));
//! assert!(link::decode("9.abc").is_err());
//! ```

use super::TimedAction;
use crate::kv::Op;
use crate::sim::{Action, SimConfig, MAX_DRIFT_PPM, MAX_NODES, PPM};
use crate::types::{NodeId, TimeUs};
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use base64::Engine as _;
use core::fmt;

/// The newest format version: [`encode`] writes it only for a state with
/// an action version 1 cannot carry, version 2 for a state with a story,
/// and version 1, which every build reads, for any other.
pub const LINK_VERSION: u32 = 3;
/// Most steps of a torn disk write a link may name.
pub const MAX_TORN_STEPS: usize = 1 << 20;
/// Longest payload accepted, in characters.
pub const MAX_LINK_CHARS: usize = 32_768;
/// Largest inflated payload accepted, in bytes (64 KiB).
pub const MAX_DECODED_BYTES: usize = 65_536;
/// Most actions a link may carry.
pub const MAX_ACTIONS: usize = 1_000;
/// Latest virtual time a link may point at or schedule an action at (one hour).
pub const MAX_LINK_TIME_US: TimeUs = 3_600_000_000;
/// Fastest playback speed a link may ask for, in thousandths (100,000×).
pub const MAX_SPEED_MILLI: u32 = 100_000_000;
/// Longest scenario id, in bytes.
pub const MAX_ID_BYTES: usize = 64;

/// What the inspector shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Selected {
    /// A node, by id.
    Node(NodeId),
    /// A message, by its trace id.
    Message(u64),
}

/// Everything a share link restores: the run (configuration with its seed,
/// and the actions taken), the moment shown, the playback speed and the
/// selection. Opening it replays the run to `time_us` and pauses there.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ShareState {
    /// The library scenario the run started from (for its narrative), if any.
    pub scenario_id: Option<String>,
    /// The simulation settings, seed included.
    pub config: SimConfig,
    /// Every action taken, in time order (the scenario's and the user's).
    pub actions: Vec<TimedAction>,
    /// The virtual time shown, microseconds.
    pub time_us: TimeUs,
    /// Playback speed in thousandths (1,000 = real time).
    pub speed_milli: u32,
    /// What is selected.
    pub selected: Option<Selected>,
    /// The story told over the run, if the user wrote (or edited) one;
    /// a built-in scenario's own story comes from its id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub story: Option<super::Story>,
}

impl ShareState {
    /// The state that replays `run` to its end, paused there (a torn
    /// write or a reordering change becomes its action, carried by a
    /// version 3 link): `None` if it has more than [`MAX_ACTIONS`] faults.
    pub fn of_run(run: &crate::sim::shrink::Run) -> Option<ShareState> {
        use crate::sim::record::Fault;
        let actions = run
            .faults
            .iter()
            .filter(|f| f.at_us <= run.end_us)
            .map(|f| {
                let action = match &f.fault {
                    Fault::Act(a) => a.clone(),
                    Fault::Reorder { ppm, max_delay_us } => Action::SetReorder {
                        ppm: *ppm,
                        max_delay_us: *max_delay_us,
                    },
                    Fault::TornCrash { node, steps } => Action::TornCrash {
                        node: *node,
                        steps: *steps,
                    },
                };
                TimedAction::new(f.at_us, action)
            })
            .collect::<Vec<_>>();
        if actions.len() > MAX_ACTIONS {
            return None;
        }
        Some(ShareState {
            scenario_id: None,
            config: run.config.clone(),
            actions,
            time_us: run.end_us,
            speed_milli: 100,
            selected: None,
            story: None,
        })
    }
}

/// Why a link could not be decoded. Nothing is loaded from a bad link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkError {
    /// The version prefix is missing or not one this build reads.
    BadVersion {
        /// The prefix found (shortened), empty if none.
        found: String,
    },
    /// A character outside URL-safe base64 appears in the data.
    BadCharacters {
        /// Its byte offset in the data (after the version prefix).
        position: usize,
    },
    /// The data ends early: the link was probably cut off when copied.
    Truncated,
    /// The data does not decompress or deserialize.
    Corrupt,
    /// The link or its decompressed contents exceed the size limits.
    TooLarge,
    /// A value is outside its allowed range.
    OutOfRange {
        /// Which value, and why, in words.
        what: String,
    },
    /// More actions than allowed.
    TooManyActions {
        /// Actions in the link.
        count: usize,
        /// The limit ([`MAX_ACTIONS`]).
        max: usize,
    },
}

impl fmt::Display for LinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LinkError::BadVersion { found } if found.is_empty() => {
                f.write_str("The link has no format version; it is not a playground link.")
            }
            LinkError::BadVersion { found } => write!(
                f,
                "The link has format version \"{found}\", which this playground cannot read (it reads versions 1 to {LINK_VERSION})."
            ),
            LinkError::BadCharacters { position } => write!(
                f,
                "The link contains a character that does not belong in it (at position {position})."
            ),
            LinkError::Truncated => {
                f.write_str("The link is incomplete; it was probably cut off when copied.")
            }
            LinkError::Corrupt => f.write_str("The link is damaged and cannot be read."),
            LinkError::TooLarge => write!(
                f,
                "The link is too large (at most {MAX_LINK_CHARS} characters and {MAX_DECODED_BYTES} bytes of state)."
            ),
            LinkError::OutOfRange { what } => {
                write!(f, "The link holds a value out of range: {what}.")
            }
            LinkError::TooManyActions { count, max } => write!(
                f,
                "The link holds {count} actions; at most {max} are allowed."
            ),
        }
    }
}

impl core::error::Error for LinkError {}

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// Encodes `state` as a payload `<version>.<data>` (without the `#s=`
/// prefix): version 3 for a state with an action version 1 cannot carry,
/// else version 2 for a state with a story, else version 1.
pub fn encode(state: &ShareState) -> String {
    let (run, extra) = wire_v1::Wire::from_state(state);
    let (version, bytes) = match (&state.story, extra.is_empty()) {
        (None, true) => (1, postcard::to_allocvec(&run)),
        (Some(story), true) => (
            2,
            postcard::to_allocvec(&wire_v2::Wire::from_parts(run, story)),
        ),
        (story, false) => {
            let base = match story {
                None => wire_v3::Base::Run(run),
                Some(story) => wire_v3::Base::Story(wire_v2::Wire::from_parts(run, story)),
            };
            (
                LINK_VERSION,
                postcard::to_allocvec(&wire_v3::Wire::from_parts(base, &extra)),
            )
        }
    };
    let packed = miniz_oxide::deflate::compress_to_vec(&bytes.unwrap_or_default(), 10);
    let mut out = format!("{version}.");
    B64.encode_string(&packed, &mut out);
    out
}

/// The URL fragment for `state`: `#s=` followed by [`encode`]'s payload.
pub fn fragment(state: &ShareState) -> String {
    format!("#s={}", encode(state))
}

/// Decodes a payload made by [`encode`] (an optional leading `#s=` or `s=`
/// and surrounding whitespace are ignored) and validates it.
pub fn decode(link: &str) -> Result<ShareState, LinkError> {
    let link = link.trim();
    let link = link.strip_prefix('#').unwrap_or(link);
    let link = link.strip_prefix("s=").unwrap_or(link);
    if link.len() > MAX_LINK_CHARS {
        return Err(LinkError::TooLarge);
    }
    let Some((version, data)) = link.split_once('.') else {
        return Err(LinkError::BadVersion {
            found: String::new(),
        });
    };
    let state = match version {
        "1" => wire_v1::decode(&unpack(data)?)?,
        "2" => wire_v2::decode(&unpack(data)?)?,
        "3" => wire_v3::decode(&unpack(data)?)?,
        _ => {
            return Err(LinkError::BadVersion {
                found: version.chars().take(12).collect(),
            })
        }
    };
    validate(&state)?;
    Ok(state)
}

/// Base64 then inflate, with the size limit.
fn unpack(data: &str) -> Result<Vec<u8>, LinkError> {
    if let Some(position) = data
        .bytes()
        .position(|b| !(b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
    {
        return Err(LinkError::BadCharacters { position });
    }
    if data.is_empty() {
        return Err(LinkError::Truncated);
    }
    let packed = B64.decode(data).map_err(|e| match e {
        base64::DecodeError::InvalidLength(_) => LinkError::Truncated,
        base64::DecodeError::InvalidByte(position, _) => LinkError::BadCharacters { position },
        _ => LinkError::Corrupt,
    })?;
    miniz_oxide::inflate::decompress_to_vec_with_limit(&packed, MAX_DECODED_BYTES).map_err(|e| {
        use miniz_oxide::inflate::TINFLStatus;
        match e.status {
            TINFLStatus::HasMoreOutput => LinkError::TooLarge,
            TINFLStatus::FailedCannotMakeProgress => LinkError::Truncated,
            _ => LinkError::Corrupt,
        }
    })
}

fn out_of_range(what: String) -> LinkError {
    LinkError::OutOfRange { what }
}

/// Checks every value of a decoded state (also usable on states built elsewhere).
pub fn validate(state: &ShareState) -> Result<(), LinkError> {
    if let Some(id) = &state.scenario_id {
        let ok = !id.is_empty()
            && id.len() <= MAX_ID_BYTES
            && id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !ok {
            return Err(out_of_range(String::from(
                "the scenario id must be 1 to 64 lowercase letters, digits or dashes",
            )));
        }
    }
    state
        .config
        .validate()
        .map_err(|e| out_of_range(format!("the configuration is invalid ({e})")))?;
    if state.actions.len() > MAX_ACTIONS {
        return Err(LinkError::TooManyActions {
            count: state.actions.len(),
            max: MAX_ACTIONS,
        });
    }
    if state.time_us > MAX_LINK_TIME_US {
        return Err(out_of_range(format!(
            "the time {} us is beyond the one-hour limit",
            state.time_us
        )));
    }
    if state.speed_milli == 0 || state.speed_milli > MAX_SPEED_MILLI {
        return Err(out_of_range(format!(
            "the speed {}/1000 is outside 1 to {MAX_SPEED_MILLI}",
            state.speed_milli
        )));
    }
    let mut nodes = state.config.nodes;
    let mut last = 0;
    for (i, a) in state.actions.iter().enumerate() {
        if a.at_us > MAX_LINK_TIME_US {
            return Err(out_of_range(format!(
                "action {i} is scheduled beyond the one-hour limit"
            )));
        }
        if a.at_us < last {
            return Err(out_of_range(format!(
                "action {i} is scheduled before the action preceding it"
            )));
        }
        last = a.at_us;
        check_action(i, &a.action, nodes)?;
        if a.action == Action::AddNode {
            nodes = (nodes + 1).min(MAX_NODES);
        }
    }
    if let Some(story) = &state.story {
        story
            .validate(nodes)
            .map_err(|e| out_of_range(format!("{e}")))?;
    }
    if let Some(Selected::Node(id)) = state.selected {
        if id == 0 || id > nodes as NodeId {
            return Err(out_of_range(format!(
                "the selected node {id} does not exist"
            )));
        }
    }
    Ok(())
}

fn check_action(i: usize, a: &Action, nodes: usize) -> Result<(), LinkError> {
    let node = |id: NodeId| {
        if id == 0 || id > nodes as NodeId {
            Err(out_of_range(format!(
                "action {i} names node {id}, but the cluster has nodes 1 to {nodes} at that point"
            )))
        } else {
            Ok(())
        }
    };
    let ppm = |v: u32| {
        if v > PPM {
            Err(out_of_range(format!(
                "action {i} sets a probability of {v} ppm, above {PPM}"
            )))
        } else {
            Ok(())
        }
    };
    match a {
        Action::Crash(id)
        | Action::Restart(id)
        | Action::Pause(id)
        | Action::Resume(id)
        | Action::TimeoutNow(id)
        | Action::TransferLeader(id)
        | Action::RemoveNode(id) => node(*id),
        Action::AddNode | Action::HealAll => Ok(()),
        Action::Partition(groups) => {
            if groups.len() > MAX_NODES || groups.iter().map(Vec::len).sum::<usize>() > MAX_NODES {
                return Err(out_of_range(format!(
                    "action {i} partitions more than {MAX_NODES} nodes"
                )));
            }
            groups.iter().flatten().try_for_each(|&id| node(id))
        }
        Action::CutLink { from, to } | Action::HealLink { from, to } => {
            node(*from)?;
            node(*to)
        }
        Action::SetLoss(v) | Action::SetDuplication(v) => ppm(*v),
        Action::SetLatency { min_us, max_us } => {
            if min_us > max_us || *max_us > crate::sim::MAX_LATENCY_US {
                Err(out_of_range(format!(
                    "action {i} sets the latency range {min_us}..={max_us} us"
                )))
            } else {
                Ok(())
            }
        }
        Action::SetDrift { node: id, ppm } => {
            node(*id)?;
            if ppm.unsigned_abs() > MAX_DRIFT_PPM as u64 {
                Err(out_of_range(format!(
                    "action {i} sets a drift of {ppm} ppm, beyond ±{MAX_DRIFT_PPM}"
                )))
            } else {
                Ok(())
            }
        }
        Action::ClientRequest { op, target } => {
            if let Some(t) = target {
                node(*t)?;
            }
            op.validate()
                .map_err(|e| out_of_range(format!("action {i} has an invalid command ({e})")))
        }
        Action::SetReorder {
            ppm: v,
            max_delay_us,
        } => {
            ppm(*v)?;
            if *max_delay_us > crate::sim::MAX_LATENCY_US {
                Err(out_of_range(format!(
                    "action {i} sets a reordering delay of {max_delay_us} us"
                )))
            } else {
                Ok(())
            }
        }
        Action::TornCrash { node: id, steps } => {
            node(*id)?;
            if *steps > MAX_TORN_STEPS {
                Err(out_of_range(format!(
                    "action {i} tears a write after {steps} steps, beyond {MAX_TORN_STEPS}"
                )))
            } else {
                Ok(())
            }
        }
    }
}

/// Version 1 of the wire format. These types are frozen: never change them,
/// add a `wire_v2` instead and keep this one decoding.
mod wire_v1 {
    use super::*;
    use crate::raft::Bugs;

    #[derive(serde::Serialize, serde::Deserialize)]
    pub(super) struct Wire {
        scenario_id: Option<String>,
        config: Config,
        /// (time since the previous action, wrapping; action).
        actions: Vec<(u64, Act)>,
        time_us: u64,
        speed_milli: u32,
        selected: Option<Sel>,
    }

    #[derive(serde::Serialize, serde::Deserialize)]
    struct Config {
        nodes: u64,
        seed: u64,
        election_timeout_min_us: u64,
        election_timeout_max_us: u64,
        heartbeat_interval_us: u64,
        /// Bit 0 pre_vote, 1 check_quorum, 2..=5 the planted bugs in
        /// declaration order.
        flags: u8,
        latency_min_us: u64,
        latency_max_us: u64,
        loss_ppm: u32,
        duplication_ppm: u32,
        reorder_ppm: u32,
        reorder_delay_max_us: u64,
        disk_latency_us: u64,
        max_drift_ppm: u32,
        snapshot_threshold: u64,
        clients: u64,
        client_ops_per_sec: u32,
        client_timeout_us: u64,
        trace_capacity: u64,
        max_in_flight: u64,
    }

    #[derive(serde::Serialize, serde::Deserialize)]
    enum Sel {
        Node(u64),
        Message(u64),
    }

    #[derive(serde::Serialize, serde::Deserialize)]
    enum WOp {
        Set(String, String),
        Delete(String),
        Get(String),
        Cas(String, Option<String>, String),
    }

    #[derive(serde::Serialize, serde::Deserialize)]
    enum Act {
        Crash(u64),
        Restart(u64),
        Pause(u64),
        Resume(u64),
        TimeoutNow(u64),
        TransferLeader(u64),
        AddNode,
        RemoveNode(u64),
        Partition(Vec<Vec<u64>>),
        CutLink(u64, u64),
        HealLink(u64, u64),
        HealAll,
        SetLoss(u32),
        SetDuplication(u32),
        SetLatency(u64, u64),
        SetDrift(u64, i64),
        ClientRequest(WOp, Option<u64>),
    }

    impl Config {
        fn from_config(c: &SimConfig) -> Self {
            let b = c.bugs;
            let flags = [
                c.pre_vote,
                c.check_quorum,
                b.commit_old_term,
                b.vote_without_log_check,
                b.forget_vote_on_restart,
                b.skip_consistency_check,
            ]
            .iter()
            .enumerate()
            .fold(0u8, |acc, (i, &on)| acc | ((on as u8) << i));
            Config {
                nodes: c.nodes as u64,
                seed: c.seed,
                election_timeout_min_us: c.election_timeout_min_us,
                election_timeout_max_us: c.election_timeout_max_us,
                heartbeat_interval_us: c.heartbeat_interval_us,
                flags,
                latency_min_us: c.latency_min_us,
                latency_max_us: c.latency_max_us,
                loss_ppm: c.loss_ppm,
                duplication_ppm: c.duplication_ppm,
                reorder_ppm: c.reorder_ppm,
                reorder_delay_max_us: c.reorder_delay_max_us,
                disk_latency_us: c.disk_latency_us,
                max_drift_ppm: c.max_drift_ppm,
                snapshot_threshold: c.snapshot_threshold,
                clients: c.clients as u64,
                client_ops_per_sec: c.client_ops_per_sec,
                client_timeout_us: c.client_timeout_us,
                trace_capacity: c.trace_capacity as u64,
                max_in_flight: c.max_in_flight as u64,
            }
        }

        // Fields added to `SimConfig` after version 1 take their defaults.
        #[allow(clippy::needless_update)]
        fn to_config(&self) -> Result<SimConfig, LinkError> {
            let size = |v: u64, what: &str| {
                usize::try_from(v).map_err(|_| out_of_range(format!("{what} is too large")))
            };
            if self.flags >= 1 << 6 {
                return Err(LinkError::Corrupt);
            }
            let bit = |i: u8| self.flags & (1 << i) != 0;
            Ok(SimConfig {
                nodes: size(self.nodes, "the node count")?,
                seed: self.seed,
                election_timeout_min_us: self.election_timeout_min_us,
                election_timeout_max_us: self.election_timeout_max_us,
                heartbeat_interval_us: self.heartbeat_interval_us,
                pre_vote: bit(0),
                check_quorum: bit(1),
                bugs: Bugs {
                    commit_old_term: bit(2),
                    vote_without_log_check: bit(3),
                    forget_vote_on_restart: bit(4),
                    skip_consistency_check: bit(5),
                },
                latency_min_us: self.latency_min_us,
                latency_max_us: self.latency_max_us,
                loss_ppm: self.loss_ppm,
                duplication_ppm: self.duplication_ppm,
                reorder_ppm: self.reorder_ppm,
                reorder_delay_max_us: self.reorder_delay_max_us,
                disk_latency_us: self.disk_latency_us,
                max_drift_ppm: self.max_drift_ppm,
                snapshot_threshold: self.snapshot_threshold,
                clients: size(self.clients, "the client count")?,
                client_ops_per_sec: self.client_ops_per_sec,
                client_timeout_us: self.client_timeout_us,
                trace_capacity: size(self.trace_capacity, "the trace capacity")?,
                max_in_flight: size(self.max_in_flight, "the in-flight limit")?,
                ..SimConfig::default()
            })
        }
    }

    impl Act {
        /// `None` for the actions added after version 1 (version 3 carries them).
        fn from_action(a: &Action) -> Option<Self> {
            Some(match a {
                Action::Crash(id) => Act::Crash(*id),
                Action::Restart(id) => Act::Restart(*id),
                Action::Pause(id) => Act::Pause(*id),
                Action::Resume(id) => Act::Resume(*id),
                Action::TimeoutNow(id) => Act::TimeoutNow(*id),
                Action::TransferLeader(id) => Act::TransferLeader(*id),
                Action::AddNode => Act::AddNode,
                Action::RemoveNode(id) => Act::RemoveNode(*id),
                Action::Partition(g) => Act::Partition(g.clone()),
                Action::CutLink { from, to } => Act::CutLink(*from, *to),
                Action::HealLink { from, to } => Act::HealLink(*from, *to),
                Action::HealAll => Act::HealAll,
                Action::SetLoss(v) => Act::SetLoss(*v),
                Action::SetDuplication(v) => Act::SetDuplication(*v),
                Action::SetLatency { min_us, max_us } => Act::SetLatency(*min_us, *max_us),
                Action::SetDrift { node, ppm } => Act::SetDrift(*node, *ppm),
                Action::ClientRequest { op, target } => Act::ClientRequest(
                    match op.clone() {
                        Op::Set { key, value } => WOp::Set(key, value),
                        Op::Delete { key } => WOp::Delete(key),
                        Op::Get { key } => WOp::Get(key),
                        Op::Cas { key, expected, new } => WOp::Cas(key, expected, new),
                    },
                    *target,
                ),
                Action::SetReorder { .. } | Action::TornCrash { .. } => return None,
            })
        }

        fn into_action(self) -> Action {
            match self {
                Act::Crash(id) => Action::Crash(id),
                Act::Restart(id) => Action::Restart(id),
                Act::Pause(id) => Action::Pause(id),
                Act::Resume(id) => Action::Resume(id),
                Act::TimeoutNow(id) => Action::TimeoutNow(id),
                Act::TransferLeader(id) => Action::TransferLeader(id),
                Act::AddNode => Action::AddNode,
                Act::RemoveNode(id) => Action::RemoveNode(id),
                Act::Partition(g) => Action::Partition(g),
                Act::CutLink(from, to) => Action::CutLink { from, to },
                Act::HealLink(from, to) => Action::HealLink { from, to },
                Act::HealAll => Action::HealAll,
                Act::SetLoss(v) => Action::SetLoss(v),
                Act::SetDuplication(v) => Action::SetDuplication(v),
                Act::SetLatency(min_us, max_us) => Action::SetLatency { min_us, max_us },
                Act::SetDrift(node, ppm) => Action::SetDrift { node, ppm },
                Act::ClientRequest(op, target) => Action::ClientRequest {
                    op: match op {
                        WOp::Set(key, value) => Op::Set { key, value },
                        WOp::Delete(key) => Op::Delete { key },
                        WOp::Get(key) => Op::Get { key },
                        WOp::Cas(key, expected, new) => Op::Cas { key, expected, new },
                    },
                    target,
                },
            }
        }
    }

    impl Wire {
        /// The state's run with the actions version 1 carries, and the
        /// others with their index among all the state's actions.
        pub(super) fn from_state(s: &ShareState) -> (Self, Vec<(usize, &TimedAction)>) {
            let mut prev = 0u64;
            let mut extra = Vec::new();
            let actions = s
                .actions
                .iter()
                .enumerate()
                .filter_map(|(i, a)| match Act::from_action(&a.action) {
                    Some(act) => {
                        let delta = a.at_us.wrapping_sub(prev);
                        prev = a.at_us;
                        Some((delta, act))
                    }
                    None => {
                        extra.push((i, a));
                        None
                    }
                })
                .collect();
            let wire = Wire {
                scenario_id: s.scenario_id.clone(),
                config: Config::from_config(&s.config),
                actions,
                time_us: s.time_us,
                speed_milli: s.speed_milli,
                selected: s.selected.map(|sel| match sel {
                    Selected::Node(id) => Sel::Node(id),
                    Selected::Message(id) => Sel::Message(id),
                }),
            };
            (wire, extra)
        }
    }

    /// Deserializes version-1 bytes (validation follows in [`super::decode`]).
    pub(super) fn decode(bytes: &[u8]) -> Result<ShareState, LinkError> {
        into_state(take_all::<Wire>(bytes)?)
    }

    /// The whole of `bytes` as one `T`.
    pub(super) fn take_all<'a, T: serde::Deserialize<'a>>(bytes: &'a [u8]) -> Result<T, LinkError> {
        let (wire, rest) = postcard::take_from_bytes::<T>(bytes).map_err(|e| match e {
            postcard::Error::DeserializeUnexpectedEnd => LinkError::Truncated,
            _ => LinkError::Corrupt,
        })?;
        if !rest.is_empty() {
            return Err(LinkError::Corrupt);
        }
        Ok(wire)
    }

    /// The state a version-1 structure describes.
    pub(super) fn into_state(wire: Wire) -> Result<ShareState, LinkError> {
        if wire.actions.len() > MAX_ACTIONS {
            return Err(LinkError::TooManyActions {
                count: wire.actions.len(),
                max: MAX_ACTIONS,
            });
        }
        let mut at = 0u64;
        let actions = wire
            .actions
            .into_iter()
            .map(|(delta, a)| {
                at = at.wrapping_add(delta);
                TimedAction::new(at, a.into_action())
            })
            .collect();
        Ok(ShareState {
            scenario_id: wire.scenario_id,
            config: wire.config.to_config()?,
            actions,
            time_us: wire.time_us,
            speed_milli: wire.speed_milli,
            selected: wire.selected.map(|s| match s {
                Sel::Node(id) => Selected::Node(id),
                Sel::Message(id) => Selected::Message(id),
            }),
            story: None,
        })
    }
}

/// Version 2 of the wire format: a version-1 run and its story. Frozen
/// like version 1. [`encode`] writes it only for a state with a story, so
/// every other link stays version 1, as short as before.
mod wire_v2 {
    use super::*;
    use crate::scenario::{Promise, Story, StoryStep};

    #[derive(serde::Serialize, serde::Deserialize)]
    pub(super) struct Wire {
        run: wire_v1::Wire,
        title: String,
        summary: String,
        /// (time since the previous step; title; text; promise).
        steps: Vec<(u64, String, String, Option<WPromise>)>,
    }

    #[derive(serde::Serialize, serde::Deserialize)]
    enum WPromise {
        LeaderExists,
        Leads(u64),
        KeyEverywhere(String, String),
        NoLeaderInMinority,
        ChecksHold,
        ChecksBroken,
    }

    impl Wire {
        /// A version-1 run and `story`.
        pub(super) fn from_parts(run: wire_v1::Wire, story: &Story) -> Self {
            let mut prev = 0u64;
            let steps = story
                .steps
                .iter()
                .map(|st| {
                    let delta = st.at_us.wrapping_sub(prev);
                    prev = st.at_us;
                    let promise = st.promise.as_ref().map(|p| match p.clone() {
                        Promise::LeaderExists => WPromise::LeaderExists,
                        Promise::Leads(id) => WPromise::Leads(id),
                        Promise::KeyEverywhere { key, value } => {
                            WPromise::KeyEverywhere(key, value)
                        }
                        Promise::NoLeaderInMinority => WPromise::NoLeaderInMinority,
                        Promise::ChecksHold => WPromise::ChecksHold,
                        Promise::ChecksBroken => WPromise::ChecksBroken,
                    });
                    (delta, st.title.clone(), st.text.clone(), promise)
                })
                .collect();
            Wire {
                run,
                title: story.title.clone(),
                summary: story.summary.clone(),
                steps,
            }
        }
    }

    /// Deserializes version-2 bytes (validation follows in [`super::decode`]).
    pub(super) fn decode(bytes: &[u8]) -> Result<ShareState, LinkError> {
        into_state(wire_v1::take_all::<Wire>(bytes)?)
    }

    /// The state a version-2 structure describes.
    pub(super) fn into_state(wire: Wire) -> Result<ShareState, LinkError> {
        if wire.steps.len() > crate::scenario::story::MAX_STEPS {
            return Err(out_of_range(format!(
                "the story has {} steps; at most {} are allowed",
                wire.steps.len(),
                crate::scenario::story::MAX_STEPS
            )));
        }
        let mut state = wire_v1::into_state(wire.run)?;
        let mut at = 0u64;
        let steps = wire
            .steps
            .into_iter()
            .map(|(delta, title, text, promise)| {
                at = at.wrapping_add(delta);
                StoryStep {
                    at_us: at,
                    title,
                    text,
                    promise: promise.map(|p| match p {
                        WPromise::LeaderExists => Promise::LeaderExists,
                        WPromise::Leads(id) => Promise::Leads(id),
                        WPromise::KeyEverywhere(key, value) => {
                            Promise::KeyEverywhere { key, value }
                        }
                        WPromise::NoLeaderInMinority => Promise::NoLeaderInMinority,
                        WPromise::ChecksHold => Promise::ChecksHold,
                        WPromise::ChecksBroken => Promise::ChecksBroken,
                    }),
                }
            })
            .collect();
        state.story = Some(Story {
            title: wire.title,
            summary: wire.summary,
            steps,
        });
        Ok(state)
    }
}

/// Version 3 of the wire format: a version-1 run (or a version-2 run and
/// story) and the actions version 1 cannot carry, each with its place among
/// all the actions and its time. Frozen like versions 1 and 2. [`encode`]
/// writes it only for a state that holds such an action.
mod wire_v3 {
    use super::*;

    #[derive(serde::Serialize, serde::Deserialize)]
    pub(super) struct Wire {
        base: Base,
        /// (index among all the actions, time, action), by index.
        extra: Vec<(u64, u64, Extra)>,
    }

    #[derive(serde::Serialize, serde::Deserialize)]
    pub(super) enum Base {
        Run(wire_v1::Wire),
        Story(wire_v2::Wire),
    }

    #[derive(serde::Serialize, serde::Deserialize)]
    enum Extra {
        SetReorder(u32, u64),
        TornCrash(u64, u64),
    }

    impl Wire {
        pub(super) fn from_parts(base: Base, extra: &[(usize, &TimedAction)]) -> Self {
            let extra = extra
                .iter()
                .filter_map(|(i, a)| {
                    let e = match a.action {
                        Action::SetReorder { ppm, max_delay_us } => {
                            Extra::SetReorder(ppm, max_delay_us)
                        }
                        Action::TornCrash { node, steps } => Extra::TornCrash(node, steps as u64),
                        _ => return None,
                    };
                    Some((*i as u64, a.at_us, e))
                })
                .collect();
            Wire { base, extra }
        }
    }

    /// Deserializes version-3 bytes (validation follows in [`super::decode`]).
    pub(super) fn decode(bytes: &[u8]) -> Result<ShareState, LinkError> {
        let wire = wire_v1::take_all::<Wire>(bytes)?;
        let mut state = match wire.base {
            Base::Run(run) => wire_v1::into_state(run)?,
            Base::Story(story) => wire_v2::into_state(story)?,
        };
        let count = state.actions.len() + wire.extra.len();
        if count > MAX_ACTIONS {
            return Err(LinkError::TooManyActions {
                count,
                max: MAX_ACTIONS,
            });
        }
        let mut next = 0u64;
        for (index, at_us, e) in wire.extra {
            // In order, each at a place the actions so far reach.
            if index < next || index > state.actions.len() as u64 {
                return Err(LinkError::Corrupt);
            }
            next = index + 1;
            let action = match e {
                Extra::SetReorder(ppm, max_delay_us) => Action::SetReorder { ppm, max_delay_us },
                Extra::TornCrash(node, steps) => Action::TornCrash {
                    node,
                    steps: usize::try_from(steps)
                        .map_err(|_| out_of_range(String::from("a torn write is too long")))?,
                },
            };
            state
                .actions
                .insert(index as usize, TimedAction::new(at_us, action));
        }
        Ok(state)
    }
}
