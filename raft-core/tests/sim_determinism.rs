//! Same seed and actions, same trace; time travel replays exactly.

use raft_core::kv::Op;
use raft_core::sim::{reference_hashes, Action, Sim, SimConfig, Timeline};

fn scripted(seed: u64) -> Sim {
    let mut sim = Sim::new(SimConfig {
        loss_ppm: 20_000,
        duplication_ppm: 20_000,
        ..SimConfig::with_seed(seed)
    })
    .unwrap();
    sim.run_until(1_000_000);
    let _ = sim.crash(2);
    sim.run_until(2_000_000);
    let _ = sim.partition(vec![vec![1, 3], vec![4, 5]]);
    sim.run_until(3_000_000);
    let _ = sim.heal_all();
    let _ = sim.restart(2);
    sim.run_until(5_000_000);
    sim
}

#[test]
fn same_seed_same_hash() {
    for seed in [1, 2, 99] {
        assert_eq!(scripted(seed).trace_hash(), scripted(seed).trace_hash());
    }
}

#[test]
fn different_seeds_different_hashes() {
    let mut hashes: Vec<u64> = (1..=20).map(|s| scripted(s).trace_hash()).collect();
    hashes.sort_unstable();
    hashes.dedup();
    assert_eq!(hashes.len(), 20);
}

/// Natively computed values; the wasm build must reproduce them
/// (`raft_core::sim::reference_hashes()`).
pub const REFERENCE: [(u64, u64); 5] = raft_core::sim::REFERENCE_HASHES;

#[test]
fn reference_hashes_are_stable() {
    let got = reference_hashes();
    for (seed, hash) in got {
        println!("seed {seed}: {hash:#018x}");
    }
    assert_eq!(got, REFERENCE);
}

#[test]
fn clone_then_continue_matches_straight_run() {
    let mut a = Sim::new(SimConfig::with_seed(4)).unwrap();
    a.run_until(2_000_000);
    let mut b = a.clone();
    a.run_until(6_000_000);
    b.run_until(6_000_000);
    assert_eq!(a.trace_hash(), b.trace_hash());
}

fn timeline_script(t: &mut Timeline) {
    t.run_until(1_200_000);
    t.act(Action::Crash(1)).unwrap();
    t.run_until(2_500_000);
    t.act(Action::ClientRequest {
        op: Op::Set {
            key: "a".into(),
            value: "1".into(),
        },
        target: None,
    })
    .unwrap();
    t.step();
    t.step();
    t.act(Action::Partition(vec![vec![2, 3], vec![4, 5]]))
        .unwrap();
    t.run_until(4_000_000);
    t.act(Action::HealAll).unwrap();
    t.act(Action::Restart(1)).unwrap();
    t.run_until(7_000_000);
}

#[test]
fn seek_then_run_equals_straight_run() {
    let mut t = Timeline::with_interval(SimConfig::with_seed(8), 500_000).unwrap();
    timeline_script(&mut t);
    let straight = t.sim().trace_hash();
    let total = t.sim().trace().total();
    for back in [0, 1_300_000, 2_500_000, 2_600_000, 3_999_999, 6_000_000] {
        t.seek(back);
        assert_eq!(t.now_us(), back);
        t.seek(7_000_000);
        assert_eq!(t.sim().trace_hash(), straight, "seek to {back}");
        assert_eq!(t.sim().trace().total(), total);
    }
    assert!(t.checkpoint_times().len() <= raft_core::sim::MAX_CHECKPOINTS);
}

#[test]
fn acting_in_the_past_forks() {
    let mut t = Timeline::new(SimConfig::with_seed(8)).unwrap();
    timeline_script(&mut t);
    let straight = t.sim().trace_hash();
    t.seek(3_000_000);
    let out = t.act(Action::Crash(3)).unwrap();
    assert!(out.forked);
    assert_eq!(out.discarded_actions, 2);
    t.run_until(7_000_000);
    assert_ne!(t.sim().trace_hash(), straight);
    // The fork is itself replayable.
    let forked = t.sim().trace_hash();
    t.seek(1_000_000);
    t.seek(7_000_000);
    assert_eq!(t.sim().trace_hash(), forked);
    let out = t.act(Action::HealAll).unwrap();
    assert!(!out.forked);
}

/// An action taken right after a stale event (a superseded client timeout)
/// whose time has passed replays at its recorded moment: replay once left
/// the stale event queued, clamped the clock to it and took the action
/// earlier than recorded (a different trace).
#[test]
fn actions_replay_at_their_recorded_moment_after_stale_events() {
    // Moments just after a stale event: the queue's head was due at `head`,
    // yet the next event processed came later.
    let config = SimConfig::benchmark_workload(1);
    let mut sim = raft_core::sim::Sim::new(config.clone()).unwrap();
    let mut moments = Vec::new();
    while sim.now_us() < 4_000_000 && moments.len() < 30 {
        let head = sim.next_event_time().unwrap();
        let t = sim.step().unwrap();
        if t > head + 1 {
            moments.push(head + 1);
        }
    }
    assert!(moments.len() >= 10, "stale events are common with clients");
    let mut differ = Vec::new();
    for (n, &at) in moments.iter().enumerate() {
        let mut t = Timeline::new(config.clone()).unwrap();
        t.run_until(at);
        t.act(Action::ClientRequest {
            op: Op::Set {
                key: "k".into(),
                value: n.to_string(),
            },
            target: None,
        })
        .unwrap();
        // And one taken after a single step.
        t.step();
        t.act(Action::Crash(1 + n as u64 % 5)).unwrap();
        // Not far: replay must start from a checkpoint before the actions.
        let end = t.now_us() + 1_000;
        t.run_until(end);
        let straight = t.sim().trace_hash();
        t.seek(0);
        t.seek(end);
        if t.sim().trace_hash() != straight {
            differ.push(at);
        }
    }
    assert!(
        differ.is_empty(),
        "{} of {} replays differ: {differ:?}",
        differ.len(),
        moments.len()
    );
}

/// A step runs a whole instant: with a fixed latency a broadcast arrives
/// everywhere at once, and nothing due now is left for later, so acting
/// after a step is acting after `run_until(now)`, which a link replays.
#[test]
fn a_step_runs_every_event_of_its_instant() {
    let config = SimConfig {
        latency_min_us: 10_000,
        latency_max_us: 10_000,
        ..SimConfig::with_seed(3)
    };
    let mut t = Timeline::new(config).unwrap();
    t.run_until(1_000_000);
    let mut shared = 0;
    for _ in 0..400 {
        let before = t.sim().events_processed();
        let at = t.step().unwrap();
        assert_eq!(t.now_us(), at);
        assert!(
            t.sim().next_event_time().unwrap() > at,
            "an event of {at} left over"
        );
        if t.sim().events_processed() > before + 1 {
            shared += 1;
        }
    }
    assert!(shared > 10, "instants with several events: {shared}");
}

/// A schedule (a story's or a link's actions) is taken at its times, in
/// order, replays after a seek, survives a fork (its later actions are taken
/// again, and the fork does not count them as the user's losses), and with
/// the recorded actions gives the branch's whole list of timed actions.
#[test]
fn scheduled_actions_are_taken_at_their_times_and_survive_a_fork() {
    use raft_core::sim::TimedAction;
    let schedule = vec![
        TimedAction::new(3_000_000, Action::Restart(1)),
        TimedAction::new(1_000_000, Action::Crash(1)),
        TimedAction::new(5_000_000, Action::Crash(2)),
    ];
    let mut t = Timeline::with_interval(SimConfig::with_seed(4), 500_000).unwrap();
    t.schedule(schedule.clone());
    t.run_until(6_000_000);
    let taken: Vec<(u64, Action)> = t
        .actions()
        .iter()
        .map(|a| (a.time_us, a.action.clone()))
        .collect();
    assert_eq!(
        taken,
        vec![
            (1_000_000, Action::Crash(1)),
            (3_000_000, Action::Restart(1)),
            (5_000_000, Action::Crash(2)),
        ]
    );
    // The same run as taking them by hand.
    let mut by_hand = Timeline::with_interval(SimConfig::with_seed(4), 500_000).unwrap();
    for (at, action) in &taken {
        by_hand.run_until(*at);
        by_hand.act(action.clone()).unwrap();
    }
    by_hand.run_until(6_000_000);
    let straight = t.sim().trace_hash();
    assert_eq!(by_hand.sim().trace_hash(), straight);
    // Back and forth: replayed, not taken twice.
    t.seek(2_000_000);
    t.run_until(6_000_000);
    assert_eq!(t.sim().trace_hash(), straight);
    assert_eq!(t.actions().len(), 3);
    // A fork at 2 s drops the recorded restart and crash of node 2 but not
    // the schedule: both are taken again, and the only user action lost is none.
    t.seek(2_000_000);
    let out = t.act(Action::Pause(3)).unwrap();
    assert!(out.forked);
    assert_eq!(out.discarded_actions, 0);
    assert_eq!(
        t.timed_actions(),
        vec![
            TimedAction::new(1_000_000, Action::Crash(1)),
            TimedAction::new(2_000_000, Action::Pause(3)),
            TimedAction::new(3_000_000, Action::Restart(1)),
            TimedAction::new(5_000_000, Action::Crash(2)),
        ]
    );
    t.run_until(6_000_000);
    assert_eq!(t.actions().len(), 4);
    // The list of timed actions, scheduled on a fresh timeline, replays the fork.
    let forked = t.sim().trace_hash();
    let mut again = Timeline::new(SimConfig::with_seed(4)).unwrap();
    again.schedule(t.timed_actions());
    again.run_until(6_000_000);
    assert_eq!(again.sim().trace_hash(), forked);
    // A refused scheduled action is reported once, and the rest still run.
    let mut refused = Timeline::new(SimConfig::with_seed(4)).unwrap();
    refused.schedule(vec![
        TimedAction::new(1_000, Action::Restart(2)),
        TimedAction::new(2_000, Action::Crash(2)),
    ]);
    refused.run_until(10_000);
    let r = refused.take_refusals();
    assert_eq!(r.len(), 1);
    assert_eq!((r[0].index, r[0].at_us), (0, 1_000));
    assert!(refused.take_refusals().is_empty());
    assert_eq!(refused.actions().len(), 1);
}
