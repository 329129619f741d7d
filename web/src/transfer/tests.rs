use super::*;
use crate::state::{Msg, Playground, SimTime};
use raft_core::kv::Op;
use raft_core::scenario::link::{MAX_ACTIONS, MAX_LINK_TIME_US};
use raft_core::scenario::{self, Selected, TimedAction};
use raft_core::sim::{splitmix64, Action, Sim, SimConfig};

/// A version-1 file as the first release wrote it: it must keep loading.
const FIXTURE_V1: &str = include_str!("../../tests/fixtures/scenario-v1.json");
/// The same run exported by version 2 (only the trace hash differs).
const FIXTURE_V2: &str = include_str!("../../tests/fixtures/scenario-v2.json");

fn sample() -> (ShareState, u64) {
    let p = Playground::from_scenario(scenario::by_id("leader-crash").unwrap());
    p.timeline.borrow_mut().run_until(1_200_000);
    let mut state = p.share_state();
    state.actions.push(TimedAction::new(
        1_300_000,
        Action::ClientRequest {
            op: Op::Set {
                key: "k\"ey".into(),
                value: "vä\n{}".into(),
            },
            target: Some(2),
        },
    ));
    state.actions.sort_by_key(|a| a.at_us);
    state.time_us = 1_500_000;
    state.selected = Some(Selected::Node(3));
    (state, 0x0123_4567_89ab_cdef)
}

fn decode_str(text: &str) -> Result<ScenarioFile, ImportError> {
    decode_scenario(text.as_bytes())
}

/// The sample file with one edit to its JSON value.
fn edited(edit: impl FnOnce(&mut serde_json::Value)) -> String {
    let (state, hash) = sample();
    let mut value: serde_json::Value =
        serde_json::from_str(&encode_scenario(&state, hash)).unwrap();
    edit(&mut value);
    serde_json::to_string_pretty(&value).unwrap()
}

#[test]
fn a_scenario_file_round_trips() {
    let (state, hash) = sample();
    let text = encode_scenario(&state, hash);
    assert!(text.starts_with("{\n  \"format\": \"raft-playground-scenario\",\n  \"version\": 2,"));
    assert!(text.contains("\"trace_hash\": \"0123456789abcdef\""));
    assert!(text.ends_with("}\n"));
    assert_eq!(
        decode_str(&text),
        Ok(ScenarioFile {
            state,
            trace_hash: Some(hash)
        })
    );
}

#[test]
fn every_library_scenario_round_trips_at_every_step() {
    for s in scenario::library() {
        for t in s.steps.iter().map(|step| step.at_us).chain([0, s.end_us]) {
            let state = s.share_state(t);
            let file = decode_str(&encode_scenario(&state, t)).unwrap();
            assert_eq!(file.state, state, "{}", s.id);
            assert_eq!(file.trace_hash, Some(t));
        }
    }
}

/// Exporting and importing restores the same moment of the same run: the
/// playground's own replay lands on the same time and trace hash.
#[test]
fn an_imported_file_replays_to_the_exported_moment() {
    use yew::Reducible;
    let mut p = std::rc::Rc::new(Playground::from_scenario(
        scenario::by_id("network-partition").unwrap(),
    ));
    // The user's own actions on top of the scripted ones, taken as the UI does.
    for msg in [
        Msg::Seek(SimTime::from_ms(900)),
        Msg::Act(Action::Crash(2)),
        Msg::Seek(SimTime::from_ms(1_700)),
        Msg::Act(Action::SetLoss(50_000)),
        Msg::Seek(SimTime::from_ms(2_100)),
        Msg::Act(Action::Restart(2)),
        Msg::Seek(SimTime::from_ms(2_345)),
    ] {
        p = p.reduce(msg);
    }
    let hash = p.timeline.borrow().sim().trace_hash();
    let file = decode_str(&encode_scenario(&p.share_state(), hash)).unwrap();
    assert!(file.state.actions.len() > 3, "scripted and user actions");
    let replayed = Playground::from_share(file.state.clone());
    assert_eq!(replayed.now_us(), 2_345_000);
    assert_eq!(replayed.timeline.borrow().sim().trace_hash(), hash);
    assert!(!replayed.playing, "a loaded file opens paused");
    assert!(loaded_notice("x.json", &file, hash).contains("replayed to"));
    assert!(loaded_notice("x.json", &file, hash ^ 1).contains("differs"));
}

/// Random valid states, with strings that need escaping: encode then decode
/// gives the state back.
#[test]
fn random_states_round_trip() {
    let mut r = 0x5eed_u64;
    let mut next = |n: u64| {
        r = splitmix64(r);
        r % n
    };
    let text = ["", "x", "ü\"\\/\u{1f980}", "\u{0}\t\r\n", "{\"format\":1}"];
    for _ in 0..200 {
        let nodes = 1 + next(9) as usize;
        let node = |v: u64| 1 + v % nodes as u64;
        let mut at = 0;
        let actions = (0..next(40))
            .map(|_| {
                at += next(200_000);
                let action = match next(8) {
                    0 => Action::Crash(node(next(9))),
                    1 => Action::Restart(node(next(9))),
                    2 => Action::CutLink {
                        from: node(next(9)),
                        to: node(next(9)),
                    },
                    3 => Action::SetLoss(next(1_000_001) as u32),
                    4 => Action::SetDrift {
                        node: node(next(9)),
                        ppm: next(1_000_001) as i64 - 500_000,
                    },
                    5 => Action::Partition(vec![vec![node(0)], vec![node(1)]]),
                    6 => Action::HealAll,
                    _ => Action::ClientRequest {
                        op: Op::Set {
                            key: format!("k{}", next(100)),
                            value: text[next(text.len() as u64) as usize].into(),
                        },
                        target: (next(2) == 0).then(|| node(next(9))),
                    },
                };
                TimedAction::new(at, action)
            })
            .collect();
        let state = ShareState {
            scenario_id: (next(2) == 0).then(|| "leader-crash".to_string()),
            config: SimConfig {
                nodes,
                // Any u64: JSON numbers above 2^53 must stay exact.
                seed: next(u64::MAX) | 1 << 63,
                ..SimConfig::default()
            },
            actions,
            time_us: next(MAX_LINK_TIME_US),
            speed_milli: 1 + next(1_000_000) as u32,
            selected: match next(3) {
                0 => None,
                1 => Some(Selected::Node(node(next(9)))),
                _ => Some(Selected::Message(next(u64::MAX))),
            },
            // Exported files carry a story of one's own too.
            story: (next(2) == 0).then(|| raft_core::scenario::Story {
                title: "A \"quoted\" story".into(),
                summary: "<b>not markup</b>\nsecond line".into(),
                steps: (0..next(4))
                    .map(|i| raft_core::scenario::StoryStep {
                        at_us: i * 1_000,
                        title: format!("step {i}"),
                        text: "é ✓".into(),
                        promise: (i == 1).then_some(raft_core::scenario::Promise::Leads(1)),
                    })
                    .collect(),
            }),
        };
        link::validate(&state).unwrap();
        let hash = next(u64::MAX);
        let file = decode_str(&encode_scenario(&state, hash)).unwrap();
        assert_eq!((file.state, file.trace_hash), (state, Some(hash)));
    }
}

#[test]
fn both_fixtures_load_the_same_run_and_only_version_2_hashes_are_compared() {
    let v1 = decode_str(FIXTURE_V1).unwrap();
    let v2 = decode_str(FIXTURE_V2).unwrap();
    assert_eq!(v1.state, v2.state);
    assert_eq!(v1.state.scenario_id.as_deref(), Some("leader-crash"));
    assert_eq!(v1.state.time_us, 3_000_000);
    assert!(v1
        .state
        .actions
        .iter()
        .any(|a| matches!(a.action, Action::ClientRequest { .. })));
    // Replayed here, the run has version 2's hash; version 1's (FNV-1a) is
    // not compared, so its notice does not claim the run differs.
    let replayed = Playground::from_share(v2.state.clone());
    let hash = replayed.timeline.borrow().sim().trace_hash();
    assert_eq!(v2.trace_hash, Some(hash));
    assert_eq!(v1.trace_hash, None);
    assert!(loaded_notice("v1.json", &v1, hash).contains("replayed to"));
    assert!(loaded_notice("v2.json", &v2, hash).contains("replayed to"));
}

#[test]
fn a_byte_order_mark_and_surrounding_white_space_are_accepted() {
    let (state, hash) = sample();
    let text = format!("\u{feff}\n  {}  \n", encode_scenario(&state, hash));
    assert_eq!(decode_str(&text).unwrap().state, state);
}

#[test]
fn a_file_over_the_limit_is_refused_before_parsing() {
    let big = vec![b' '; MAX_FILE_BYTES as usize + 1];
    let e = decode_scenario(&big).unwrap_err();
    assert_eq!(
        e,
        ImportError::TooLarge {
            bytes: MAX_FILE_BYTES + 1
        }
    );
    assert!(e.to_string().contains("at most 1024 KiB"), "{e}");
}

#[test]
fn an_empty_file_is_refused() {
    assert_eq!(decode_str(""), Err(ImportError::Empty));
    assert_eq!(decode_str(" \n\t"), Err(ImportError::Empty));
}

#[test]
fn not_json_is_refused_with_its_line_and_column() {
    let e = decode_str("{\n  \"format\": \"raft-playground-scenario\",\n  oops\n}").unwrap_err();
    assert!(matches!(e, ImportError::NotJson { .. }), "{e:?}");
    let message = e.to_string();
    assert!(message.contains("line 3 column 3"), "{message}");
    assert!(
        message.starts_with("The file is not valid JSON: "),
        "{message}"
    );
    // A picture, say.
    let e = decode_scenario(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap_err();
    assert!(e.to_string().contains("line 1 column 1"), "{e}");
}

#[test]
fn a_cut_off_file_is_called_truncated() {
    let (state, hash) = sample();
    let text = encode_scenario(&state, hash);
    let e = decode_str(&text[..text.len() / 2]).unwrap_err();
    assert!(matches!(e, ImportError::Truncated { .. }), "{e:?}");
    assert!(e.to_string().contains("cut off"), "{e}");
}

#[test]
fn a_trace_export_is_named_as_such() {
    let mut sim = Sim::new(SimConfig::default()).unwrap();
    sim.run_until(300_000);
    let state = scenario::by_id("first-election")
        .unwrap()
        .share_state(300_000);
    let mut jsonl = Vec::new();
    write_trace(
        &mut jsonl,
        &TraceHeader::new(&state, sim.trace()),
        sim.trace(),
    )
    .unwrap();
    assert_eq!(decode_scenario(&jsonl), Err(ImportError::TraceExport));
    // Only its header line: one JSON object, still a trace.
    let first = jsonl.split(|&b| b == b'\n').next().unwrap();
    assert_eq!(decode_scenario(first), Err(ImportError::TraceExport));
}

#[test]
fn other_json_is_not_a_scenario_file() {
    for (text, found) in [
        ("[1, 2]", None),
        ("42", None),
        ("{\"name\": \"x\"}", None),
        ("{\"format\": 7, \"version\": 1}", None),
        (
            "{\"format\": \"other-tool\", \"version\": 1}",
            Some("other-tool"),
        ),
    ] {
        assert_eq!(
            decode_str(text),
            Err(ImportError::NotAScenarioFile {
                found: found.map(str::to_string)
            }),
            "{text}"
        );
    }
    let e = decode_str("{\"format\": \"other-tool\"}").unwrap_err();
    assert!(
        e.to_string().contains("its format is \"other-tool\""),
        "{e}"
    );
}

#[test]
fn other_versions_are_refused_by_number() {
    let e = decode_str(&edited(|v| v["version"] = 3.into())).unwrap_err();
    assert_eq!(e, ImportError::UnsupportedVersion { found: Some(3) });
    assert!(e.to_string().contains("version 3"), "{e}");
    let e = decode_str(&edited(|v| v["version"] = 0.into())).unwrap_err();
    assert_eq!(e, ImportError::UnsupportedVersion { found: Some(0) });
    let e = decode_str(&edited(|v| v["version"] = "1".into())).unwrap_err();
    assert_eq!(e, ImportError::UnsupportedVersion { found: None });
    assert!(e.to_string().contains("no \"version\" number"), "{e}");
    let e = decode_str(&edited(|v| {
        v.as_object_mut().unwrap().remove("version");
    }))
    .unwrap_err();
    assert_eq!(e, ImportError::UnsupportedVersion { found: None });
}

#[test]
fn a_missing_field_or_a_wrong_type_is_named() {
    let e = decode_str(&edited(|v| {
        v["state"].as_object_mut().unwrap().remove("speed_milli");
    }))
    .unwrap_err();
    assert!(matches!(e, ImportError::Malformed { .. }), "{e:?}");
    assert!(e.to_string().contains("missing field `speed_milli`"), "{e}");
    let e = decode_str(&edited(|v| v["state"]["config"]["seed"] = "seven".into())).unwrap_err();
    assert!(
        e.to_string().contains("invalid type: string \"seven\""),
        "{e}"
    );
    assert!(e.to_string().contains("line "), "{e}");
    let e = decode_str(&edited(|v| {
        v["state"]["actions"][0]["action"] = "Explode".into()
    }))
    .unwrap_err();
    assert!(e.to_string().contains("unknown variant `Explode`"), "{e}");
    let e = decode_str(&edited(|v| v["state"]["time_us"] = (-1).into())).unwrap_err();
    assert!(matches!(e, ImportError::Malformed { .. }), "{e:?}");
    let e = decode_str(&edited(|v| v["trace_hash"] = "xyz".into())).unwrap_err();
    assert!(e.to_string().contains("not 16 hex digits"), "{e}");
}

#[test]
fn out_of_range_values_get_the_share_link_rules() {
    type Edit = fn(&mut serde_json::Value);
    let cases: [(Edit, &str); 6] = [
        (
            |v| v["state"]["config"]["nodes"] = 50.into(),
            "node count 50",
        ),
        (
            |v| v["state"]["time_us"] = (MAX_LINK_TIME_US + 1).into(),
            "one-hour limit",
        ),
        (|v| v["state"]["speed_milli"] = 0.into(), "speed"),
        (
            |v| v["state"]["selected"] = serde_json::json!({ "Node": 12 }),
            "selected node 12",
        ),
        (
            |v| v["state"]["actions"][0]["action"] = serde_json::json!({ "Crash": 7 }),
            "names node 7",
        ),
        (|v| v["state"]["scenario_id"] = "<b>".into(), "scenario id"),
    ];
    for (edit, expected) in cases {
        let e = decode_str(&edited(edit)).unwrap_err();
        assert!(
            matches!(e, ImportError::Invalid(LinkError::OutOfRange { .. })),
            "{e:?}"
        );
        let message = e.to_string();
        assert!(
            message.starts_with("The scenario file holds a value out of range: "),
            "{message}"
        );
        assert!(message.contains(expected), "{message} lacks {expected}");
    }
}

#[test]
fn too_many_actions_are_refused() {
    let text = edited(|v| {
        let actions = v["state"]["actions"].as_array_mut().unwrap();
        let last = actions.last().unwrap().clone();
        actions.resize(MAX_ACTIONS + 1, last);
    });
    let e = decode_str(&text).unwrap_err();
    assert_eq!(
        e,
        ImportError::Invalid(LinkError::TooManyActions {
            count: MAX_ACTIONS + 1,
            max: MAX_ACTIONS
        })
    );
    assert!(e.to_string().contains("1001 actions; at most 1000"), "{e}");
}

#[test]
fn unordered_actions_are_refused() {
    let e = decode_str(&edited(|v| {
        let actions = v["state"]["actions"].as_array_mut().unwrap();
        actions.reverse();
    }))
    .unwrap_err();
    assert!(
        e.to_string().contains("before the action preceding it"),
        "{e}"
    );
}

/// Whatever the bytes, decoding returns: a damaged file is refused, never a panic.
#[test]
fn damaged_files_never_panic() {
    let (state, hash) = sample();
    let good = encode_scenario(&state, hash).into_bytes();
    let mut r = 7u64;
    let mut next = |n: usize| {
        r = splitmix64(r);
        (r % n as u64) as usize
    };
    let mut refused = 0;
    for _ in 0..2_000 {
        let mut bytes = good.clone();
        for _ in 0..1 + next(4) {
            let i = next(bytes.len());
            match next(4) {
                0 => bytes[i] = next(256) as u8,
                1 => {
                    bytes.remove(i);
                }
                2 => bytes.insert(i, b"{}[]\",:0-e9\\"[next(12)]),
                _ => bytes.truncate(i),
            }
            if bytes.is_empty() {
                break;
            }
        }
        match decode_scenario(&bytes) {
            Ok(file) => assert_eq!(link::validate(&file.state), Ok(())),
            Err(e) => {
                refused += 1;
                assert!(e.to_string().ends_with('.'), "{e}");
            }
        }
    }
    assert!(refused > 1_000, "only {refused} damaged files refused");
    // Deep nesting is refused by the parser's recursion limit, not the stack.
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(matches!(
        decode_str(&deep),
        Err(ImportError::NotAScenarioFile { .. } | ImportError::NotJson { .. })
    ));
}

#[test]
fn messages_name_the_file_and_promise_nothing_changed() {
    let message = refused_message("my run.json", &ImportError::Empty);
    assert_eq!(
        message,
        "Cannot load \"my run.json\": The file is empty. Your current run is unchanged."
    );
    let long = "a".repeat(300);
    assert!(refused_message(&long, &ImportError::Empty).len() < 120);
}

#[test]
fn download_names_use_the_scenario_or_the_seed() {
    let s = scenario::by_id("leader-crash").unwrap().share_state(0);
    assert_eq!(scenario_file_name(&s), "raft-playground-leader-crash.json");
    assert_eq!(
        trace_file_name(&s),
        "raft-playground-leader-crash-trace.jsonl"
    );
    let free = ShareState {
        scenario_id: None,
        config: SimConfig::with_seed(42),
        ..s
    };
    assert_eq!(scenario_file_name(&free), "raft-playground-seed-42.json");
}

/// The trace export: a header whose counts match the lines that follow,
/// each a JSON object, with consecutive sequence numbers.
#[test]
fn a_trace_export_is_a_header_then_one_event_per_line() {
    let config = SimConfig {
        trace_capacity: 500,
        ..SimConfig::with_seed(3)
    };
    let mut sim = Sim::new(config.clone()).unwrap();
    sim.run_until(2_000_000);
    let state = ShareState {
        scenario_id: None,
        config,
        actions: Vec::new(),
        time_us: 2_000_000,
        speed_milli: 1_000,
        selected: None,
        story: None,
    };
    let mut out = Vec::new();
    let header = TraceHeader::new(&state, sim.trace());
    write_trace(&mut out, &header, sim.trace()).unwrap();
    let text = String::from_utf8(out).unwrap();
    let mut lines = text.lines();
    let read: TraceHeader = serde_json::from_str(lines.next().unwrap()).unwrap();
    assert_eq!(read, header);
    assert_eq!(read.format, TRACE_FORMAT);
    assert_eq!(
        (read.seed, read.time_us, read.trace_capacity),
        (3, 2_000_000, 500)
    );
    assert_eq!(read.trace_hash, format!("{:016x}", sim.trace_hash()));
    assert!(read.dropped_events > 0, "the ring buffer overflowed");
    assert_eq!(read.events, 500);
    assert_eq!(read.total_events, read.dropped_events + read.events);
    let events: Vec<raft_core::sim::TraceEvent> =
        lines.map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(events.len() as u64, read.events);
    for (i, e) in events.iter().enumerate() {
        assert_eq!(e.seq, read.dropped_events + i as u64);
    }
    assert_eq!(
        &events[..],
        &sim.trace().events().iter().cloned().collect::<Vec<_>>()[..]
    );
    assert!(text.ends_with('\n'));
}
