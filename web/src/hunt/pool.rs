//! The page's side of a hunt: a few workers, each kept busy with
//! [`IN_FLIGHT`] messages (a few seeds each) so it never waits for the page,
//! shrinks before seeds, and Stop terminating every worker at once.

use super::{decode, encode, FromWorker, HuntSpec, ToWorker, MAX_BATCH, MAX_WORKERS};
use raft_core::check::invariants::Property;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::{Rc, Weak};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{MessageEvent, Worker, WorkerOptions};
use yew::Callback;

/// The worker's loader (Trunk's `data-loader-shim`), relative to the page
/// so a hunt works from any sub-path.
pub const WORKER_URL: &str = "./hunt_worker_loader.js";
/// Messages a worker holds at once: it starts the next seed while the page
/// takes its last reply.
pub const IN_FLIGHT: usize = 2;
/// Seeds in one message: one message is then about 40 ms of a worker's
/// work, so the page wakes a few dozen times a second, not once per seed
/// (on two cores, the page's share is taken from the workers).
pub const SEEDS_PER_MESSAGE: u64 = 4;

/// What the pool tells the panel.
#[derive(Clone, Debug, PartialEq)]
pub enum PoolEvent {
    /// A worker's reply.
    Reply(FromWorker),
    /// A worker failed to load or crashed (why, in words).
    Failed(String),
    /// Every seed and shrink asked for is done; the workers are gone.
    Idle,
}

/// Workers this machine gets: one per logical core, at most [`MAX_WORKERS`].
pub fn worker_count() -> usize {
    let cores = web_sys::window()
        .map(|w| w.navigator().hardware_concurrency())
        .unwrap_or(1.0);
    (cores as usize).clamp(1, MAX_WORKERS)
}

struct Slot {
    worker: Worker,
    ready: bool,
    in_flight: usize,
    // Kept so the handlers live as long as the worker.
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

struct Inner {
    spec: HuntSpec,
    next_seed: u64,
    end_seed: u64,
    shrinks: VecDeque<ToWorker>,
    slots: Vec<Slot>,
    on_event: Callback<PoolEvent>,
}

/// Running workers. Dropping the pool terminates them.
pub struct Pool {
    inner: Rc<RefCell<Inner>>,
}

impl Pool {
    /// Starts `workers` workers on seeds `first..=last` of `spec`.
    pub fn start(
        spec: HuntSpec,
        first: u64,
        last: u64,
        workers: usize,
        on_event: Callback<PoolEvent>,
    ) -> Result<Pool, String> {
        let inner = Rc::new(RefCell::new(Inner {
            spec,
            next_seed: first,
            end_seed: last.saturating_add(1),
            shrinks: VecDeque::new(),
            slots: Vec::new(),
            on_event,
        }));
        for index in 0..workers.max(1) {
            let slot = spawn(Rc::downgrade(&inner), index)?;
            inner.borrow_mut().slots.push(slot);
        }
        Ok(Pool { inner })
    }

    /// Queues a shrink (before any seed not yet sent).
    pub fn shrink(&self, seed: u64, run: String, property: Property) {
        self.inner.borrow_mut().shrinks.push_back(ToWorker::Shrink {
            seed,
            run,
            property,
        });
        let workers = self.inner.borrow().slots.len();
        for i in 0..workers {
            feed(&self.inner, i);
        }
    }

    /// Stops sending seeds (the shrinks asked for still run).
    pub fn stop_seeds(&self) {
        let mut inner = self.inner.borrow_mut();
        inner.end_seed = inner.next_seed;
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        for slot in self.inner.borrow_mut().slots.drain(..) {
            slot.worker.terminate();
        }
    }
}

fn spawn(inner: Weak<RefCell<Inner>>, index: usize) -> Result<Slot, String> {
    let options = WorkerOptions::new();
    options.set_name(&format!("hunt-{}", index + 1));
    let worker = Worker::new_with_options(WORKER_URL, &options)
        .map_err(|e| format!("The hunt's worker could not start: {}", js_text(&e)))?;
    let on_reply = inner.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
        let Some(inner) = on_reply.upgrade() else {
            return;
        };
        let replies = match e.data().as_string() {
            Some(text) => decode::<Vec<FromWorker>>(&text).and_then(|r| {
                if r.len() > MAX_BATCH {
                    Err(format!("a worker's {} replies in one message", r.len()))
                } else {
                    Ok(r)
                }
            }),
            None => Err("a worker sent something other than a string".into()),
        };
        received(&inner, index, replies);
    });
    let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |e: web_sys::Event| {
        let Some(inner) = inner.upgrade() else {
            return;
        };
        let why = e
            .dyn_ref::<web_sys::ErrorEvent>()
            .map(|e| e.message())
            .filter(|m| !m.is_empty())
            .unwrap_or_else(|| "it could not be loaded".into());
        // Whatever it held is lost: nothing more is sent to it.
        if let Ok(mut i) = inner.try_borrow_mut() {
            if let Some(slot) = i.slots.get_mut(index) {
                slot.ready = false;
                slot.in_flight = usize::MAX / 2;
            }
        }
        let on_event = inner.borrow().on_event.clone();
        on_event.emit(PoolEvent::Failed(format!("A hunt worker failed: {why}.")));
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    Ok(Slot {
        worker,
        ready: false,
        in_flight: 0,
        _on_message: on_message,
        _on_error: on_error,
    })
}

fn received(inner: &Rc<RefCell<Inner>>, index: usize, replies: Result<Vec<FromWorker>, String>) {
    {
        let mut i = inner.borrow_mut();
        let Some(slot) = i.slots.get_mut(index) else {
            return;
        };
        // The worker's first message says it is ready; every other one
        // answers one message of ours.
        match replies.as_deref() {
            Ok([FromWorker::Ready]) => slot.ready = true,
            _ => slot.in_flight = slot.in_flight.saturating_sub(1),
        }
    }
    feed(inner, index);
    let on_event = inner.borrow().on_event.clone();
    match replies {
        Ok(replies) => {
            for reply in replies {
                on_event.emit(PoolEvent::Reply(reply));
            }
        }
        Err(why) => on_event.emit(PoolEvent::Failed(format!("The hunt refused {why}."))),
    }
    let idle = {
        let i = inner.borrow();
        i.shrinks.is_empty()
            && i.next_seed >= i.end_seed
            && i.slots.iter().all(|s| s.in_flight == 0 || !s.ready)
            && i.slots.iter().any(|s| s.ready)
    };
    if idle {
        on_event.emit(PoolEvent::Idle);
    }
}

/// Gives worker `index` work until it holds [`IN_FLIGHT`] messages.
fn feed(inner: &Rc<RefCell<Inner>>, index: usize) {
    let mut i = inner.borrow_mut();
    loop {
        let (ready, in_flight) = match i.slots.get(index) {
            Some(s) => (s.ready, s.in_flight),
            None => return,
        };
        if !ready || in_flight >= IN_FLIGHT {
            return;
        }
        let message = if let Some(shrink) = i.shrinks.pop_front() {
            shrink
        } else if i.next_seed < i.end_seed {
            let first = i.next_seed;
            i.next_seed = (first + SEEDS_PER_MESSAGE).min(i.end_seed);
            ToWorker::Seeds {
                spec: i.spec.clone(),
                seeds: (first..i.next_seed).collect(),
            }
        } else {
            return;
        };
        let slot = &mut i.slots[index];
        slot.in_flight += 1;
        let _ = slot
            .worker
            .post_message(&JsValue::from_str(&encode(&message)));
    }
}

fn js_text(value: &JsValue) -> String {
    value
        .as_string()
        .or_else(|| {
            value
                .dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
        })
        .unwrap_or_else(|| format!("{value:?}"))
}
