//! Every built-in scenario tells its story: its promises hold, the run is
//! deterministic, each planted-bug scenario is caught and its bug-free twin
//! is not.

use raft_core::raft::Bugs;
use raft_core::scenario::{self, check_expectations, evaluate, Expectation, Scenario};

const IDS: [&str; 17] = [
    "first-election",
    "log-replication",
    "leader-crash",
    "split-vote",
    "network-partition",
    "log-reconciliation",
    "figure-8",
    "figure-8-bug",
    "prevote",
    "check-quorum",
    "leader-transfer",
    "membership-change",
    "snapshot-catch-up",
    "linearizable-reads",
    "bug-vote-without-log-check",
    "bug-forget-vote-on-restart",
    "bug-skip-consistency-check",
];

fn bug_scenarios() -> Vec<Scenario> {
    scenario::library()
        .into_iter()
        .filter(|s| s.config.bugs.any())
        .collect()
}

#[test]
fn library_lists_every_story_once_in_order() {
    assert_eq!(scenario::ids(), IDS);
    for id in IDS {
        let s = scenario::by_id(id).unwrap();
        assert_eq!(s.id, id);
        assert_eq!(s.version, scenario::SCENARIO_VERSION);
        assert!(!s.title.is_empty() && !s.steps.is_empty() && !s.expect.is_empty());
        assert!(s.steps.windows(2).all(|w| w[0].at_us <= w[1].at_us), "{id}");
        assert!(
            s.actions.windows(2).all(|w| w[0].at_us <= w[1].at_us),
            "{id}"
        );
        assert!(s.steps.iter().all(|st| st.at_us <= s.end_us), "{id}");
        s.config.validate().unwrap();
    }
    assert!(scenario::by_id("no-such-story").is_none());
}

#[test]
fn every_scenario_keeps_its_promises() {
    let mut failed = Vec::new();
    for s in scenario::library() {
        if let Err(e) = check_expectations(&s) {
            failed.push(format!("{}: {e}", s.id));
        }
    }
    assert!(failed.is_empty(), "{failed:#?}");
}

#[test]
fn bug_scenarios_are_caught_and_their_twins_are_clean() {
    let bugs = bug_scenarios();
    assert_eq!(bugs.len(), 4, "one per planted bug");
    let mut covered = Bugs::default();
    for s in bugs {
        let b = s.config.bugs;
        covered.commit_old_term |= b.commit_old_term;
        covered.vote_without_log_check |= b.vote_without_log_check;
        covered.forget_vote_on_restart |= b.forget_vote_on_restart;
        covered.skip_consistency_check |= b.skip_consistency_check;
        assert!(
            s.expect
                .iter()
                .any(|e| matches!(e, Expectation::ViolationOf { .. })),
            "{} promises a violation",
            s.id
        );
        let caught = evaluate(&s);
        assert!(!caught.violations.is_empty(), "{}: bug not caught", s.id);
        let mut twin = s.clone();
        twin.config.bugs = Bugs::default();
        let clean = evaluate(&twin);
        assert!(
            clean.violations.is_empty(),
            "{} without the bug: {:?}",
            s.id,
            clean.violations
        );
    }
    assert!(
        covered.commit_old_term
            && covered.vote_without_log_check
            && covered.forget_vote_on_restart
            && covered.skip_consistency_check
    );
}

#[test]
fn figure_8_twins_share_their_schedule() {
    let ok = scenario::by_id("figure-8").unwrap();
    let bug = scenario::by_id("figure-8-bug").unwrap();
    assert_eq!(ok.actions, bug.actions);
    assert!(!ok.config.bugs.any() && bug.config.bugs.commit_old_term);
    assert!(evaluate(&ok).violations.is_empty());
    assert!(!evaluate(&bug).violations.is_empty());
}

#[test]
fn scenarios_are_deterministic_and_replay_through_seek() {
    for id in ["network-partition", "leader-crash", "membership-change"] {
        let s = scenario::by_id(id).unwrap();
        let a = s.run_to(s.end_us).unwrap();
        let b = s.run_to(s.end_us).unwrap();
        assert_eq!(a.sim().trace_hash(), b.sim().trace_hash(), "{id}");
        assert_eq!(evaluate(&s).trace_hash, a.sim().trace_hash(), "{id}");
        // Seeking back and forth on the recorded timeline reproduces the run.
        let mut tl = a.clone();
        tl.seek(s.end_us / 3);
        let mid = s.run_to(s.end_us / 3).unwrap();
        assert_eq!(tl.sim().trace_hash(), mid.sim().trace_hash(), "{id}");
        tl.seek(s.end_us);
        assert_eq!(tl.sim().trace_hash(), a.sim().trace_hash(), "{id}");
    }
}

#[test]
fn scenario_serializes_with_serde() {
    let s = scenario::by_id("log-reconciliation").unwrap();
    let bytes = postcard::to_allocvec(&s).unwrap();
    let back: Scenario = postcard::from_bytes(&bytes).unwrap();
    assert_eq!(back, s);
}

#[test]
fn step_at_follows_the_narrative() {
    let s = scenario::by_id("network-partition").unwrap();
    assert_eq!(s.step_at(0), Some(0));
    assert_eq!(s.step_at(s.steps[1].at_us), Some(1));
    assert_eq!(s.step_at(s.end_us), Some(s.steps.len() - 1));
}

#[test]
fn a_refused_action_is_reported() {
    let mut s = scenario::by_id("first-election").unwrap();
    s.actions.push(scenario::TimedAction::new(
        1_000_000,
        raft_core::sim::Action::Restart(2),
    ));
    let err = check_expectations(&s).unwrap_err();
    assert!(err.contains("refused"), "{err}");
}
