//! The reducer: a table from messages to small functions. A new run is
//! built apart ([`Playground::start`]); an in-run message changes a copy of
//! the state, and says whether it changed anything.

use super::{fork_notice, refusal, Msg, NewRun, Playground, Selection, SimTime};
use crate::speed::{
    virtual_us_for, wall_ms_for, MAX_FRAME_GAP_MS, QUIET_SPEED_LOG, SPEED_LOG_MAX, SPEED_LOG_MIN,
};
use crate::transfer;
use raft_core::scenario;
use raft_core::sim::{Action, SimConfig};
use raft_core::NodeId;
use std::rc::Rc;
use yew::Reducible;

impl Reducible for Playground {
    type Action = Msg;

    fn reduce(self: Rc<Self>, msg: Msg) -> Rc<Self> {
        let mut next = (*self).clone();
        let changed = match msg {
            Msg::NewRun(run) => return Rc::new(self.start(run)),
            Msg::Frame(wall_ms) => next.frame(wall_ms),
            Msg::TogglePlay => next.set_playing(!self.playing),
            Msg::Play => next.set_playing(true),
            Msg::Pause => next.pause(),
            Msg::Step => next.step(),
            Msg::Seek(t) => next.seek(t),
            Msg::GoTo(t) => next.go_to_violation(t),
            Msg::Speed(log) => next.set_speed(log),
            Msg::SkipQuiet(on) => next.set_skip_quiet(on),
            Msg::Act(action) => next.act(action),
            Msg::ToggleLink(a, b) => next.toggle_link(a, b),
            Msg::Select(selection) => next.select(selection),
            Msg::Dismiss => next.dismiss(),
            Msg::ToggleHelp => next.toggle_help(),
            Msg::Error(text) => next.show_error(text),
            Msg::Story(edit) => next.edit_story(edit),
        };
        if !changed {
            return self;
        }
        next.version += 1;
        next.after_change();
        Rc::new(next)
    }
}

impl Playground {
    /// A new run, as the successor of this one.
    fn start(&self, run: NewRun) -> Playground {
        let next = match run {
            NewRun::Reset => self.restarted(self.config.clone(), "Reset to time zero.".into()),
            NewRun::Seed(seed) => {
                let config = SimConfig {
                    seed,
                    ..self.config.clone()
                };
                self.restarted(config, format!("New run with seed {seed}."))
            }
            NewRun::Switch(switch, on) => self.restarted(
                switch.apply(&self.config, on),
                "Settings changed: the run restarted from time zero with the same seed.".into(),
            ),
            NewRun::Scenario(id) => {
                let mut next = match scenario::by_id(&id) {
                    Some(s) => Playground::from_scenario(s),
                    None => {
                        let mut p = Playground::new(SimConfig::default());
                        p.error = Some(format!(
                            "There is no scenario \"{id}\"; loaded the default."
                        ));
                        p
                    }
                };
                next.speed_log = self.speed_log;
                next
            }
            NewRun::Shared(share) => Playground::from_share(*share),
            NewRun::Import { name, file } => {
                let mut next = Playground::from_share(file.state.clone());
                let hash = next.timeline.borrow().sim().trace_hash();
                let loaded = transfer::loaded_notice(&name, &file, hash);
                // Keep a violation the replay ran into, after saying what loaded.
                next.notice = Some(match next.notice.take() {
                    Some(violation) => format!("{loaded} {violation}"),
                    None => loaded,
                });
                next
            }
        };
        self.succeeded_by(next)
    }

    /// `next`, a new run, as the successor of `self`: a new version and a
    /// new run number for the renderer.
    fn succeeded_by(&self, mut next: Playground) -> Playground {
        next.version = self.version + 1;
        next.skip_quiet = self.skip_quiet;
        next.run = self.run + 1;
        next
    }

    /// The same scenario (if the configuration is still its own) started
    /// again from `config`, at the same speed.
    fn restarted(&self, config: SimConfig, notice: String) -> Playground {
        let mut next = Playground::new(config.clone());
        next.speed_log = self.speed_log;
        next.notice = Some(notice);
        if let Some(scenario) = &self.scenario {
            if scenario.config == config {
                next.schedule(self.timeline.borrow().scheduled().to_vec());
                next.scenario = Some(Rc::clone(scenario));
                next.set_story(self.story.as_deref().cloned(), self.own_story);
            }
        }
        if self.own_story && next.story.is_none() {
            next.set_story(self.story.as_deref().cloned(), true);
        }
        next.editing = self.editing && next.own_story;
        next
    }

    /// `wall_ms` of real time passed while playing.
    fn frame(&mut self, wall_ms: f64) -> bool {
        if !self.playing {
            return false;
        }
        let mut wall_ms = wall_ms.clamp(0.0, MAX_FRAME_GAP_MS);
        self.played_wall_ms += wall_ms;
        let skipping = self.skip_quiet && self.speed_log < QUIET_SPEED_LOG;
        let quiet_ms = if skipping {
            self.skip_quiet_time(wall_ms)
        } else {
            0.0
        };
        wall_ms -= quiet_ms;
        let dt = virtual_us_for(wall_ms, self.speed_log);
        if quiet_ms == 0.0 && dt == 0 && !self.skipping {
            return false;
        }
        self.skipping = quiet_ms > 0.0;
        self.advance_to(self.now_us() + dt);
        true
    }

    /// Runs quiet time (no message and no client request in flight) at [`QUIET_SPEED_LOG`] for at
    /// most `wall_ms`, stopping at the first event that sends something;
    /// returns the wall time so spent.
    fn skip_quiet_time(&mut self, wall_ms: f64) -> f64 {
        // Each round runs to the next event: a bound on rounds per frame
        // keeps a burst of events that send nothing from stalling a frame.
        const MAX_QUIET_ROUNDS: usize = 64;
        let mut spent_ms = 0.0;
        for _ in 0..MAX_QUIET_ROUNDS {
            let (quiet, next) = {
                let t = self.timeline.borrow();
                // A request on its way to a node is drawn too: not quiet.
                let sim = t.sim();
                (
                    sim.in_flight_count() == 0 && sim.client_hop_count() == 0,
                    sim.next_event_time(),
                )
            };
            let left_ms = wall_ms - spent_ms;
            if !quiet || left_ms <= 0.0 {
                break;
            }
            let now = self.now_us();
            let until = now + virtual_us_for(left_ms, QUIET_SPEED_LOG);
            match next {
                Some(next) if next <= until => {
                    spent_ms += wall_ms_for(next.saturating_sub(now), QUIET_SPEED_LOG);
                    self.advance_to(next.max(now));
                }
                _ => {
                    self.advance_to(until);
                    spent_ms = wall_ms;
                }
            }
        }
        spent_ms.min(wall_ms)
    }

    fn set_playing(&mut self, playing: bool) -> bool {
        self.playing = playing;
        true
    }

    fn pause(&mut self) -> bool {
        std::mem::replace(&mut self.playing, false)
    }

    /// The next event, and any others due at the same instant.
    fn step(&mut self) -> bool {
        self.playing = false;
        self.timeline.borrow_mut().step();
        true
    }

    fn seek(&mut self, t: SimTime) -> bool {
        self.go_to(t.us());
        true
    }

    /// Stops at `t`; at a violation, shows the first node it names.
    fn go_to_violation(&mut self, t: SimTime) -> bool {
        self.playing = false;
        self.go_to(t.us());
        let first = self
            .timeline
            .borrow()
            .sim()
            .violations()
            .iter()
            .rev()
            .find(|v| v.time_us == t.us())
            .and_then(|v| v.nodes.first().copied());
        if let Some(node) = first {
            self.selected = Selection::Node(node);
        }
        true
    }

    fn set_skip_quiet(&mut self, on: bool) -> bool {
        self.skip_quiet = on;
        self.skipping &= on;
        true
    }

    fn set_speed(&mut self, log: f64) -> bool {
        self.speed_log = log.clamp(SPEED_LOG_MIN, SPEED_LOG_MAX);
        true
    }

    /// A user action now; one in the past forks the run.
    fn act(&mut self, action: Action) -> bool {
        let result = self.timeline.borrow_mut().act(action);
        match result {
            Ok(outcome) if outcome.forked => {
                self.forget_promises_after_now();
                let now = self.now_us();
                if self.violation_marks.iter().any(|m| m.time_us > now) {
                    self.violation_marks = Rc::new(
                        self.violation_marks
                            .iter()
                            .filter(|m| m.time_us <= now)
                            .copied()
                            .collect(),
                    );
                }
                self.notice = Some(fork_notice(outcome.discarded_actions));
            }
            Ok(_) => {}
            Err(e) => self.error = Some(refusal(&e)),
        }
        self.recheck_promises_now();
        true
    }

    /// Cuts the link between `a` and `b` both ways, or heals it if cut either way.
    fn toggle_link(&mut self, a: NodeId, b: NodeId) -> bool {
        let cut = {
            let t = self.timeline.borrow();
            t.sim().is_cut(a, b) || t.sim().is_cut(b, a)
        };
        let actions = if cut {
            [
                Action::HealLink { from: a, to: b },
                Action::HealLink { from: b, to: a },
            ]
        } else {
            [
                Action::CutLink { from: a, to: b },
                Action::CutLink { from: b, to: a },
            ]
        };
        for action in actions {
            if let Err(e) = self.timeline.borrow_mut().act(action) {
                self.error = Some(refusal(&e));
            }
        }
        self.recheck_promises_now();
        true
    }

    fn select(&mut self, selection: Selection) -> bool {
        self.selected = selection;
        true
    }

    fn dismiss(&mut self) -> bool {
        self.notice = None;
        self.error = None;
        true
    }

    fn toggle_help(&mut self) -> bool {
        self.show_help = !self.show_help;
        true
    }

    fn show_error(&mut self, text: String) -> bool {
        self.error = Some(text);
        true
    }
}
