//! Guided scenarios and share links.
//!
//! A [`Scenario`] is a simulation configuration (which includes the seed),
//! user actions pinned to virtual times, narrative [`Step`]s shown beside the
//! cluster, and machine-checkable [`Expectation`]s: the outcome the story
//! promises. Because the simulator is deterministic, the story happens exactly
//! as told on every run; [`check_expectations`] proves it, and the test suite
//! runs it for every scenario of the [`library()`].
//!
//! [`link`] encodes a shareable state (configuration, actions, moment, speed,
//! selection) as the compact, versioned payload of a `#s=` URL fragment.
//!
//! ```
//! use raft_core::scenario::{self, check_expectations};
//! let s = scenario::by_id("first-election").unwrap();
//! assert_eq!(check_expectations(&s), Ok(()));
//! let tl = s.run_to(1_000_000).unwrap();
//! assert!(tl.sim().leader().is_some());
//! ```
//!
//! ## Adding a scenario
//! Write one small file under `library/` with a `pub(super) fn scenario() ->
//! Scenario`, then add one line to the list in `library/mod.rs`. The test
//! suite checks its expectations and determinism.

mod expect;
pub mod library;
pub mod link;
pub mod story;

pub use expect::{check_expectations, evaluate, Evaluation, Expectation, LIN_CHECK_STEPS};
pub use library::{by_id, ids, library};
pub use link::{decode, encode, LinkError, Selected, ShareState};
pub use story::{Promise, Story, StoryError, StoryStep};

pub use crate::sim::TimedAction;
use crate::sim::{Action, ActionError, ConfigError, SimConfig, Timeline};
use crate::types::TimeUs;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

/// Version of the [`Scenario`] structure (bumped when its meaning changes).
pub const SCENARIO_VERSION: u32 = 1;

/// One narrative step of a guided story (next / previous in the UI).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Step {
    /// The moment this step describes; the UI seeks here.
    pub at_us: TimeUs,
    /// A short heading.
    pub title: String,
    /// A few sentences of explanation.
    pub text: String,
}

impl Step {
    /// A step at `at_us`.
    pub fn new(at_us: TimeUs, title: &str, text: &str) -> Self {
        Step {
            at_us,
            title: title.into(),
            text: text.into(),
        }
    }
}

/// A guided, deterministic story: configuration, timed actions, narrative
/// and the outcome it promises.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Scenario {
    /// Structure version ([`SCENARIO_VERSION`]).
    pub version: u32,
    /// Stable identifier, lowercase with dashes (e.g. `leader-crash`).
    pub id: String,
    /// Human title for the picker.
    pub title: String,
    /// Simulation settings, seed included.
    pub config: SimConfig,
    /// User actions in time order.
    pub actions: Vec<TimedAction>,
    /// Narrative steps in time order.
    pub steps: Vec<Step>,
    /// Where the story ends, microseconds.
    pub end_us: TimeUs,
    /// What is promised to happen by `end_us`.
    pub expect: Vec<Expectation>,
}

/// Why a scenario cannot be run as told.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ScenarioError {
    /// The configuration is invalid.
    Config(ConfigError),
    /// Actions are not in time order (index of the first out of order).
    Unordered {
        /// Index in `actions`.
        index: usize,
    },
    /// An action was refused when replayed.
    Action {
        /// Index in `actions`.
        index: usize,
        /// When.
        at_us: TimeUs,
        /// Why.
        error: ActionError,
    },
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScenarioError::Config(e) => write!(f, "invalid configuration: {e}"),
            ScenarioError::Unordered { index } => {
                write!(f, "action {index} is scheduled before the one preceding it")
            }
            ScenarioError::Action {
                index,
                at_us,
                error,
            } => write!(f, "action {index} at {at_us} us was refused: {error}"),
        }
    }
}

impl Scenario {
    /// A scenario with no actions, steps or expectations.
    pub fn new(id: &str, title: &str, config: SimConfig, end_us: TimeUs) -> Self {
        Scenario {
            version: SCENARIO_VERSION,
            id: id.into(),
            title: title.into(),
            config,
            actions: Vec::new(),
            steps: Vec::new(),
            end_us,
            expect: Vec::new(),
        }
    }

    /// Adds an action at `at_us` (builder style).
    pub fn at(mut self, at_us: TimeUs, action: Action) -> Self {
        self.actions.push(TimedAction::new(at_us, action));
        self
    }

    /// Adds a narrative step (builder style).
    pub fn step(mut self, at_us: TimeUs, title: &str, text: &str) -> Self {
        self.steps.push(Step::new(at_us, title, text));
        self
    }

    /// Adds an expectation (builder style).
    pub fn expect(mut self, e: Expectation) -> Self {
        self.expect.push(e);
        self
    }

    /// A fresh timeline for this scenario at time 0, its actions scheduled
    /// (none taken yet).
    pub fn timeline(&self) -> Result<Timeline, ScenarioError> {
        if let Some(index) =
            (1..self.actions.len()).find(|&i| self.actions[i].at_us < self.actions[i - 1].at_us)
        {
            return Err(ScenarioError::Unordered { index });
        }
        let mut tl = Timeline::new(self.config.clone()).map_err(ScenarioError::Config)?;
        tl.schedule(self.actions.clone());
        Ok(tl)
    }

    /// A timeline that has run to `t_us` with every action due by then taken.
    /// Refused actions are skipped silently (use [`check_expectations`] to
    /// find them).
    pub fn run_to(&self, t_us: TimeUs) -> Result<Timeline, ScenarioError> {
        let mut tl = self.timeline()?;
        tl.run_until(t_us);
        Ok(tl)
    }

    /// The index of the narrative step shown at `t_us` (the last one that
    /// started at or before it), if any.
    pub fn step_at(&self, t_us: TimeUs) -> Option<usize> {
        self.steps.iter().rposition(|s| s.at_us <= t_us)
    }

    /// A share state for this scenario at `time_us` (speed 1×, nothing selected).
    pub fn share_state(&self, time_us: TimeUs) -> ShareState {
        ShareState {
            scenario_id: Some(self.id.clone()),
            config: self.config.clone(),
            actions: self.actions.clone(),
            time_us,
            speed_milli: 1_000,
            selected: None,
            story: None,
        }
    }
}
