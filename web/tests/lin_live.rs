//! The live (incremental) linearizability status always equals what a full
//! check of the current history says, across seeks back, forks and replays.
#![cfg(not(target_arch = "wasm32"))]

use raft_core::check::linearizability;
use raft_core::kv::Op;
use raft_core::sim::Action;
use std::rc::Rc;
use web::state::{LinStatus, Msg, Playground, SimTime, LIN_CHECK_STEPS};
use yew::Reducible;

/// The status a full check of the whole history gives.
fn full_check(p: &Playground) -> LinStatus {
    let timeline = p.timeline.borrow();
    let history = timeline.sim().history();
    let any_completed = history
        .operations()
        .iter()
        .any(|op| op.returned().is_some());
    LinStatus::from_verdict(
        linearizability::check(history, LIN_CHECK_STEPS),
        any_completed,
    )
}

struct Run {
    p: Rc<Playground>,
    seen: Vec<LinStatus>,
}

impl Run {
    fn send(&mut self, msg: Msg) {
        let label = format!("{msg:?}");
        self.p = Rc::clone(&self.p).reduce(msg);
        let expected = full_check(&self.p);
        assert_eq!(self.p.lin, expected, "after {label}");
        self.seen.push(expected);
    }

    /// A user request to node `k % 5 + 1`: SETs and GETs of `x` alternately.
    fn request(&mut self, k: u64) {
        let op = if k % 2 == 0 {
            Op::Get { key: "x".into() }
        } else {
            Op::Set {
                key: "x".into(),
                value: format!("v{k}"),
            }
        };
        let target = Some(k % 5 + 1);
        self.send(Msg::Act(Action::ClientRequest { op, target }));
    }

    /// Runs forward to `to_ms` in 50 ms seeks, with a request every 200 ms.
    fn play(&mut self, from_ms: u64, to_ms: u64, salt: u64) {
        for t in (from_ms..=to_ms).step_by(50).skip(1) {
            self.send(Msg::Seek(SimTime::from_ms(t)));
            if t % 200 == 0 {
                self.request(t / 200 + salt);
            }
        }
    }
}

#[test]
fn live_verdict_matches_the_full_check_across_seeks_and_forks() {
    // A planted bug under which user requests soon break linearizability.
    let scenario = raft_core::scenario::by_id("bug-forget-vote-on-restart").unwrap();
    let mut run = Run {
        p: Rc::new(Playground::from_scenario(scenario)),
        seen: Vec::new(),
    };
    run.play(0, 1_500, 0);
    let violated = |s: &[LinStatus]| s.iter().any(|l| matches!(l, LinStatus::Violation(_)));
    assert!(violated(&run.seen), "the run never broke linearizability");

    // Back before the violation (a rewind), then a different future (a fork).
    run.send(Msg::Seek(SimTime::from_ms(300)));
    assert!(!matches!(run.p.lin, LinStatus::Violation(_)));
    run.request(7);
    run.play(300, 1_200, 3);
    // Back to the start: nothing completed yet.
    run.send(Msg::Seek(SimTime::from_ms(0)));
    assert_eq!(run.p.lin, LinStatus::Empty);
    // Replaying the same branch forward (checkpoints restored on the way).
    run.send(Msg::Seek(SimTime::from_ms(900)));
    run.send(Msg::Seek(SimTime::from_ms(600)));
    run.send(Msg::Seek(SimTime::from_ms(1_100)));
    run.play(1_100, 1_600, 1);
}
