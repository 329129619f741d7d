//! The playground's state and its reducer: one timeline (simulation +
//! checkpoints), playback, selection, and what the user is told.

use crate::flow::cursor::Track;
use crate::flow::Projections;
pub use crate::lin::{LinStatus, LIN_CHECK_STEPS};
use crate::speed::{format_time, speed_log_from_milli, speed_milli_from_log, SPEED_LOG_DEFAULT};
use crate::transfer::ScenarioFile;
use crate::view::settings::Switch;
use raft_core::check::invariants::Property;
use raft_core::scenario::{self, Scenario, Selected, ShareState, Story, TimedAction};
use raft_core::sim::{Action, SimConfig, Timeline};
use raft_core::NodeId;
use std::cell::RefCell;
use std::rc::Rc;
use yew::UseReducerHandle;

/// What the inspector shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Selection {
    /// Nothing selected.
    None,
    /// A node, by id.
    Node(NodeId),
    /// A message in flight, by trace id.
    Message(u64),
}

/// Everything the app renders from. A clone shares the timeline and the
/// projections (both mutated in place) and copies the rest.
#[derive(Clone)]
pub struct Playground {
    /// The simulation with its checkpoints. Shared, mutated in place: cloning
    /// a whole cluster per frame would cost more than rendering it.
    pub timeline: Rc<RefCell<Track>>,
    /// What is folded from the run's trace (feed, requests, chart, live
    /// linearizability, host-page events), brought up to date once per
    /// change. Shared like the timeline, whose trace it follows.
    pub projections: Rc<RefCell<Projections>>,
    /// The configuration the current run started from.
    pub config: SimConfig,
    /// Bumped on every change, so components re-render only when needed.
    pub version: u64,
    /// Bumped for every new run (a reset, another seed, a scenario, a link,
    /// a file): what one run showed says nothing about the next.
    pub run: u64,
    /// Playback running.
    pub playing: bool,
    /// log10 of the playback speed.
    pub speed_log: f64,
    /// Run quiet time (nothing in flight) at
    /// [`QUIET_SPEED_LOG`](crate::speed::QUIET_SPEED_LOG) when the
    /// speed chosen is slower: the wait for a timeout passes quickly,
    /// messages still fly at the chosen speed.
    pub skip_quiet: bool,
    /// The last frame skipped quiet time (the clock says so).
    pub skipping: bool,
    /// Wall time played, ms: the panels off the stage refresh by it.
    pub played_wall_ms: f64,
    /// What the inspector shows.
    pub selected: Selection,
    /// A one-line notice (a fork, a reset).
    pub notice: Option<String>,
    /// An error to show in the banner.
    pub error: Option<String>,
    /// Invariant violations already announced (playback pauses on a new one).
    pub violations_seen: usize,
    /// Every violation met in this run so far, even those later than now
    /// after a seek back (the timeline marks them), oldest first. A fork
    /// drops those later than the fork.
    pub violation_marks: Rc<Vec<ViolationMark>>,
    /// Latest linearizability verdict.
    pub lin: LinStatus,
    /// The keyboard help is open.
    pub show_help: bool,
    /// The guided scenario loaded (the picker marks it).
    pub scenario: Option<Rc<Scenario>>,
    /// The story the narrative tells: the scenario's, a link's or the user's.
    pub story: Option<Rc<Story>>,
    /// The story is the user's (written, edited or from a link): links and
    /// files carry it.
    pub own_story: bool,
    /// The story editor is open.
    pub editing: bool,
    /// The story before the last edit (what Undo restores).
    pub story_undo: Option<Option<Rc<Story>>>,
    /// Per step of the story: what is known of its promise.
    pub promises: Rc<Vec<PromiseStatus>>,
}

/// The playground as last rendered, behind a handle that stays the same
/// from frame to frame: a component that reads the state only when clicked
/// (exports, the share link) takes this and does not re-render every frame.
#[derive(Clone)]
pub struct LatestState(pub Rc<RefCell<UseReducerHandle<Playground>>>);

impl LatestState {
    /// The state now.
    pub fn get(&self) -> UseReducerHandle<Playground> {
        self.0.borrow().clone()
    }
}

impl PartialEq for LatestState {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// Where the run broke a property: a mark on the timeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ViolationMark {
    /// When (virtual microseconds).
    pub time_us: u64,
    /// Which property.
    pub property: Property,
}

/// Virtual time in messages: one unit (microseconds) whatever the source
/// (the slider's milliseconds, a violation's microseconds).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct SimTime(u64);

impl SimTime {
    /// `us` microseconds.
    pub const fn from_us(us: u64) -> SimTime {
        SimTime(us)
    }

    /// `ms` milliseconds.
    pub const fn from_ms(ms: u64) -> SimTime {
        SimTime(ms.saturating_mul(1000))
    }

    /// In microseconds.
    pub const fn us(self) -> u64 {
        self.0
    }
}

/// Everything a user (or the animation driver) can do within a run.
#[derive(Clone, Debug, PartialEq)]
pub enum Msg {
    /// An animation frame: `wall_ms` of real time passed.
    Frame(f64),
    /// Play or pause.
    TogglePlay,
    /// Start playback (host pages: an explicit play, not a toggle).
    Play,
    /// Pause (the tab was hidden, a violation was found, ...).
    Pause,
    /// Run the next simulation event and any others due at the same instant.
    Step,
    /// Go to a virtual time (the timeline slider, a key, a host page).
    Seek(SimTime),
    /// Go to a virtual time and stop there, e.g. a violation's (showing a
    /// node it names).
    GoTo(SimTime),
    /// Set the speed slider (log10 of the speed).
    Speed(f64),
    /// Skip quiet time (or not).
    SkipQuiet(bool),
    /// A user action on the cluster, taken at the current time.
    Act(Action),
    /// Cut the link between two nodes both ways, or heal it if cut either way.
    ToggleLink(NodeId, NodeId),
    /// Select a node or message.
    Select(Selection),
    /// Close the notice or error banner.
    Dismiss,
    /// Open or close the keyboard help.
    ToggleHelp,
    /// Show an error (e.g. a form refused its input).
    Error(String),
    /// Leave this run for another.
    NewRun(NewRun),
    /// Change the story told over the run.
    Story(StoryEdit),
}

/// The ways to start another run.
#[derive(Clone, Debug, PartialEq)]
pub enum NewRun {
    /// The same run again from time zero.
    Reset,
    /// Again with another seed.
    Seed(u64),
    /// Again with a protocol switch turned on or off (same seed).
    Switch(Switch, bool),
    /// A built-in scenario, by id.
    Scenario(String),
    /// A decoded share link.
    Shared(Box<ShareState>),
    /// A scenario file the user picked or dropped (already validated).
    Import {
        /// The file's name, for the notice.
        name: String,
        /// Its contents.
        file: Box<ScenarioFile>,
    },
}

impl Playground {
    /// A new run of `config`, paused at time zero.
    pub fn new(config: SimConfig) -> Playground {
        let (config, timeline, error) = match Timeline::new(config.clone()) {
            Ok(t) => (config, t, None),
            Err(e) => {
                let fallback = SimConfig::default();
                let t =
                    Timeline::new(fallback.clone()).expect("the default configuration is valid");
                (
                    fallback,
                    t,
                    Some(format!("Invalid configuration ({e}); loaded the defaults.")),
                )
            }
        };
        Playground {
            timeline: Rc::new(RefCell::new(Track::new(timeline))),
            projections: Rc::default(),
            config,
            version: 0,
            run: 0,
            playing: false,
            speed_log: SPEED_LOG_DEFAULT,
            skip_quiet: true,
            skipping: false,
            played_wall_ms: 0.0,
            selected: Selection::None,
            notice: None,
            error,
            violations_seen: 0,
            violation_marks: Rc::default(),
            lin: LinStatus::Empty,
            show_help: false,
            scenario: None,
            story: None,
            own_story: false,
            editing: false,
            story_undo: None,
            promises: Rc::default(),
        }
    }

    /// A new run of a guided scenario, paused at time zero.
    pub fn from_scenario(scenario: Scenario) -> Playground {
        let mut p = Playground::new(scenario.config.clone());
        p.schedule(scenario.actions.clone());
        p.set_story(Some(Story::of_scenario(&scenario)), false);
        p.scenario = Some(Rc::new(scenario));
        p
    }

    /// The run a share link describes, replayed to its moment and paused there.
    pub fn from_share(share: ShareState) -> Playground {
        let mut p = Playground::new(share.config.clone());
        p.scenario = share
            .scenario_id
            .as_deref()
            .and_then(scenario::by_id)
            .map(Rc::new);
        p.schedule(share.actions);
        match share.story {
            Some(story) => p.set_story(Some(story), true),
            None => {
                let told = p.scenario.as_deref().map(Story::of_scenario);
                p.set_story(told, false);
            }
        }
        p.speed_log = speed_log_from_milli(share.speed_milli);
        p.selected = match share.selected {
            Some(Selected::Node(id)) => Selection::Node(id),
            Some(Selected::Message(id)) => Selection::Message(id),
            None => Selection::None,
        };
        p.advance_to(share.time_us);
        // A host page hears only of what follows the link's moment.
        let replayed = p.timeline.borrow().sim().trace().total();
        p.projections = Rc::new(RefCell::new(Projections::new(replayed)));
        p.after_change();
        p
    }

    /// What a share link needs to replay this moment exactly.
    pub fn share_state(&self) -> ShareState {
        let timeline = self.timeline.borrow();
        ShareState {
            scenario_id: self.scenario.as_ref().map(|s| s.id.clone()),
            config: self.config.clone(),
            actions: timeline.timed_actions(),
            time_us: timeline.now_us(),
            speed_milli: speed_milli_from_log(self.speed_log),
            selected: match self.selected {
                Selection::Node(id) => Some(Selected::Node(id)),
                Selection::Message(id) => Some(Selected::Message(id)),
                Selection::None => None,
            },
            story: self
                .own_story
                .then(|| self.story.as_deref().cloned())
                .flatten(),
        }
    }

    /// Actions to take when time reaches them (a scenario's, a link's).
    fn schedule(&mut self, actions: Vec<TimedAction>) {
        self.timeline.borrow_mut().schedule(actions);
    }

    /// Travels to `t_us`: forward by running, back by the timeline's seek.
    fn go_to(&mut self, t_us: u64) {
        if t_us > self.now_us() {
            self.advance_to(t_us);
        } else {
            self.timeline.borrow_mut().seek(t_us);
            self.forget_promises_after_now();
            self.check_due_promises();
        }
    }

    /// Runs forward to `t_us`, taking scheduled actions exactly at their
    /// times; says so if the simulation refused one.
    fn advance_to(&mut self, t_us: u64) {
        // A promise is checked at its step's exact moment, however far a
        // frame runs.
        loop {
            let stop = self.next_promise_us(t_us).unwrap_or(t_us);
            let refused = self.timeline.borrow_mut().run_until(stop);
            if let Some(r) = refused.first() {
                self.error = Some(format!("A scripted action was refused: {}.", r.error));
            }
            self.check_due_promises();
            if stop >= t_us {
                break;
            }
        }
    }

    /// Current virtual time.
    pub fn now_us(&self) -> u64 {
        self.timeline.borrow().now_us()
    }

    /// Pauses on a new invariant violation and brings the projections up to
    /// date (linearizability is re-checked when operations completed).
    fn after_change(&mut self) {
        let timeline = self.timeline.borrow();
        let sim = timeline.sim();
        let violations = sim.violations();
        for v in violations.iter().skip(self.violations_seen) {
            let mark = ViolationMark {
                time_us: v.time_us,
                property: v.property,
            };
            if !self.violation_marks.contains(&mark) {
                let mut marks = self.violation_marks.to_vec();
                let at = marks.partition_point(|m| m.time_us <= mark.time_us);
                marks.insert(at, mark);
                self.violation_marks = Rc::new(marks);
            }
        }
        if violations.len() > self.violations_seen {
            let v = &violations[self.violations_seen];
            self.playing = false;
            self.notice = Some(format!(
                "{} violated at {}: {}",
                v.property.as_str(),
                format_time(v.time_us),
                v.message
            ));
            if let Some(&node) = v.nodes.first() {
                self.selected = Selection::Node(node);
            }
        }
        self.violations_seen = violations.len();
        let status = self.projections.borrow_mut().update(&timeline);
        drop(timeline);
        let Some(status) = status else { return };
        if let LinStatus::Violation(explanation) = &status {
            if !matches!(self.lin, LinStatus::Violation(_)) {
                self.playing = false;
                self.notice = Some(format!("Linearizability violated: {explanation}"));
            }
        }
        self.lin = status;
    }
}

impl PartialEq for Playground {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.timeline, &other.timeline) && self.version == other.version
    }
}

/// What the error banner says when the simulation refuses an action.
fn refusal(e: &raft_core::sim::ActionError) -> String {
    format!("That action could not be taken: {e}.")
}

/// What the banner says when an action in the past forks the run.
fn fork_notice(discarded_actions: usize) -> String {
    let lost = match discarded_actions {
        0 => "what followed is replaced by the new branch".to_string(),
        1 => "the 1 later action you had taken was discarded".to_string(),
        n => format!("the {n} later actions you had taken were discarded"),
    };
    format!("You acted in the past: the run forked here, and {lost}.")
}

mod reduce;
mod story;
pub use story::{PromiseStatus, StoryEdit};
#[cfg(test)]
mod tests;
