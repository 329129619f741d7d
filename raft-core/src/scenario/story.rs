//! Stories anyone can write: a title, a one-line summary and captions
//! pinned to moments of a run, each optionally carrying a [`Promise`] that
//! is checked when the story plays.
//!
//! A story travels with the run it tells (in a share link, an embed or an
//! exported file), so it is bounded like everything else a link carries
//! ([`MAX_STEPS`], [`MAX_TEXT_CHARS`]) and its text is plain text: no
//! control characters but line breaks, and the page renders it as text.

use super::Scenario;
use crate::sim::Sim;
use crate::types::{NodeId, TimeUs};
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

/// Most steps a story may have.
pub const MAX_STEPS: usize = 32;
/// Most characters of text in a whole story (its title, its summary and
/// every step's title and text together).
pub const MAX_TEXT_CHARS: usize = 2_000;
/// Most characters of a story's or a step's title.
pub const MAX_TITLE_CHARS: usize = 80;
/// Most characters of a promised key or value.
pub const MAX_PROMISE_CHARS: usize = 64;

/// A told run: what the narrative panel shows, step by step.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Story {
    /// Its title.
    pub title: String,
    /// One line saying what it shows.
    pub summary: String,
    /// Its captions, in time order.
    pub steps: Vec<StoryStep>,
}

/// One caption of a [`Story`], shown from its moment until the next one's.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StoryStep {
    /// Its moment, virtual microseconds.
    pub at_us: TimeUs,
    /// A few words.
    pub title: String,
    /// What to look at.
    pub text: String,
    /// What must be true at its moment, if anything.
    pub promise: Option<Promise>,
}

/// Something a step promises about the run at its moment: the expectations
/// the built-in stories rely on, in a form a writer can pick from a list.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Promise {
    /// Some running node leads.
    LeaderExists,
    /// This node leads (the running leader of the highest term).
    Leads(NodeId),
    /// Every running node has applied `key` = `value`.
    KeyEverywhere {
        /// The key.
        key: String,
        /// Its value.
        value: String,
    },
    /// No running leader is cut off from a majority of the cluster: a
    /// leader in a minority cannot commit, and would make this false.
    NoLeaderInMinority,
    /// The invariant checkers have found no violation so far.
    ChecksHold,
    /// The invariant checkers have found a violation.
    ChecksBroken,
}

impl Promise {
    /// Whether it holds in `sim` now.
    pub fn holds(&self, sim: &Sim) -> bool {
        match self {
            Promise::LeaderExists => sim.leader().is_some(),
            Promise::Leads(id) => sim.leader() == Some(*id),
            Promise::KeyEverywhere { key, value } => {
                let mut stores = sim.node_ids().into_iter().filter_map(|id| sim.store(id));
                let mut any = false;
                let all = stores.all(|s| {
                    any = true;
                    s.get(key) == Some(value.as_str())
                });
                any && all
            }
            Promise::NoLeaderInMinority => {
                let ids = sim.node_ids();
                ids.iter().filter(|&&id| sim.leader_of(id)).all(|&leader| {
                    let reachable = ids
                        .iter()
                        .filter(|&&b| {
                            b == leader || !(sim.is_cut(leader, b) || sim.is_cut(b, leader))
                        })
                        .count();
                    reachable * 2 > ids.len()
                })
            }
            Promise::ChecksHold => sim.violations().is_empty(),
            Promise::ChecksBroken => !sim.violations().is_empty(),
        }
    }

    fn text_chars(&self) -> usize {
        match self {
            Promise::KeyEverywhere { key, value } => key.chars().count() + value.chars().count(),
            _ => 0,
        }
    }
}

impl fmt::Display for Promise {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Promise::LeaderExists => f.write_str("a leader exists"),
            Promise::Leads(id) => write!(f, "S{id} leads"),
            Promise::KeyEverywhere { key, value } => {
                write!(f, "every running node has {key}={value}")
            }
            Promise::NoLeaderInMinority => f.write_str("no leader is cut off in a minority"),
            Promise::ChecksHold => f.write_str("the checkers are green"),
            Promise::ChecksBroken => f.write_str("a checker is red"),
        }
    }
}

/// Why a story cannot be carried: one plain sentence each.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoryError {
    /// More steps than [`MAX_STEPS`].
    TooManySteps {
        /// Steps in the story.
        count: usize,
    },
    /// More text than [`MAX_TEXT_CHARS`].
    TooMuchText {
        /// Characters in the story.
        chars: usize,
    },
    /// A title longer than [`MAX_TITLE_CHARS`].
    TitleTooLong {
        /// Which: `None` for the story's own, else the step's index.
        step: Option<usize>,
    },
    /// A control character (other than a line break) in the text.
    ControlCharacter {
        /// Which step (`None`: the title or summary).
        step: Option<usize>,
    },
    /// Steps out of time order, or one beyond the one-hour limit.
    BadMoment {
        /// The step's index.
        step: usize,
    },
    /// A promise names a node the cluster never has, or a key or value
    /// that is empty or longer than [`MAX_PROMISE_CHARS`].
    BadPromise {
        /// The step's index.
        step: usize,
    },
}

impl fmt::Display for StoryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let which = |step: &Option<usize>| match step {
            None => String::from("the story's"),
            Some(i) => format!("step {}'s", i + 1),
        };
        match self {
            StoryError::TooManySteps { count } => write!(
                f,
                "the story has {count} steps; at most {MAX_STEPS} are allowed"
            ),
            StoryError::TooMuchText { chars } => write!(
                f,
                "the story has {chars} characters of text; at most {MAX_TEXT_CHARS} are allowed"
            ),
            StoryError::TitleTooLong { step } => write!(
                f,
                "{} title is longer than {MAX_TITLE_CHARS} characters",
                which(step)
            ),
            StoryError::ControlCharacter { step } => {
                write!(f, "{} text holds a control character", which(step))
            }
            StoryError::BadMoment { step } => write!(
                f,
                "step {} is before the one preceding it or beyond the one-hour limit",
                step + 1
            ),
            StoryError::BadPromise { step } => write!(
                f,
                "step {}'s promise names a node the cluster does not have, or an empty or overlong key or value",
                step + 1
            ),
        }
    }
}

impl core::error::Error for StoryError {}

/// No control characters but line breaks (tabs become spaces in a caption anyway).
fn plain(text: &str) -> bool {
    !text.chars().any(|c| c.is_control() && c != '\n')
}

impl Story {
    /// The story a built-in scenario tells (its title and captions, no
    /// promises: its expectations are checked by the test suite instead).
    pub fn of_scenario(s: &Scenario) -> Story {
        Story {
            title: s.title.clone(),
            summary: String::new(),
            steps: s
                .steps
                .iter()
                .map(|st| StoryStep {
                    at_us: st.at_us,
                    title: st.title.clone(),
                    text: st.text.clone(),
                    promise: None,
                })
                .collect(),
        }
    }

    /// The index of the step shown at `t_us` (the last one that started at
    /// or before it), if any.
    pub fn step_at(&self, t_us: TimeUs) -> Option<usize> {
        self.steps.iter().rposition(|s| s.at_us <= t_us)
    }

    /// Characters of text in all (what [`MAX_TEXT_CHARS`] bounds).
    pub fn text_chars(&self) -> usize {
        self.title.chars().count()
            + self.summary.chars().count()
            + self
                .steps
                .iter()
                .map(|s| {
                    s.title.chars().count()
                        + s.text.chars().count()
                        + s.promise.as_ref().map_or(0, Promise::text_chars)
                })
                .sum::<usize>()
    }

    /// Checks the limits, for a cluster that has at most `max_nodes` nodes
    /// in the run (node ids 1 to `max_nodes`).
    pub fn validate(&self, max_nodes: usize) -> Result<(), StoryError> {
        if self.steps.len() > MAX_STEPS {
            return Err(StoryError::TooManySteps {
                count: self.steps.len(),
            });
        }
        let chars = self.text_chars();
        if chars > MAX_TEXT_CHARS {
            return Err(StoryError::TooMuchText { chars });
        }
        if self.title.chars().count() > MAX_TITLE_CHARS {
            return Err(StoryError::TitleTooLong { step: None });
        }
        if !plain(&self.title) || !plain(&self.summary) {
            return Err(StoryError::ControlCharacter { step: None });
        }
        let mut last = 0;
        for (i, s) in self.steps.iter().enumerate() {
            if s.title.chars().count() > MAX_TITLE_CHARS {
                return Err(StoryError::TitleTooLong { step: Some(i) });
            }
            if !plain(&s.title) || !plain(&s.text) {
                return Err(StoryError::ControlCharacter { step: Some(i) });
            }
            if s.at_us < last || s.at_us > super::link::MAX_LINK_TIME_US {
                return Err(StoryError::BadMoment { step: i });
            }
            last = s.at_us;
            let promise_ok = match &s.promise {
                Some(Promise::Leads(id)) => *id >= 1 && *id <= max_nodes as NodeId,
                Some(Promise::KeyEverywhere { key, value }) => {
                    let fits = |t: &String| {
                        !t.is_empty() && t.chars().count() <= MAX_PROMISE_CHARS && plain(t)
                    };
                    fits(key) && fits(value)
                }
                _ => true,
            };
            if !promise_ok {
                return Err(StoryError::BadPromise { step: i });
            }
        }
        Ok(())
    }

    /// Adds `step` in time order (after any step at the same moment);
    /// returns its index.
    pub fn insert(&mut self, step: StoryStep) -> usize {
        let at = self.steps.partition_point(|s| s.at_us <= step.at_us);
        self.steps.insert(at, step);
        at
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{Action, SimConfig, Timeline};
    use alloc::string::ToString;
    use alloc::vec;

    fn step(at_us: TimeUs, promise: Option<Promise>) -> StoryStep {
        StoryStep {
            at_us,
            title: "t".into(),
            text: "x".into(),
            promise,
        }
    }

    #[test]
    fn limits_are_explicit() {
        let mut s = Story {
            title: "A story".into(),
            summary: "One line".into(),
            steps: vec![step(0, None); MAX_STEPS],
        };
        assert_eq!(s.validate(5), Ok(()));
        s.steps.push(step(0, None));
        assert_eq!(
            s.validate(5),
            Err(StoryError::TooManySteps {
                count: MAX_STEPS + 1
            })
        );
        s.steps.truncate(2);
        s.steps[1].text = "é".repeat(MAX_TEXT_CHARS);
        assert!(matches!(s.validate(5), Err(StoryError::TooMuchText { .. })));
        s.steps[1].text = "line one\nline two".into();
        assert_eq!(s.validate(5), Ok(()));
        s.steps[1].text = "bell\u{7}".into();
        assert_eq!(
            s.validate(5),
            Err(StoryError::ControlCharacter { step: Some(1) })
        );
        s.steps[1].text = "ok".into();
        s.steps[0].at_us = 10;
        assert_eq!(s.validate(5), Err(StoryError::BadMoment { step: 1 }));
        s.steps[0].at_us = 0;
        s.steps[1].promise = Some(Promise::Leads(6));
        assert_eq!(s.validate(5), Err(StoryError::BadPromise { step: 1 }));
        assert_eq!(s.validate(6), Ok(()));
        s.title = "x".repeat(MAX_TITLE_CHARS + 1);
        assert_eq!(s.validate(6), Err(StoryError::TitleTooLong { step: None }));
        assert!(StoryError::TooManySteps { count: 40 }
            .to_string()
            .contains("at most 32"));
    }

    #[test]
    fn steps_are_inserted_in_time_order() {
        let mut s = Story::default();
        assert_eq!(s.insert(step(200, None)), 0);
        assert_eq!(s.insert(step(100, None)), 0);
        assert_eq!(s.insert(step(200, None)), 2);
        assert_eq!(s.step_at(150), Some(0));
        assert_eq!(s.step_at(99), None);
        assert_eq!(s.step_at(5_000), Some(2));
    }

    #[test]
    fn promises_read_the_run() {
        let mut t = Timeline::new(SimConfig::with_seed(3)).unwrap();
        let quiet = t.sim().clone();
        assert!(!Promise::LeaderExists.holds(&quiet));
        assert!(Promise::ChecksHold.holds(&quiet));
        assert!(!Promise::ChecksBroken.holds(&quiet));
        t.run_until(2_000_000);
        let leader = t.sim().leader().expect("a leader by 2 s");
        assert!(Promise::LeaderExists.holds(t.sim()));
        assert!(Promise::Leads(leader).holds(t.sim()));
        assert!(!Promise::Leads(leader % 5 + 1).holds(t.sim()));
        assert!(Promise::NoLeaderInMinority.holds(t.sim()));
        let set = Promise::KeyEverywhere {
            key: "x".into(),
            value: "1".into(),
        };
        assert!(!set.holds(t.sim()));
        t.act(Action::ClientRequest {
            op: crate::kv::Op::Set {
                key: "x".into(),
                value: "1".into(),
            },
            target: None,
        })
        .unwrap();
        t.run_until(3_000_000);
        assert!(set.holds(t.sim()));
        // The leader alone on its side: in a minority.
        let others: Vec<NodeId> = (1..=5).filter(|&n| n != leader).collect();
        t.act(Action::Partition(vec![vec![leader], others]))
            .unwrap();
        assert!(!Promise::NoLeaderInMinority.holds(t.sim()));
    }
}
