use super::*;
use raft_core::scenario;
use yew::Reducible;

/// Plays the Figure 8 scenario with its bug on to its end, as the UI does.
fn figure_8_bug_at_end() -> (Rc<Playground>, u64) {
    let s = scenario::by_id("figure-8-bug").unwrap();
    let end_ms = s.end_us / 1000;
    let p = Rc::new(Playground::from_scenario(s)).reduce(Msg::Seek(SimTime::from_ms(end_ms)));
    (p, end_ms)
}

#[test]
fn a_violation_is_marked_and_the_marks_outlive_a_seek_back() {
    let (p, _) = figure_8_bug_at_end();
    let first = p.timeline.borrow().sim().violations()[0].clone();
    assert!(!p.playing, "a violation pauses playback");
    assert_eq!(p.violation_marks[0].time_us, first.time_us);
    assert_eq!(p.violation_marks[0].property, first.property);
    let marks = p.violation_marks.clone();
    assert!(
        marks.windows(2).all(|w| w[0].time_us <= w[1].time_us),
        "in time order"
    );

    // Back to zero: nothing broken yet, but the marks stay.
    let p = p.reduce(Msg::Seek(SimTime::from_ms(0)));
    assert!(p.timeline.borrow().sim().violations().is_empty());
    assert_eq!(p.violation_marks, marks);

    // "Go to" lands exactly on the violation and inspects a node it names.
    let p = p.reduce(Msg::GoTo(SimTime::from_us(first.time_us)));
    assert_eq!(p.now_us(), first.time_us);
    assert_eq!(p.timeline.borrow().sim().violations()[0], first);
    assert_eq!(p.selected, Selection::Node(first.nodes[0]));
    assert_eq!(
        p.violation_marks, marks,
        "re-meeting a violation adds no mark"
    );
}

#[test]
fn a_fork_before_a_violation_drops_its_mark_and_a_new_run_has_none() {
    let (p, _) = figure_8_bug_at_end();
    let first_us = p.violation_marks[0].time_us;
    let before = (first_us / 1000).saturating_sub(1);
    let p = p
        .reduce(Msg::Seek(SimTime::from_ms(before)))
        .reduce(Msg::Act(Action::SetLoss(0)));
    assert!(p.notice.as_deref().unwrap_or("").contains("forked"));
    assert!(p.now_us() < first_us);
    assert!(p.violation_marks.is_empty(), "{:?}", p.violation_marks);
    let p = p.reduce(Msg::NewRun(NewRun::Reset));
    assert!(p.violation_marks.is_empty());
}

#[test]
fn a_link_made_right_after_a_step_replays_the_same_run() {
    let mut differ = Vec::new();
    for seed in 1..=60u64 {
        let config = SimConfig {
            clients: 4,
            client_ops_per_sec: 50,
            disk_latency_us: if seed % 2 == 0 { 2_000 } else { 0 },
            // A fixed latency: a broadcast arrives everywhere at once, so
            // several events share an instant.
            latency_min_us: 10_000,
            latency_max_us: if seed % 3 == 0 { 10_000 } else { 20_000 },
            ..SimConfig::with_seed(seed)
        };
        let mut p =
            Rc::new(Playground::new(config)).reduce(Msg::Seek(SimTime::from_ms(700 + seed * 13)));
        for _ in 0..(seed % 7) {
            p = p.reduce(Msg::Step);
        }
        p = p.reduce(Msg::Act(Action::Crash(1 + seed % 5)));
        p = p.reduce(Msg::Step).reduce(Msg::Step);
        let hash = p.timeline.borrow().sim().trace_hash();
        let replayed = Playground::from_share(p.share_state());
        if replayed.timeline.borrow().sim().trace_hash() != hash {
            differ.push(seed);
        }
    }
    assert!(
        differ.is_empty(),
        "links replay differently for seeds {differ:?}"
    );
}

/// What a user can do, drawn at random: play for a while, step, act (every
/// kind of action), travel back (then act: a fork) or jump to a moment;
/// a share link made at the end replays exactly the run on screen.
#[test]
fn random_sessions_replay_exactly_from_their_share_links() {
    use raft_core::kv::Op;
    let (mut differ, mut busy) = (Vec::new(), 0);
    for seed in 1..=150u64 {
        let mut rng = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15);
        let mut draw = |n: u64| {
            rng = raft_core::sim::splitmix64(rng);
            rng % n
        };
        let config = SimConfig {
            clients: draw(3) as usize,
            client_ops_per_sec: 30,
            latency_min_us: 10_000,
            latency_max_us: 10_000 + draw(2) * 10_000,
            disk_latency_us: draw(2) * 1_500,
            ..SimConfig::with_seed(seed)
        };
        let mut p = Rc::new(Playground::new(config)).reduce(Msg::Play);
        for _ in 0..60 {
            let node = 1 + draw(5);
            let msg = match draw(10) {
                0..=3 => Msg::Frame(1.0 + draw(100) as f64),
                4 => Msg::Step,
                5 => Msg::Seek(SimTime::from_ms(p.now_us() / 1000 * (60 + draw(41)) / 100)),
                6 => Msg::GoTo(SimTime::from_us(p.now_us().saturating_sub(draw(50_000)))),
                _ => Msg::Act(match draw(10) {
                    0 => Action::Crash(node),
                    1 => Action::Restart(node),
                    2 => Action::Pause(node),
                    3 => Action::Resume(node),
                    4 => Action::TimeoutNow(node),
                    5 => Action::TransferLeader(node),
                    6 => Action::Partition(vec![vec![1, 2], vec![3, 4, 5]]),
                    7 => Action::HealAll,
                    8 => Action::SetLoss(draw(200_000) as u32),
                    _ => Action::ClientRequest {
                        op: Op::Set {
                            key: "k".into(),
                            value: draw(100).to_string(),
                        },
                        target: None,
                    },
                }),
            };
            // Real-time playback: a frame covers up to 100 ms.
            p = p.reduce(Msg::Speed(0.0)).reduce(msg).reduce(Msg::Play);
        }
        let hash = p.timeline.borrow().sim().trace_hash();
        let share = p.share_state();
        if p.now_us() > 100_000 && !share.actions.is_empty() {
            busy += 1;
        }
        let replayed = Playground::from_share(share);
        assert_eq!(replayed.now_us(), p.now_us());
        if replayed.timeline.borrow().sim().trace_hash() != hash {
            differ.push(seed);
        }
    }
    assert!(
        differ.is_empty(),
        "links replay differently for seeds {differ:?}"
    );
    assert!(busy >= 120, "only {busy} of 150 sessions got anywhere");
}

#[test]
fn the_fork_notice_counts_the_discarded_actions_in_words() {
    assert_eq!(
        fork_notice(0),
        "You acted in the past: the run forked here, and what followed is replaced by the new branch."
    );
    assert!(fork_notice(1).contains("the 1 later action you had taken was discarded."));
    assert!(fork_notice(3).contains("the 3 later actions you had taken were discarded."));
}

#[test]
fn the_settings_shown_are_those_in_use_after_a_seek_back_and_forth() {
    use crate::view::settings::Settings;
    let shown = |p: &Playground| {
        let s = Settings::of(&p.timeline.borrow().sim().settings());
        (s.latency_min_ms, s.latency_max_ms)
    };
    let p =
        Rc::new(Playground::new(SimConfig::default())).reduce(Msg::Seek(SimTime::from_ms(1_000)));
    let p = p.reduce(Msg::Act(Action::SetLatency {
        min_us: 120_000,
        max_us: 150_000,
    }));
    assert_eq!(shown(&p), (120, 150));
    let p = p.reduce(Msg::Seek(SimTime::from_ms(500)));
    assert_eq!(shown(&p), (10, 20), "before the change");
    let p = p.reduce(Msg::Seek(SimTime::from_ms(1_000)));
    assert_eq!(shown(&p), (120, 150), "the change taken again");
}

/// After scripted actions, the user's, a
/// fork before some of them and a seek back, a link replays the same run,
/// and the scenario's later actions survive the fork.
#[test]
fn a_link_read_from_the_schedule_replays_a_scenario_with_forks() {
    let with_script = scenario::library()
        .into_iter()
        .find(|s| s.actions.len() >= 2)
        .expect("a scenario with several actions");
    let first_us = with_script.actions.iter().map(|a| a.at_us).min().unwrap();
    let last_us = with_script.actions.iter().map(|a| a.at_us).max().unwrap();
    let replays = |p: &Playground| {
        let replayed = Playground::from_share(p.share_state());
        assert_eq!(replayed.now_us(), p.now_us());
        assert_eq!(
            replayed.timeline.borrow().sim().trace_hash(),
            p.timeline.borrow().sim().trace_hash()
        );
    };
    let loss = |ppm| Msg::Act(Action::SetLoss(ppm));
    let p = Rc::new(Playground::from_scenario(with_script.clone()))
        .reduce(Msg::Seek(SimTime::from_us(last_us + 200_000)))
        .reduce(loss(1_000));
    replays(&p);
    // Back before the last scripted action, and a fork there.
    let p = p
        .reduce(Msg::Seek(SimTime::from_us(last_us - 1)))
        .reduce(loss(2_000));
    // Only the user's own later action is lost: the scripted one is taken again.
    assert_eq!(p.notice, Some(fork_notice(1)));
    replays(&p);
    let share = p.share_state();
    assert!(
        share.actions.iter().any(|a| a.at_us == last_us),
        "scripted, kept"
    );
    assert!(!share
        .actions
        .contains(&raft_core::scenario::TimedAction::new(
            last_us + 200_000,
            Action::SetLoss(1_000)
        )));
    // On past it, then back before the first (no fork yet: all kept).
    let p = p
        .reduce(Msg::Seek(SimTime::from_us(last_us + 300_000)))
        .reduce(Msg::Seek(SimTime::from_us(first_us.saturating_sub(1))));
    replays(&p);
    assert_eq!(p.share_state().actions, share.actions);
}

/// A first visit plays at the default speed: the quiet wait for the first
/// election timeout passes quickly, so a leader is elected within five
/// seconds of 60 Hz frames; without skipping, not even the first timeout
/// fires. While messages fly, time runs at the speed chosen.
#[test]
fn skipping_quiet_time_elects_a_leader_within_five_seconds() {
    let first_leader_ms = |skip: bool| {
        let mut p = Rc::new(Playground::new(SimConfig::default()))
            .reduce(Msg::SkipQuiet(skip))
            .reduce(Msg::Play);
        let frame_ms = 1000.0 / 60.0;
        for frame in 1..=300u32 {
            let before = p.now_us();
            let in_flight = p.timeline.borrow().sim().in_flight_count();
            p = p.reduce(Msg::Frame(frame_ms));
            if in_flight > 0 {
                assert_eq!(
                    p.now_us() - before,
                    crate::speed::virtual_us_for(frame_ms, SPEED_LOG_DEFAULT),
                    "messages fly at the chosen speed"
                );
            }
            if p.timeline.borrow().sim().leader().is_some() {
                return Some(frame as f64 * frame_ms);
            }
        }
        None
    };
    let with_skip = first_leader_ms(true).expect("a leader within 5 s");
    assert!(with_skip < 5_000.0, "{with_skip} ms");
    eprintln!("FIGURE first_leader_wall_ms={with_skip:.0}");
    assert_eq!(first_leader_ms(false), None);
}

/// A user's request on its way to a node is drawn on the stage, so the
/// time it travels is not skipped as quiet, even with no message in flight.
#[test]
fn a_request_on_its_way_is_not_quiet_time() {
    let quiet = SimConfig {
        clients: 0,
        ..SimConfig::default()
    };
    let mut p = Rc::new(Playground::new(quiet)).reduce(Msg::SkipQuiet(true));
    // A leader, then a moment with nothing in flight.
    p = p.reduce(Msg::Seek(SimTime::from_us(3_000_000)));
    while p.timeline.borrow().sim().in_flight_count() > 0 {
        p = p.reduce(Msg::Step);
    }
    p = p
        .reduce(Msg::Act(raft_core::sim::Action::ClientRequest {
            op: raft_core::kv::Op::Set {
                key: "x".into(),
                value: "1".into(),
            },
            target: None,
        }))
        .reduce(Msg::Play);
    assert_eq!(p.timeline.borrow().sim().client_hop_count(), 1);
    let frame_ms = 1000.0 / 60.0;
    let before = p.now_us();
    p = p.reduce(Msg::Frame(frame_ms));
    assert_eq!(
        p.now_us() - before,
        crate::speed::virtual_us_for(frame_ms, SPEED_LOG_DEFAULT),
        "the request travels at the chosen speed"
    );
    assert!(!p.skipping);
}

/// A story written in the page: steps at the moments shown, a promise
/// checked at its moment, an action taken while writing; the share link
/// carries it all, and opening it tells the same story with the promise kept.
#[test]
fn a_written_story_travels_in_its_link_with_its_promise() {
    let story = |e| Msg::Story(e);
    let save = |title: &str, promise| {
        story(StoryEdit::Save {
            index: None,
            title: title.into(),
            text: format!("{title}, told."),
            promise,
        })
    };
    let p = Rc::new(Playground::new(SimConfig::default()))
        .reduce(story(StoryEdit::Toggle))
        .reduce(story(StoryEdit::Title("Crash and recover".into())))
        .reduce(save("Start", None))
        .reduce(Msg::Seek(SimTime::from_ms(2_000)));
    let leader = p.timeline.borrow().sim().leader().expect("a leader by 2 s");
    let p = p.reduce(save(
        "A leader",
        Some(raft_core::scenario::Promise::Leads(leader)),
    ));
    assert_eq!(p.promises[1], PromiseStatus::Kept);
    let p = p
        .reduce(Msg::Seek(SimTime::from_ms(2_100)))
        .reduce(Msg::Act(Action::Crash(leader)))
        .reduce(Msg::Seek(SimTime::from_ms(4_000)))
        .reduce(save(
            "Another leader",
            Some(raft_core::scenario::Promise::LeaderExists),
        ));
    assert!(p.own_story && p.editing);
    let s = p.story.clone().unwrap();
    assert_eq!(s.title, "Crash and recover");
    assert_eq!(s.steps.len(), 3);
    assert_eq!(
        *p.promises,
        vec![
            PromiseStatus::Pending,
            PromiseStatus::Kept,
            PromiseStatus::Kept
        ]
    );
    // Undo drops the last step; the link is read after it.
    let p = p.reduce(story(StoryEdit::Undo));
    assert_eq!(p.story.as_ref().unwrap().steps.len(), 2);
    let share = p.share_state();
    assert_eq!(share.story.as_ref().map(|s| s.steps.len()), Some(2));
    let link = raft_core::scenario::link::encode(&share);
    assert!(link.starts_with("2."));
    // A fresh page: paused at the link's moment, the promise checked on the way.
    let opened = Playground::from_share(raft_core::scenario::link::decode(&link).unwrap());
    assert_eq!(opened.story, p.story);
    assert!(opened.own_story && !opened.editing);
    assert_eq!(
        *opened.promises,
        vec![PromiseStatus::Pending, PromiseStatus::Kept]
    );
    // Back before the promise: pending again; forward: kept again.
    let back = Rc::new(opened).reduce(Msg::Seek(SimTime::from_ms(1_000)));
    assert_eq!(back.promises[1], PromiseStatus::Pending);
    let again = back.reduce(Msg::Seek(SimTime::from_ms(2_500)));
    assert_eq!(again.promises[1], PromiseStatus::Kept);
    // A promise that does not hold is shown broken.
    let broken = again
        .reduce(Msg::Seek(SimTime::from_ms(2_000)))
        .reduce(story(StoryEdit::Toggle))
        .reduce(story(StoryEdit::Save {
            index: Some(1),
            title: "A leader".into(),
            text: "No one leads, says this wrong promise.".into(),
            promise: Some(raft_core::scenario::Promise::ChecksBroken),
        }));
    assert_eq!(broken.promises[1], PromiseStatus::Broken);
}

/// Limits: an edit over them is refused, says why, and changes nothing.
#[test]
fn a_story_edit_over_the_limits_is_refused() {
    let p = Rc::new(Playground::new(SimConfig::default()))
        .reduce(Msg::Story(StoryEdit::Toggle))
        .reduce(Msg::Story(StoryEdit::Save {
            index: None,
            title: "Long".into(),
            text: "x".repeat(raft_core::scenario::story::MAX_TEXT_CHARS + 1),
            promise: None,
        }));
    assert!(p.error.as_deref().unwrap().contains("at most 2000"));
    assert!(p.story.as_ref().unwrap().steps.is_empty());
}

/// A built-in story opened in the editor becomes the user's copy.
#[test]
fn duplicate_and_edit_a_built_in_story() {
    let built_in = scenario::by_id("leader-crash").unwrap();
    let p = Rc::new(Playground::from_scenario(built_in.clone()));
    assert!(!p.own_story);
    assert!(p.share_state().story.is_none());
    let p = p.reduce(Msg::Story(StoryEdit::Toggle));
    assert!(p.own_story);
    let copy = p.share_state().story.unwrap();
    assert_eq!(copy.steps.len(), built_in.steps.len());
    assert_eq!(copy.title, built_in.title);
}

/// A promise is checked after the actions of its moment, in the editor as
/// in a replay of the link.
#[test]
fn a_promise_is_checked_after_the_actions_of_its_moment() {
    let p = Rc::new(Playground::new(SimConfig::default()))
        .reduce(Msg::Story(StoryEdit::Toggle))
        .reduce(Msg::Seek(SimTime::from_ms(2_000)));
    let leader = p.timeline.borrow().sim().leader().expect("a leader by 2 s");
    let p = p.reduce(Msg::Story(StoryEdit::Save {
        index: None,
        title: "Leader".into(),
        text: String::new(),
        promise: Some(raft_core::scenario::Promise::Leads(leader)),
    }));
    assert_eq!(p.promises[0], PromiseStatus::Kept);
    let p = p.reduce(Msg::Act(Action::Crash(leader)));
    assert_eq!(p.promises[0], PromiseStatus::Broken);
    let opened = Playground::from_share(p.share_state());
    assert_eq!(*opened.promises, vec![PromiseStatus::Broken]);
}
