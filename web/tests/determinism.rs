//! The simulation in WebAssembly runs event for event like the native build:
//! the trace hashes of fixed seeds equal the natively computed ones.
#![cfg(target_arch = "wasm32")]

use raft_core::sim::{reference_hashes, REFERENCE_HASHES};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn trace_hashes_match_the_native_build() {
    assert_eq!(reference_hashes(), REFERENCE_HASHES);
}

#[wasm_bindgen_test]
fn a_share_link_round_trips_in_the_browser() {
    let scenario = raft_core::scenario::by_id("network-partition").expect("a library scenario");
    let state = scenario.share_state(3_200_000);
    let link = raft_core::scenario::encode(&state);
    assert_eq!(raft_core::scenario::decode(&link), Ok(state));
    assert!(raft_core::scenario::decode("1.!!").is_err());
}
