//! Share links: round trips, every error variant, and no panic on any input.

use proptest::prelude::*;
use raft_core::kv::Op;
use raft_core::raft::Bugs;
use raft_core::scenario::link::{
    self, LinkError, MAX_ACTIONS, MAX_DECODED_BYTES, MAX_LINK_CHARS, MAX_LINK_TIME_US,
    MAX_SPEED_MILLI, MAX_TORN_STEPS,
};
use raft_core::scenario::story::{self, Promise, Story, StoryStep};
use raft_core::scenario::{self, Selected, ShareState, TimedAction};
use raft_core::sim::{Action, SimConfig};

use base64::Engine as _;
const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

fn state() -> ShareState {
    scenario::by_id("network-partition")
        .unwrap()
        .share_state(3_200_000)
}

/// A payload of version 1 holding arbitrary (already compressed) bytes.
fn v1_raw(bytes: &[u8]) -> String {
    let packed = miniz_oxide::deflate::compress_to_vec(bytes, 10);
    format!("1.{}", B64.encode(packed))
}

#[test]
fn typical_link_round_trips_and_is_short() {
    let s = state();
    let payload = link::encode(&s);
    let frag = link::fragment(&s);
    println!("network-partition at 3.2 s: {} chars: {frag}", frag.len());
    assert!(payload.starts_with("1."));
    assert!(frag.len() < 300, "link is {} chars", frag.len());
    assert_eq!(link::decode(&payload), Ok(s.clone()));
    assert_eq!(link::decode(&frag), Ok(s.clone()));
    assert_eq!(link::decode(&format!("  s={payload}\n")), Ok(s));
}

#[test]
fn every_library_scenario_round_trips() {
    for sc in scenario::library() {
        let mut s = sc.share_state(sc.end_us / 2);
        s.selected = Some(Selected::Node(1));
        s.speed_milli = 4_000;
        assert_eq!(link::decode(&link::encode(&s)), Ok(s), "{}", sc.id);
    }
}

#[test]
fn bad_version() {
    let body = link::encode(&state());
    let body = body.split_once('.').unwrap().1;
    assert_eq!(
        link::decode(&format!("4.{body}")),
        Err(LinkError::BadVersion { found: "4".into() })
    );
    // A version 1 body read as version 3 does not parse.
    assert_eq!(link::decode(&format!("3.{body}")), Err(LinkError::Corrupt));
    assert_eq!(
        link::decode("nodot"),
        Err(LinkError::BadVersion {
            found: String::new()
        })
    );
    assert!(matches!(
        link::decode(""),
        Err(LinkError::BadVersion { .. })
    ));
}

#[test]
fn bad_characters() {
    assert_eq!(
        link::decode("1.abc$def"),
        Err(LinkError::BadCharacters { position: 3 })
    );
    assert!(matches!(
        link::decode("1.abcd=="),
        Err(LinkError::BadCharacters { .. })
    ));
    assert!(matches!(
        link::decode("1.ab cd"),
        Err(LinkError::BadCharacters { .. })
    ));
}

#[test]
fn truncated() {
    let payload = link::encode(&state());
    // Cutting the link short at any point never decodes to something else.
    for cut in 2..payload.len() {
        let r = link::decode(&payload[..cut]);
        assert!(
            matches!(r, Err(LinkError::Truncated | LinkError::Corrupt)),
            "cut at {cut}: {r:?}"
        );
    }
    assert_eq!(link::decode("1."), Err(LinkError::Truncated));
    assert_eq!(link::decode("1.A"), Err(LinkError::Truncated));
    // Valid deflate of postcard bytes cut in the middle.
    let bytes = postcard::to_allocvec(&(Some("x"), 5u8)).unwrap();
    assert_eq!(
        link::decode(&v1_raw(&bytes[..1])),
        Err(LinkError::Truncated)
    );
}

#[test]
fn corrupt() {
    assert_eq!(link::decode("1.AAAAAAAA"), Err(LinkError::Corrupt));
    // Well-formed deflate of bytes that are not a state.
    assert_eq!(link::decode(&v1_raw(&[0xff; 40])), Err(LinkError::Corrupt));
    // Trailing bytes after a valid state.
    let good = link::encode(&state());
    let packed = B64.decode(good.split_once('.').unwrap().1).unwrap();
    let mut raw = miniz_oxide::inflate::decompress_to_vec(&packed).unwrap();
    raw.push(0);
    assert_eq!(link::decode(&v1_raw(&raw)), Err(LinkError::Corrupt));
}

#[test]
fn too_large() {
    let long = format!("1.{}", "A".repeat(MAX_LINK_CHARS));
    assert_eq!(link::decode(&long), Err(LinkError::TooLarge));
    // A small link that inflates beyond the limit (a zip bomb).
    let bomb = v1_raw(&vec![0u8; MAX_DECODED_BYTES + 1]);
    assert!(bomb.len() < 1_000);
    assert_eq!(link::decode(&bomb), Err(LinkError::TooLarge));
}

#[test]
fn too_many_actions() {
    let mut s = state();
    s.actions = (0..=MAX_ACTIONS as u64)
        .map(|i| TimedAction::new(i, Action::HealAll))
        .collect();
    assert_eq!(
        link::decode(&link::encode(&s)),
        Err(LinkError::TooManyActions {
            count: MAX_ACTIONS + 1,
            max: MAX_ACTIONS
        })
    );
    s.actions.truncate(MAX_ACTIONS);
    assert_eq!(link::decode(&link::encode(&s)), Ok(s));
}

fn out_of_range(s: &ShareState) -> String {
    match link::decode(&link::encode(s)) {
        Err(LinkError::OutOfRange { what }) => what,
        other => panic!("expected OutOfRange, got {other:?}"),
    }
}

#[test]
fn out_of_range_values() {
    let mut s = state();
    s.config.nodes = 0;
    assert!(out_of_range(&s).contains("configuration"));
    let mut s = state();
    s.config.election_timeout_max_us = s.config.election_timeout_min_us;
    assert!(out_of_range(&s).contains("configuration"));
    let mut s = state();
    s.actions
        .push(TimedAction::new(4_000_000, Action::Crash(6)));
    assert!(out_of_range(&s).contains("node 6"));
    let mut s = state();
    s.actions.insert(0, TimedAction::new(0, Action::AddNode));
    s.actions
        .push(TimedAction::new(4_000_000, Action::Crash(6)));
    assert_eq!(
        link::decode(&link::encode(&s)),
        Ok(s.clone()),
        "node 6 was added"
    );
    let mut s = state();
    s.actions.push(TimedAction::new(1, Action::HealAll));
    assert!(out_of_range(&s).contains("before"));
    let mut s = state();
    s.time_us = MAX_LINK_TIME_US + 1;
    assert!(out_of_range(&s).contains("time"));
    let mut s = state();
    s.speed_milli = 0;
    assert!(out_of_range(&s).contains("speed"));
    let mut s = state();
    s.speed_milli = MAX_SPEED_MILLI + 1;
    assert!(out_of_range(&s).contains("speed"));
    let mut s = state();
    s.selected = Some(Selected::Node(9));
    assert!(out_of_range(&s).contains("selected"));
    let mut s = state();
    s.scenario_id = Some("Not An Id".into());
    assert!(out_of_range(&s).contains("scenario id"));
    let mut s = state();
    s.actions.push(TimedAction::new(
        9_000_000,
        Action::ClientRequest {
            op: Op::Get { key: String::new() },
            target: None,
        },
    ));
    assert!(out_of_range(&s).contains("command"));
    let mut s = state();
    s.actions
        .push(TimedAction::new(9_000_000, Action::SetLoss(2_000_000)));
    assert!(out_of_range(&s).contains("probability"));
}

#[test]
fn errors_read_as_one_sentence() {
    let errors = [
        LinkError::BadVersion { found: "7".into() },
        LinkError::BadVersion {
            found: String::new(),
        },
        LinkError::BadCharacters { position: 4 },
        LinkError::Truncated,
        LinkError::Corrupt,
        LinkError::TooLarge,
        LinkError::OutOfRange {
            what: "the speed 0/1000 is outside 1 to 100000000".into(),
        },
        LinkError::TooManyActions { count: 5, max: 1 },
    ];
    for e in errors {
        let msg = e.to_string();
        assert!(msg.starts_with(char::is_uppercase), "{msg}");
        assert!(msg.ends_with('.'), "{msg}");
        assert_eq!(msg.matches(". ").count(), 0, "{msg}");
    }
}

fn arb_op() -> impl Strategy<Value = Op> {
    let key = "[a-z]{1,8}";
    let val = "[a-z0-9]{0,8}";
    prop_oneof![
        (key, val).prop_map(|(key, value)| Op::Set { key, value }),
        key.prop_map(|key| Op::Delete { key }),
        key.prop_map(|key| Op::Get { key }),
        (key, proptest::option::of(val), val).prop_map(|(key, expected, new)| Op::Cas {
            key,
            expected,
            new
        }),
    ]
}

fn arb_action(nodes: u64) -> impl Strategy<Value = Action> {
    let id = 1..=nodes;
    prop_oneof![
        id.clone().prop_map(Action::Crash),
        id.clone().prop_map(Action::Restart),
        id.clone().prop_map(Action::Pause),
        id.clone().prop_map(Action::Resume),
        id.clone().prop_map(Action::TimeoutNow),
        id.clone().prop_map(Action::TransferLeader),
        id.clone().prop_map(Action::RemoveNode),
        proptest::collection::vec(proptest::collection::vec(id.clone(), 0..3), 0..3)
            .prop_map(Action::Partition),
        (id.clone(), id.clone()).prop_map(|(from, to)| Action::CutLink { from, to }),
        (id.clone(), id.clone()).prop_map(|(from, to)| Action::HealLink { from, to }),
        Just(Action::HealAll),
        (0..=1_000_000u32).prop_map(Action::SetLoss),
        (0..=1_000_000u32).prop_map(Action::SetDuplication),
        (0..=1_000u64, 0..=1_000u64).prop_map(|(a, b)| Action::SetLatency {
            min_us: a * 1_000,
            max_us: (a + b) * 1_000
        }),
        (id.clone(), -500_000i64..=500_000).prop_map(|(node, ppm)| Action::SetDrift { node, ppm }),
        (arb_op(), proptest::option::of(id))
            .prop_map(|(op, target)| Action::ClientRequest { op, target }),
    ]
}

prop_compose! {
    fn arb_state()(nodes in 1..=9u64)(
        nodes in Just(nodes),
        seed in any::<u64>(),
        flags in any::<[bool; 6]>(),
        loss in 0..=1_000_000u32,
        clients in 0..=64usize,
        acts in proptest::collection::vec((0..2_000_000u64, arb_action(nodes)), 0..40),
        time_us in 0..=MAX_LINK_TIME_US,
        speed_milli in 1..=MAX_SPEED_MILLI,
        selected in proptest::option::of(prop_oneof![
            (1..=nodes).prop_map(Selected::Node),
            any::<u64>().prop_map(Selected::Message),
        ]),
        id in proptest::option::of("[a-z0-9-]{1,20}"),
    ) -> ShareState {
        let mut at = 0;
        let actions = acts
            .into_iter()
            .map(|(gap, action)| {
                at += gap;
                TimedAction::new(at, action)
            })
            .filter(|a| a.action != Action::AddNode)
            .collect();
        ShareState {
            scenario_id: id,
            config: SimConfig {
                nodes: nodes as usize,
                pre_vote: flags[0],
                check_quorum: flags[1],
                bugs: Bugs {
                    commit_old_term: flags[2],
                    vote_without_log_check: flags[3],
                    forget_vote_on_restart: flags[4],
                    skip_consistency_check: flags[5],
                },
                loss_ppm: loss,
                clients,
                ..SimConfig::with_seed(seed)
            },
            actions,
            time_us,
            speed_milli,
            selected,
            story: None,
        }
    }
}

prop_compose! {
    fn arb_story()(
        title in "[A-Za-z ]{0,30}",
        summary in "\\PC{0,40}",
        steps in proptest::collection::vec(
            (0..5_000_000u64, "\\PC{0,20}", "[a-z\n ]{0,60}", proptest::option::of(prop_oneof![
                Just(Promise::LeaderExists),
                Just(Promise::Leads(1)),
                ("[a-z]{1,8}", "[0-9]{1,8}").prop_map(|(key, value)| Promise::KeyEverywhere { key, value }),
                Just(Promise::NoLeaderInMinority),
                Just(Promise::ChecksHold),
                Just(Promise::ChecksBroken),
            ])),
            0..=story::MAX_STEPS,
        ),
    ) -> Story {
        let mut at = 0;
        Story {
            title,
            summary,
            steps: steps
                .into_iter()
                .map(|(gap, title, text, promise)| {
                    at += gap;
                    StoryStep { at_us: at, title, text, promise }
                })
                .collect(),
        }
    }
}

/// A six-step story as a docs writer would write one.
fn six_steps() -> ShareState {
    let mut s = state();
    s.scenario_id = None;
    let captions = [
        (
            "Followers wait",
            "Every node starts as a follower with a random election timeout.",
        ),
        (
            "A candidate",
            "The first timeout fires: S3 asks the others for their votes.",
        ),
        (
            "A leader",
            "A majority voted: S3 leads term 1 and sends heartbeats.",
        ),
        (
            "A write",
            "The client's SET x=1 goes to the leader and is replicated.",
        ),
        (
            "Committed",
            "A majority stored it: the leader commits and applies it.",
        ),
        (
            "Everywhere",
            "Heartbeats carry the commit index: every node applies x=1.",
        ),
    ];
    s.story = Some(Story {
        title: "How a write is committed".into(),
        summary: "An election, then one SET from client to every store.".into(),
        steps: captions
            .iter()
            .enumerate()
            .map(|(i, (title, text))| StoryStep {
                at_us: i as u64 * 500_000,
                title: (*title).into(),
                text: (*text).into(),
                promise: (i == 2).then_some(Promise::LeaderExists),
            })
            .collect(),
    });
    s
}

#[test]
fn a_story_travels_in_a_version_2_link() {
    let s = six_steps();
    let payload = link::encode(&s);
    let frag = link::fragment(&s);
    println!(
        "FIGURE story_link_chars={} (6 steps; the run alone: {})",
        frag.len(),
        link::fragment(&state()).len()
    );
    assert!(payload.starts_with("2."));
    assert_eq!(link::decode(&payload), Ok(s.clone()));
    // Without a story, the same run is still a version-1 link, as before.
    let mut plain = s;
    plain.story = None;
    assert!(link::encode(&plain).starts_with("1."));
}

#[test]
fn a_story_over_the_limits_is_refused_in_words() {
    let mut s = six_steps();
    let story = s.story.as_mut().unwrap();
    story.steps[5].text = "x".repeat(story::MAX_TEXT_CHARS);
    let err = link::decode(&link::encode(&s)).unwrap_err();
    assert!(
        err.to_string().contains("at most 2000 are allowed"),
        "{err}"
    );
    let mut s = six_steps();
    let story = s.story.as_mut().unwrap();
    let step = story.steps[0].clone();
    story.steps = vec![step; story::MAX_STEPS + 1];
    let err = link::decode(&link::encode(&s)).unwrap_err();
    assert!(err.to_string().contains("at most 32 are allowed"), "{err}");
    let mut s = six_steps();
    s.story.as_mut().unwrap().steps[1].promise = Some(Promise::Leads(9));
    assert!(matches!(
        link::decode(&link::encode(&s)),
        Err(LinkError::OutOfRange { .. })
    ));
}

/// Links written before version 3 existed (by the swarm CLI's `--shrink`
/// at commit c662436): they decode, and encode again byte for byte.
#[test]
fn links_of_before_version_3_are_written_byte_for_byte_as_before() {
    for old in [
        "1.VcsxCsJAEIXhmdldTBBExNrGXnaSXZI0HiGX0MLKQrBPpW3ASrBI5z0stVDwAhaC2ukNDIKQKf-P98Do9ya87XuXlRqWebVDeH1McWzXDQCqXx0Gz1aZd67bAgMibRSSgi4Ek9lyMbcjixZNoxlZdIKJ6BRT0Rlmvw7_f0tspTAxS4mIIykxcSzFETspntgL8Y58vXmsxwEhaW1Q3U9nnMIX",
        "1.Xc-xSgNBEMbxnW_v8EIQRK3zCGFnd2fv7iXyElpYWQj2qawDFipYpNPaR7C0UMHKRiwVLLSz9BAC-VL-fwzDjKur7_PR-83u85kfL2bLa3GfP_X8YTy0c87vL-8nH1uL2eTlai4NUNVe4N2Oaw6OTk-OwzRIkHqtVZQ6SqROkqizZGoToy5SqFtpqTvpqHvp_3u0uidAA4tClSVCI0uCJpYMzSwGHW59u7vFCuM0dUjd2licWoZlFoMZS4EVlhbWsnSwjc09rCcpASWwKIqyRJTIklCGZ78utxsPXwsg1dPvXgNBNWT1evHoD90f",
    ] {
        let state = link::decode(old).unwrap();
        assert_eq!(link::encode(&state), old);
    }
    let mut with_story = six_steps();
    assert!(link::encode(&with_story).starts_with("2."));
    with_story.story = None;
    assert!(link::encode(&with_story).starts_with("1."));
}

/// A run with a reordering change and a torn write (what a swarm run may
/// hold) travels in a version 3 link, with or without a story.
#[test]
fn swarm_faults_travel_in_a_version_3_link() {
    let mut s = state();
    let at = s.actions[1].at_us;
    s.actions.insert(
        1,
        TimedAction::new(
            at,
            Action::SetReorder {
                ppm: 5_000,
                max_delay_us: 20_000,
            },
        ),
    );
    s.actions.push(TimedAction::new(
        MAX_LINK_TIME_US,
        Action::TornCrash { node: 2, steps: 1 },
    ));
    let payload = link::encode(&s);
    assert!(payload.starts_with("3."), "{payload}");
    assert_eq!(link::decode(&payload), Ok(s.clone()));
    let mut told = six_steps();
    told.actions = s.actions.clone();
    let payload = link::encode(&told);
    assert!(payload.starts_with("3."));
    assert_eq!(link::decode(&payload), Ok(told));

    // Out of range: a node that is not there, a write too long, a delay too long.
    for bad in [
        Action::TornCrash { node: 9, steps: 1 },
        Action::TornCrash {
            node: 1,
            steps: MAX_TORN_STEPS + 1,
        },
        Action::SetReorder {
            ppm: 2_000_000,
            max_delay_us: 0,
        },
        Action::SetReorder {
            ppm: 0,
            max_delay_us: 3_600_000_000,
        },
    ] {
        let mut b = state();
        b.actions
            .push(TimedAction::new(MAX_LINK_TIME_US, bad.clone()));
        let err = link::decode(&link::encode(&b)).unwrap_err();
        assert!(
            matches!(err, LinkError::OutOfRange { .. }),
            "{bad:?}: {err}"
        );
    }
    // Too many actions, counting the version 3 ones.
    let mut many = state();
    many.actions = (0..MAX_ACTIONS as u64 + 1)
        .map(|i| {
            let a = if i % 2 == 0 {
                Action::HealAll
            } else {
                Action::SetReorder {
                    ppm: 0,
                    max_delay_us: 0,
                }
            };
            TimedAction::new(i, a)
        })
        .collect();
    assert!(matches!(
        link::decode(&link::encode(&many)),
        Err(LinkError::TooManyActions { .. } | LinkError::TooLarge)
    ));
    assert!(link::decode("3.AAAA").is_err());
}

/// A swarm run whose faults include torn writes opens from its link and
/// replays to the same trace as the run itself.
#[test]
fn a_swarm_run_with_torn_writes_replays_from_its_link() {
    use raft_core::sim::record::Fault;
    use raft_core::sim::swarm::{run_seed_recorded, FaultMix, SwarmParams};
    use raft_core::sim::Timeline;
    let params = SwarmParams {
        allowed: FaultMix::parse("torn-write").unwrap(),
        safety_us: 5_000_000,
        liveness_us: 2_000_000,
        ..SwarmParams::default()
    };
    let (out, run) = (1..50)
        .map(|seed| run_seed_recorded(seed, &params))
        .find(|(_, run)| {
            run.faults
                .iter()
                .any(|f| matches!(f.fault, Fault::TornCrash { .. }))
        })
        .expect("a seed tears a write");
    let share = ShareState::of_run(&run).expect("within the limits");
    let payload = link::encode(&share);
    assert!(payload.starts_with("3."));
    let opened = link::decode(&payload).unwrap();
    let mut tl = Timeline::new(opened.config.clone()).unwrap();
    tl.schedule(opened.actions.clone());
    tl.run_until(opened.time_us);
    assert_eq!(tl.sim().trace_hash(), out.trace_hash);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn generated_states_with_swarm_faults_round_trip(
        mut s in arb_state(),
        extra in proptest::collection::vec((0..40usize, 0..=1_000_000u32, 1..=9u64, 0..100usize), 1..5),
    ) {
        let nodes = s.config.nodes as u64;
        for (i, ppm, node, steps) in extra {
            let i = i.min(s.actions.len());
            let at = s.actions.get(i).map_or(s.actions.last().map_or(0, |a| a.at_us), |a| a.at_us);
            let action = if steps % 2 == 0 {
                Action::SetReorder { ppm, max_delay_us: steps as u64 * 1_000 }
            } else {
                Action::TornCrash { node: 1 + node % nodes, steps }
            };
            s.actions.insert(i, TimedAction::new(at, action));
        }
        let payload = link::encode(&s);
        prop_assert!(payload.starts_with("3."));
        prop_assert_eq!(link::decode(&payload), Ok(s));
    }

    #[test]
    fn generated_states_round_trip(s in arb_state()) {
        let payload = link::encode(&s);
        prop_assert!(payload.len() <= MAX_LINK_CHARS);
        prop_assert_eq!(link::decode(&payload), Ok(s));
    }

    #[test]
    fn generated_stories_round_trip(mut s in arb_state(), story in arb_story()) {
        s.story = Some(story);
        let payload = link::encode(&s);
        prop_assert!(payload.starts_with("2."));
        prop_assert_eq!(link::decode(&payload), Ok(s));
    }

    #[test]
    fn arbitrary_strings_never_panic(text in ".{0,200}") {
        let _ = link::decode(&text);
        let _ = link::decode(&format!("1.{text}"));
    }

    #[test]
    fn arbitrary_base64_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = link::decode(&format!("1.{}", B64.encode(&bytes)));
        let _ = link::decode(&v1_raw(&bytes));
    }

    #[test]
    fn mutated_links_never_panic(
        s in arb_state(),
        edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..4),
    ) {
        let mut bytes = link::encode(&s).into_bytes();
        for (at, b) in edits {
            let i = at % bytes.len();
            bytes[i] = b;
        }
        let text = String::from_utf8_lossy(&bytes);
        if let Ok(decoded) = link::decode(&text) {
            // Whatever decodes is valid and re-encodes faithfully.
            prop_assert_eq!(link::decode(&link::encode(&decoded)), Ok(decoded));
        }
    }

    #[test]
    fn mutated_raw_state_never_panics(
        s in arb_state(),
        edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..4),
    ) {
        let good = link::encode(&s);
        let packed = B64.decode(good.split_once('.').unwrap().1).unwrap();
        let mut raw = miniz_oxide::inflate::decompress_to_vec(&packed).unwrap();
        for (at, b) in edits {
            let i = at % raw.len();
            raw[i] = b;
        }
        let _ = link::decode(&v1_raw(&raw));
    }
}
