//! What the page needs of `raft-core`, used once each so that none of it is
//! optimised away: a share link decoded (or a library scenario started when it
//! does not decode), the timeline run with its checkpoints, a seek back, a
//! step, node and message views, the live linearizability check, the
//! invariant violations, and the link encoded again.

// The page's allocator (web/src/lib.rs).
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

use raft_core::check::linearizability::IncrementalChecker;
use raft_core::scenario::{self, link};
use raft_core::sim::Timeline;
use wasm_bindgen::prelude::*;

/// Runs `link` (or library scenario `scenario_id`) to `t_us` and sums up the
/// result in one line.
#[wasm_bindgen]
pub fn run(link_text: &str, scenario_id: &str, t_us: u64) -> String {
    let state = match link::decode(link_text) {
        Ok(state) => state,
        Err(e) => {
            let from_library = scenario::library()
                .into_iter()
                .find(|s| s.id == scenario_id)
                .and_then(|s| s.run_to(t_us).ok());
            return match from_library {
                Some(timeline) => format!("{e}; scenario hash {}", timeline.sim().trace_hash()),
                None => e.to_string(),
            };
        }
    };
    let mut timeline = match Timeline::new(state.config.clone()) {
        Ok(t) => t,
        Err(e) => return e.to_string(),
    };
    let mut refused = 0;
    for a in &state.actions {
        timeline.run_until(a.at_us);
        refused += usize::from(timeline.act(a.action.clone()).is_err());
    }
    timeline.run_until(t_us);
    timeline.seek(t_us / 2);
    timeline.step();
    let sim = timeline.sim();
    let entries: usize = sim.nodes_with_log(50).iter().map(|n| n.log.len()).sum();
    let in_flight = sim.messages_in_flight().len();
    let linearizable = IncrementalChecker::new()
        .check(sim.history(), 100_000)
        .is_linearizable();
    format!(
        "{entries} {in_flight} {refused} {linearizable} {} {}",
        sim.violations().len(),
        link::encode(&state)
    )
}
