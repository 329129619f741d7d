//! The bug hunt in WebAssembly finds and shrinks what the native build does:
//! the reference failure (seed 4 of a vote-without-log-check hunt, every
//! fault kind, 5 nodes) shrinks to the same run, with the trace hash and
//! size the native test `hunt::tests::the_reference_failure_shrinks_...`
//! asserts, through the worker's own message handler.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::*;
use web::hunt::worker::{handle, shrink_run};
use web::hunt::{decode, encode, FromWorker, HuntSpec, PlantedBug, ToWorker};

wasm_bindgen_test_configure!(run_in_browser);

/// Measured natively (`cargo test -p web --lib hunt`).
const SEED: u64 = 4;
const SHRUNK_HASH: u64 = 0x8638_11a9_fabe_526a;
const SHRUNK_FAULTS: usize = 2;
const SHRUNK_US: u64 = 7_570_839;
const BEFORE_FAULTS: usize = 52;

/// Lets the test runner poll the page between the long synchronous steps
/// (it gives up on a page that is busy for about 20 s at a stretch, which a
/// debug build's shrink comes near on a loaded machine).
async fn breathe() {
    gloo_timers::future::TimeoutFuture::new(0).await;
}

#[wasm_bindgen_test]
async fn a_shrunk_run_replays_to_the_native_trace_hash() {
    let spec = HuntSpec {
        bug: Some(PlantedBug::VoteWithoutLogCheck),
        ..HuntSpec::default()
    };
    let seeds = encode(&ToWorker::Seeds {
        spec,
        seeds: vec![SEED],
    });
    let replies = handle(&seeds);
    let [FromWorker::Seed(report)] = replies.as_slice() else {
        panic!("one seed, one report");
    };
    let (failure, run) = report.failure.clone().expect("seed 4 breaks a property");
    assert_eq!(failure.size.faults, BEFORE_FAULTS);
    let property = failure.property.expect("a safety property");
    breathe().await;
    let (shrunk, run) = shrink_run(SEED, decode(&run).unwrap(), property).unwrap();
    assert_eq!(shrunk.before.faults, BEFORE_FAULTS);
    assert_eq!(shrunk.after.faults, SHRUNK_FAULTS);
    assert_eq!(shrunk.after.virtual_us, SHRUNK_US);
    assert_eq!(run.replay().trace_hash(), SHRUNK_HASH);
    breathe().await;
    // The worker's message handler gives the same answer: shrinking the
    // shrunk run again (cheap: it is already small) changes nothing.
    let again = encode(&ToWorker::Shrink {
        seed: SEED,
        run: encode(&run),
        property,
    });
    let replies = handle(&again);
    let [FromWorker::Shrunk(again)] = replies.as_slice() else {
        panic!("one shrink, one report");
    };
    assert_eq!(again.after, shrunk.after);
    assert_eq!(again.time_us, shrunk.time_us);
    assert_eq!(again.link, shrunk.link, "the same run, the same link");
    // Watch's link replays to the same violation at the same moment.
    let share = raft_core::scenario::decode(shrunk.link.as_deref().expect("a link")).unwrap();
    let mut tl = raft_core::sim::Timeline::new(share.config.clone()).unwrap();
    tl.schedule(share.actions.clone());
    tl.run_until(share.time_us);
    assert!(tl
        .sim()
        .violations()
        .iter()
        .any(|v| v.property == property && v.time_us == shrunk.time_us));
    // A malformed message is refused in the browser too.
    assert!(matches!(
        handle("{\"Shrink\":").as_slice(),
        [FromWorker::Refused(_)]
    ));
}
