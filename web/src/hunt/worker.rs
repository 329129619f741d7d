//! The worker's side: one message in, one message of replies out. [`handle`] is pure (the
//! same seed gives the same reply natively and in the browser); `start` (WebAssembly only)
//! wires it to the worker's `onmessage`.

use super::{
    check_run, decode, watch_state, Failure, FromWorker, HuntSpec, SeedReport, ShrinkReport,
    ToWorker, MAX_BATCH, SHRINK_REPLAYS,
};
use raft_core::check::invariants::Property;
use raft_core::scenario::link;
use raft_core::sim::shrink::{shrink, Run};
use raft_core::sim::swarm::{self, run_seed_recorded};

/// Runs one seed of `spec`. Recording costs about 7% of a seed in wasm, so
/// only a seed that fails runs again, recorded (the same seed gives the
/// same run: the trace hashes must agree).
pub fn run_seed(spec: &HuntSpec, seed: u64) -> Result<SeedReport, String> {
    let params = spec.params()?;
    if swarm::run_seed(seed, &params).passed() {
        return Ok(SeedReport {
            seed,
            failure: None,
        });
    }
    let (out, run) = run_seed_recorded(seed, &params);
    let first = out.violations.first();
    let failure = match (first, &out.liveness_failure) {
        (None, None) => {
            return Err(format!(
                "seed {seed} failed, then passed when run again recorded"
            ))
        }
        (v, liveness) => {
            let (property, message, time_us) = match v {
                Some(v) => (Some(v.property), v.message.clone(), v.time_us),
                None => (None, liveness.clone().unwrap_or_default(), out.sim_us),
            };
            // Replays the run to count its client operations: only failures pay.
            let size = run.size();
            Some((
                Failure {
                    property,
                    message,
                    time_us,
                    size,
                    kinds: out.faults.describe(),
                },
                serde_json::to_string(&run).map_err(|e| e.to_string())?,
            ))
        }
    };
    Ok(SeedReport { seed, failure })
}

/// Shrinks `run`, which broke `property`, with raft-core's shrinker; the
/// report, and the shrunk run.
pub fn shrink_run(seed: u64, run: Run, property: Property) -> Result<(ShrinkReport, Run), String> {
    check_run(&run)?;
    let shrunk = shrink(run, property, SHRINK_REPLAYS);
    let replayed = shrunk.run.replay();
    let Some(v) = replayed
        .violations()
        .iter()
        .find(|v| v.property == property)
    else {
        return Err(format!("seed {seed}'s run does not break {property}"));
    };
    let report = ShrinkReport {
        seed,
        property,
        time_us: v.time_us,
        message: v.message.clone(),
        before: shrunk.before,
        after: shrunk.after,
        replays: shrunk.replays,
        link: watch_state(&shrunk.run, v.time_us).map(|s| link::encode(&s)),
    };
    Ok((report, shrunk.run))
}

/// What a worker answers to the message `text`.
pub fn handle(text: &str) -> Vec<FromWorker> {
    let refused = |why: String| vec![FromWorker::Refused(why)];
    match decode::<ToWorker>(text) {
        Err(why) => refused(why),
        Ok(ToWorker::Seeds { seeds, .. }) if seeds.len() > MAX_BATCH => refused(format!(
            "{} seeds in one message; at most {MAX_BATCH}",
            seeds.len()
        )),
        Ok(ToWorker::Seeds { spec, seeds }) => {
            let mut out = Vec::with_capacity(seeds.len());
            for seed in seeds {
                match run_seed(&spec, seed) {
                    Ok(report) => out.push(FromWorker::Seed(report)),
                    Err(why) => return refused(why),
                }
            }
            out
        }
        Ok(ToWorker::Shrink {
            seed,
            run,
            property,
        }) => match decode::<Run>(&run).and_then(|run| shrink_run(seed, run, property)) {
            Ok((report, _)) => vec![FromWorker::Shrunk(report)],
            Err(why) => refused(why),
        },
    }
}

/// The worker's entry point: answer every message, then say it is ready
/// (the page sends nothing before, so nothing is lost while loading).
#[cfg(target_arch = "wasm32")]
pub fn start() {
    use super::encode;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::{JsCast, JsValue};
    use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

    let Ok(scope) = js_sys::global().dyn_into::<DedicatedWorkerGlobalScope>() else {
        return;
    };
    let reply = scope.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
        let answers = match e.data().as_string() {
            Some(text) => handle(&text),
            None => vec![FromWorker::Refused(
                "a hunt message must be a string".into(),
            )],
        };
        let _ = reply.post_message(&JsValue::from_str(&encode(&answers)));
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The worker lives as long as its scope: the handler is never dropped.
    on_message.forget();
    let _ = scope.post_message(&JsValue::from_str(&encode(&[FromWorker::Ready])));
}
