//! The story told over the run: a built-in scenario's, or one the user
//! writes in the page. Edits, their undo, and the promises checked at their
//! steps' exact moments.

use super::Playground;
use raft_core::scenario::{Promise, Story, StoryStep};
use std::rc::Rc;

/// What is known of a step's promise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PromiseStatus {
    /// Its moment is still ahead (or was edited after it passed).
    Pending,
    /// It held at its moment.
    Kept,
    /// It did not.
    Broken,
}

impl PromiseStatus {
    /// The `data-status` hook: `pending`, `ok` or `failed`.
    pub fn as_str(self) -> &'static str {
        match self {
            PromiseStatus::Pending => "pending",
            PromiseStatus::Kept => "ok",
            PromiseStatus::Broken => "failed",
        }
    }
}

/// A change to the story, from the editor.
#[derive(Clone, Debug, PartialEq)]
pub enum StoryEdit {
    /// Enter or leave edit mode (entering starts a story if there is none,
    /// or makes a built-in one the user's own to change).
    Toggle,
    /// Retitle the story.
    Title(String),
    /// Its one-line summary.
    Summary(String),
    /// Save a step: a new one at the current moment (`index` `None`) or
    /// step `index` with new words (its moment kept).
    Save {
        /// Which step, or a new one.
        index: Option<usize>,
        /// Its title.
        title: String,
        /// Its text.
        text: String,
        /// What it promises.
        promise: Option<Promise>,
    },
    /// Delete step `index`.
    Delete(usize),
    /// Move step `index` to the current moment.
    MoveHere(usize),
    /// Undo the last edit.
    Undo,
}

/// The story the editor starts from when there is none.
fn blank() -> Story {
    Story {
        title: "My story".to_string(),
        ..Story::default()
    }
}

impl Playground {
    /// Applies an edit; one the limits refuse changes nothing and says why.
    pub(super) fn edit_story(&mut self, edit: StoryEdit) -> bool {
        let now = self.now_us();
        let mut story = self.story.as_deref().cloned().unwrap_or_else(blank);
        match edit {
            StoryEdit::Toggle => {
                self.editing = !self.editing;
                if self.editing && !self.own_story {
                    self.set_story(Some(story), true);
                }
                return true;
            }
            StoryEdit::Undo => {
                if let Some(previous) = self.story_undo.take() {
                    self.set_story(previous.map(|s| (*s).clone()), true);
                }
                return true;
            }
            StoryEdit::Title(title) => story.title = title,
            StoryEdit::Summary(summary) => story.summary = summary,
            StoryEdit::Save {
                index,
                title,
                text,
                promise,
            } => {
                let step = StoryStep {
                    at_us: now,
                    title,
                    text,
                    promise,
                };
                match index.and_then(|i| story.steps.get_mut(i)) {
                    Some(old) => {
                        *old = StoryStep {
                            at_us: old.at_us,
                            ..step
                        }
                    }
                    None => {
                        story.insert(step);
                    }
                }
            }
            StoryEdit::Delete(i) if i < story.steps.len() => {
                story.steps.remove(i);
            }
            StoryEdit::MoveHere(i) if i < story.steps.len() => {
                let mut step = story.steps.remove(i);
                step.at_us = now;
                story.insert(step);
            }
            StoryEdit::Delete(_) | StoryEdit::MoveHere(_) => return false,
        }
        let max_nodes = self.timeline.borrow().sim().node_ids().len();
        if let Err(e) = story.validate(max_nodes) {
            self.error = Some(format!("That story edit was refused: {e}."));
            return true;
        }
        self.story_undo = Some(self.story.clone());
        self.set_story(Some(story), true);
        true
    }

    /// Tells `story` from now on (`own`: the user's, carried in links);
    /// what is known of its promises is kept for the steps that did not change.
    pub(super) fn set_story(&mut self, story: Option<Story>, own: bool) {
        let old = self.story.clone();
        let known = |step: &StoryStep| {
            let old = old.as_deref()?;
            let i = old
                .steps
                .iter()
                .position(|s| s.at_us == step.at_us && s.promise == step.promise)?;
            self.promises.get(i).copied()
        };
        let statuses = story
            .as_ref()
            .map(|s| {
                s.steps
                    .iter()
                    .map(|st| known(st).unwrap_or(PromiseStatus::Pending))
                    .collect()
            })
            .unwrap_or_default();
        self.promises = Rc::new(statuses);
        self.story = story.map(Rc::new);
        self.own_story = own;
        self.check_due_promises();
    }

    /// Checks the pending promises of the steps at the current moment.
    pub(super) fn check_due_promises(&mut self) {
        let Some(story) = self.story.clone() else {
            return;
        };
        let now = self.now_us();
        let timeline = self.timeline.borrow();
        let mut statuses = None;
        for (i, step) in story.steps.iter().enumerate() {
            let Some(promise) = &step.promise else {
                continue;
            };
            if step.at_us == now && self.promises.get(i) == Some(&PromiseStatus::Pending) {
                let held = promise.holds(timeline.sim());
                let s = statuses.get_or_insert_with(|| self.promises.to_vec());
                s[i] = if held {
                    PromiseStatus::Kept
                } else {
                    PromiseStatus::Broken
                };
            }
        }
        drop(timeline);
        if let Some(s) = statuses {
            self.promises = Rc::new(s);
        }
    }

    /// The moment of the first pending promise in `now..=t_us`: running
    /// stops there so the promise is checked at its exact moment.
    pub(super) fn next_promise_us(&self, t_us: u64) -> Option<u64> {
        let story = self.story.as_ref()?;
        let now = self.now_us();
        story
            .steps
            .iter()
            .zip(self.promises.iter())
            .filter(|(s, status)| {
                s.promise.is_some()
                    && **status == PromiseStatus::Pending
                    && (now..=t_us).contains(&s.at_us)
            })
            .map(|(s, _)| s.at_us)
            .min()
    }

    /// After an action at the current moment: promises of steps at this
    /// moment are checked again, after it (as a replay of the run, which
    /// takes a moment's actions before its promises, would).
    pub(super) fn recheck_promises_now(&mut self) {
        let now = self.now_us();
        self.forget_promises(|at_us| at_us == now);
        self.check_due_promises();
    }

    /// After travelling back (or forking) to now: what was checked later
    /// than now belongs to a future that is gone or will be replayed.
    pub(super) fn forget_promises_after_now(&mut self) {
        let now = self.now_us();
        self.forget_promises(|at_us| at_us > now);
    }

    /// Makes pending again the checked promises of the steps whose moment
    /// `forget` picks.
    fn forget_promises(&mut self, forget: impl Fn(u64) -> bool) {
        let Some(story) = self.story.as_ref() else {
            return;
        };
        let known = |(s, st): (&StoryStep, &PromiseStatus)| {
            s.promise.is_some() && forget(s.at_us) && *st != PromiseStatus::Pending
        };
        if !story.steps.iter().zip(self.promises.iter()).any(known) {
            return;
        }
        self.promises = Rc::new(
            story
                .steps
                .iter()
                .zip(self.promises.iter())
                .map(|(s, st)| {
                    if forget(s.at_us) {
                        PromiseStatus::Pending
                    } else {
                        *st
                    }
                })
                .collect(),
        );
    }
}
