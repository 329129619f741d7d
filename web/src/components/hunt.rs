//! The Hunt panel: choose a planted bug, fault kinds, nodes and seeds; the
//! seeds run in Web Workers (see [`crate::hunt`]), every failure is listed,
//! the first one shrunk at once, and Watch opens a shrunk run in the main view.

use crate::fixed::f1;
use crate::hunt::pool::{worker_count, Pool, PoolEvent};
use crate::hunt::{
    describe_size, parse_deep_link, parse_seeds, seconds, Failure, FromWorker, HuntRequest,
    HuntSpec, PlantedBug, SeedReport, ShrinkReport, DEFAULT_SEEDS,
};
use crate::state::{Msg, NewRun};
use raft_core::sim::swarm::{FaultMix, FAULT_NAMES};
use raft_core::sim::MAX_NODES;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use yew::prelude::*;

/// Failures listed (and kept to shrink and watch); the rest are counted.
pub const MAX_ROWS: usize = 50;
/// Safety failures shrunk as soon as they are found, the first ones: how
/// small a failure shrinks depends on the seed (natively, the first five
/// vote-without-log-check failures shrink to 2 to 10 faults).
pub const AUTO_SHRINK: u32 = 3;
/// Seeds done are shown at most this often, ms (a failure at once): each
/// change costs the page a frame's style, layout and paint, which on two
/// cores are taken from the workers.
pub const PROGRESS_EVERY_MS: f64 = 250.0;

/// Where a failure's shrink is.
#[derive(Clone, Debug, PartialEq)]
pub enum ShrinkState {
    /// Not asked for.
    No,
    /// In a worker.
    Running,
    /// Done.
    Done(Rc<ShrinkReport>),
    /// Could not be done (why).
    Failed(String),
}

/// One listed failure.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// The seed.
    pub seed: u64,
    /// What broke.
    pub failure: Failure,
    /// The recorded run (opaque: sent back to a worker to shrink).
    pub run: Rc<str>,
    /// Its shrink.
    pub shrink: ShrinkState,
}

/// The hunt's progress and findings.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HuntModel {
    /// Workers are running seeds.
    pub running: bool,
    /// Workers in this hunt.
    pub workers: usize,
    /// Seeds done.
    pub done: u64,
    /// Seeds asked for.
    pub total: u64,
    /// Seeds that broke something.
    pub violations: u64,
    /// Wall clock when the first worker was ready (loading the worker is
    /// not running seeds) and at the last seed, ms (the page's clock: a
    /// rate for people, never an input of the simulation).
    pub started_ms: f64,
    /// A worker is ready.
    pub ready: bool,
    /// See `started_ms`.
    pub last_ms: f64,
    /// The first failures.
    pub rows: Rc<Vec<Row>>,
    /// Why the hunt stopped early, if it did.
    pub stopped: Option<String>,
}

/// What changes the model.
pub enum HuntMsg {
    /// A hunt started with this many seeds and workers.
    Started(u64, usize),
    /// Stop pressed (or the workers failed).
    Stopped(Option<String>),
    /// Seeds done (several at once: see [`PROGRESS_EVERY_MS`]).
    Seeds(Vec<SeedReport>),
    /// A worker replied (not a seed).
    Reply(FromWorker),
    /// Everything asked for is done.
    Idle,
    /// A shrink was asked for.
    Shrinking(u64),
    /// A shrink was refused.
    ShrinkFailed(String),
}

impl Reducible for HuntModel {
    type Action = HuntMsg;

    fn reduce(self: Rc<Self>, action: HuntMsg) -> Rc<Self> {
        let mut m = (*self).clone();
        let now = now_ms();
        match action {
            HuntMsg::Started(total, workers) => {
                m = HuntModel {
                    running: true,
                    workers,
                    total,
                    started_ms: now,
                    last_ms: now,
                    ..HuntModel::default()
                }
            }
            HuntMsg::Stopped(why) => {
                m.running = false;
                m.stopped = why;
                // Shrinks die with the workers.
                for row in Rc::make_mut(&mut m.rows) {
                    if row.shrink == ShrinkState::Running {
                        row.shrink = ShrinkState::No;
                    }
                }
            }
            HuntMsg::Idle => m.running = false,
            HuntMsg::Seeds(reports) => {
                m.done += reports.len() as u64;
                m.last_ms = now;
                for SeedReport { seed, failure } in reports {
                    let Some((failure, run)) = failure else {
                        continue;
                    };
                    m.violations += 1;
                    if m.rows.len() < MAX_ROWS {
                        // Listed by seed, whichever worker finished first.
                        let at = m.rows.partition_point(|r| r.seed < seed);
                        Rc::make_mut(&mut m.rows).insert(
                            at,
                            Row {
                                seed,
                                failure,
                                run: Rc::from(run),
                                shrink: ShrinkState::No,
                            },
                        );
                    }
                }
            }
            HuntMsg::Reply(FromWorker::Seed(report)) => {
                return self.reduce(HuntMsg::Seeds(vec![report]));
            }
            HuntMsg::Reply(FromWorker::Shrunk(report)) => {
                if let Some(row) = Rc::make_mut(&mut m.rows)
                    .iter_mut()
                    .find(|r| r.seed == report.seed)
                {
                    row.shrink = ShrinkState::Done(Rc::new(report));
                }
            }
            HuntMsg::Reply(FromWorker::Refused(why)) | HuntMsg::ShrinkFailed(why) => {
                for row in Rc::make_mut(&mut m.rows) {
                    if row.shrink == ShrinkState::Running {
                        row.shrink = ShrinkState::Failed(why.clone());
                    }
                }
            }
            HuntMsg::Reply(FromWorker::Ready) => {
                if !m.ready && m.running {
                    m.ready = true;
                    m.started_ms = now;
                }
            }
            HuntMsg::Shrinking(seed) => {
                if let Some(row) = Rc::make_mut(&mut m.rows)
                    .iter_mut()
                    .find(|r| r.seed == seed)
                {
                    row.shrink = ShrinkState::Running;
                }
            }
        }
        Rc::new(m)
    }
}

impl HuntModel {
    /// Seeds per second so far.
    pub fn rate(&self) -> f64 {
        let secs = (self.last_ms - self.started_ms) / 1000.0;
        if secs > 0.0 {
            self.done as f64 / secs
        } else {
            0.0
        }
    }
}

/// Seeds done, not yet shown.
#[derive(Default)]
struct Pending {
    reports: Vec<SeedReport>,
    shown_ms: f64,
}

impl Pending {
    /// The panel was last changed long enough ago.
    fn due(&self) -> bool {
        now_ms() - self.shown_ms >= PROGRESS_EVERY_MS
    }

    fn flush(&mut self, dispatcher: &UseReducerDispatcher<HuntModel>) {
        if !self.reports.is_empty() {
            dispatcher.dispatch(HuntMsg::Seeds(std::mem::take(&mut self.reports)));
            self.shown_ms = now_ms();
        }
    }
}

fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or_default()
}

/// The form's choices.
#[derive(Clone, Debug, PartialEq)]
struct Form {
    bug: Option<PlantedBug>,
    faults: FaultMix,
    nodes: usize,
    seeds: String,
}

impl Form {
    fn of(spec: &HuntSpec, seeds: u64) -> Form {
        Form {
            bug: spec.bug,
            faults: FaultMix::parse(&spec.faults).unwrap_or_else(|_| FaultMix::all()),
            nodes: spec.nodes,
            seeds: seeds.to_string(),
        }
    }

    fn request(&self) -> Result<HuntRequest, String> {
        let spec = HuntSpec {
            bug: self.bug,
            faults: self.faults.describe(),
            nodes: self.nodes,
        };
        spec.params()?;
        Ok(HuntRequest {
            spec,
            seeds: parse_seeds(&self.seeds)?,
            workers: None,
        })
    }
}

/// Props of [`Hunt`].
#[derive(Properties, Clone, PartialEq)]
pub struct HuntProps {
    /// The page's reducer: errors, and Watch opening a run.
    pub dispatch: Callback<Msg>,
}

/// The panel. Reads `?hunt=...` once: a good deep link opens it and starts
/// the hunt, a bad one shows why in the error banner.
#[function_component(Hunt)]
pub fn hunt(props: &HuntProps) -> Html {
    let deep_link = use_memo((), |_| {
        let query = web_sys::window()
            .and_then(|w| w.location().search().ok())
            .unwrap_or_default();
        parse_deep_link(&query)
    });
    let open = use_state(|| matches!(*deep_link, Some(Ok(_))));
    let form = use_state(|| match &*deep_link {
        Some(Ok(r)) => Form::of(&r.spec, r.seeds),
        _ => Form::of(&HuntSpec::default(), DEFAULT_SEEDS),
    });
    let model = use_reducer(HuntModel::default);
    let pool: Rc<RefCell<Option<Pool>>> = use_mut_ref(|| None);
    // How many failures of this hunt were shrunk at once (see AUTO_SHRINK).
    let auto_shrunk = use_mut_ref(|| Cell::new(0u32));
    // Seeds whose Watch was pressed before their shrink was done.
    let watch_after = use_mut_ref(Vec::<u64>::new);

    // Seeds done that the panel does not show yet (see PROGRESS_EVERY_MS).
    let pending = use_mut_ref(Pending::default);

    let on_event: Callback<PoolEvent> = {
        let (dispatcher, pool) = (model.dispatcher(), pool.clone());
        let (auto_shrunk, watch_after) = (auto_shrunk.clone(), watch_after.clone());
        let (page, pending) = (props.dispatch.clone(), pending.clone());
        (*use_memo((), move |_| {
            Callback::from(move |event: PoolEvent| match event {
                PoolEvent::Reply(FromWorker::Seed(report)) => {
                    let mut shrinking = None;
                    if let Some((
                        Failure {
                            property: Some(property),
                            ..
                        },
                        run,
                    )) = &report.failure
                    {
                        let shrunk = auto_shrunk.borrow().get();
                        if shrunk < AUTO_SHRINK {
                            auto_shrunk.borrow().set(shrunk + 1);
                            if let Some(p) = pool.borrow().as_ref() {
                                p.shrink(report.seed, run.clone(), *property);
                                shrinking = Some(report.seed);
                            }
                        }
                    }
                    pending.borrow_mut().reports.push(report);
                    // A failure being shrunk is listed at once (its row
                    // shows the shrink); the rest wait their turn.
                    if shrinking.is_some() || pending.borrow().due() {
                        pending.borrow_mut().flush(&dispatcher);
                    }
                    if let Some(seed) = shrinking {
                        dispatcher.dispatch(HuntMsg::Shrinking(seed));
                    }
                }
                PoolEvent::Reply(FromWorker::Shrunk(report)) => {
                    pending.borrow_mut().flush(&dispatcher);
                    let waiting = watch_after.borrow().contains(&report.seed);
                    if waiting {
                        watch_after.borrow_mut().retain(|s| *s != report.seed);
                        watch(&page, &report);
                    }
                    dispatcher.dispatch(HuntMsg::Reply(FromWorker::Shrunk(report)));
                }
                PoolEvent::Reply(reply) => {
                    pending.borrow_mut().flush(&dispatcher);
                    dispatcher.dispatch(HuntMsg::Reply(reply));
                }
                PoolEvent::Idle => {
                    pending.borrow_mut().flush(&dispatcher);
                    dispatcher.dispatch(HuntMsg::Idle);
                    // Not from inside the worker's handler, which dropping
                    // the pool would free: once it has returned.
                    let pool = pool.clone();
                    wasm_bindgen_futures::spawn_local(async move {
                        pool.borrow_mut().take();
                    });
                }
                PoolEvent::Failed(why) => {
                    pending.borrow_mut().flush(&dispatcher);
                    page.emit(Msg::Error(why.clone()));
                    dispatcher.dispatch(HuntMsg::Stopped(Some(why)));
                    let pool = pool.clone();
                    wasm_bindgen_futures::spawn_local(async move {
                        pool.borrow_mut().take();
                    });
                }
            })
        }))
        .clone()
    };

    let start = {
        let (pool, dispatcher, on_event) = (pool.clone(), model.dispatcher(), on_event.clone());
        let pending = pending.clone();
        let (auto_shrunk, watch_after, page) = (
            auto_shrunk.clone(),
            watch_after.clone(),
            props.dispatch.clone(),
        );
        Callback::from(move |request: HuntRequest| {
            pool.borrow_mut().take();
            *pending.borrow_mut() = Pending::default();
            auto_shrunk.borrow().set(0);
            watch_after.borrow_mut().clear();
            let workers = request.workers.unwrap_or_else(worker_count);
            match Pool::start(request.spec, 1, request.seeds, workers, on_event.clone()) {
                Ok(p) => {
                    *pool.borrow_mut() = Some(p);
                    dispatcher.dispatch(HuntMsg::Started(request.seeds, workers));
                }
                Err(why) => page.emit(Msg::Error(why)),
            }
        })
    };
    // The deep link's hunt starts once, after the first render.
    {
        let (deep_link, start, page) = (deep_link.clone(), start.clone(), props.dispatch.clone());
        use_effect_with((), move |_| match &*deep_link {
            Some(Ok(request)) => start.emit(request.clone()),
            Some(Err(why)) => page.emit(Msg::Error(format!(
                "This hunt link cannot start: {why} Nothing was started."
            ))),
            None => {}
        });
    }

    let on_start = {
        let (form, start, page) = (form.clone(), start.clone(), props.dispatch.clone());
        Callback::from(move |_: MouseEvent| match form.request() {
            Ok(request) => start.emit(request),
            Err(why) => page.emit(Msg::Error(why)),
        })
    };
    let on_stop = {
        let (pool, dispatcher, pending) = (pool.clone(), model.dispatcher(), pending.clone());
        Callback::from(move |_: MouseEvent| {
            // Terminating the workers stops every seed at once.
            pool.borrow_mut().take();
            pending.borrow_mut().flush(&dispatcher);
            dispatcher.dispatch(HuntMsg::Stopped(None));
        })
    };
    let on_shrink = {
        let (pool, dispatcher, on_event, page) = (
            pool.clone(),
            model.dispatcher(),
            on_event.clone(),
            props.dispatch.clone(),
        );
        Callback::from(move |row: Row| {
            let Some(property) = row.failure.property else {
                return;
            };
            if pool.borrow().is_none() {
                // After the hunt: one worker for the shrink alone.
                match Pool::start(HuntSpec::default(), 1, 0, 1, on_event.clone()) {
                    Ok(p) => *pool.borrow_mut() = Some(p),
                    Err(why) => return page.emit(Msg::Error(why)),
                }
            }
            if let Some(p) = pool.borrow().as_ref() {
                p.shrink(row.seed, row.run.to_string(), property);
                dispatcher.dispatch(HuntMsg::Shrinking(row.seed));
            }
        })
    };
    let on_watch = {
        let (page, on_shrink, watch_after) = (
            props.dispatch.clone(),
            on_shrink.clone(),
            watch_after.clone(),
        );
        Callback::from(move |row: Row| match &row.shrink {
            ShrinkState::Done(report) => watch(&page, report),
            ShrinkState::Running => {
                watch_after.borrow_mut().push(row.seed);
            }
            _ => {
                watch_after.borrow_mut().push(row.seed);
                on_shrink.emit(row);
            }
        })
    };

    let toggle = {
        let open = open.clone();
        Callback::from(move |_: MouseEvent| open.set(!*open))
    };
    let m = &*model;
    html! {
        <section class="panel hunt" data-testid="hunt" aria-labelledby="hunt-title"
                 data-open={if *open { "true" } else { "false" }}>
            <h2 id="hunt-title">
                <button class="hunt-toggle" aria-expanded={if *open { "true" } else { "false" }}
                        aria-controls="hunt-body" onclick={toggle}>
                    { if *open { "▾ " } else { "▸ " } }{ "Hunt for bugs" }
                </button>
            </h2>
            if *open {
                <div id="hunt-body">
                    <p class="hint">{ "Runs many seeds with random faults in background workers, checking every safety property; a failure shrinks to a small run you can watch and share." }</p>
                    <HuntForm form={form.clone()} />
                    <div class="hunt-buttons">
                        <button data-testid="hunt-start" onclick={on_start} disabled={m.running}>{ "Start" }</button>
                        <button data-testid="hunt-stop" onclick={on_stop} disabled={!m.running}>{ "Stop" }</button>
                    </div>
                    <Progress done={m.done} total={m.total} violations={m.violations}
                              rate={(m.rate() * 10.0).round() / 10.0} workers={m.workers}
                              running={m.running} stopped={m.stopped.clone()} />
                    <Results rows={m.rows.clone()} more={m.violations.saturating_sub(m.rows.len() as u64)}
                             {on_shrink} {on_watch} />
                </div>
            }
        </section>
    }
}

/// Opens a shrunk run in the main view, paused where it breaks.
fn watch(page: &Callback<Msg>, report: &ShrinkReport) {
    match report.link.as_deref().map(raft_core::scenario::decode) {
        Some(Ok(share)) => {
            page.emit(Msg::NewRun(NewRun::Shared(Box::new(share))));
            if let Some(w) = web_sys::window() {
                forget_deep_link(&w);
                w.scroll_to_with_x_and_y(0.0, 0.0);
            }
        }
        Some(Err(e)) => page.emit(Msg::Error(format!(
            "Seed {}'s shrunk run cannot be opened: {e}",
            report.seed
        ))),
        None => page.emit(Msg::Error(format!(
            "Seed {}'s shrunk run has more faults than a share link carries, so it cannot be opened here.",
            report.seed
        ))),
    }
}

/// Takes the hunt's keys out of the page address: Share keeps the query
/// (embed options, theme), and its link must open the run, not a new hunt.
fn forget_deep_link(window: &web_sys::Window) {
    let location = window.location();
    let search = location.search().unwrap_or_default();
    let kept = without_hunt_keys(&search);
    if kept == search {
        return;
    }
    let path = location.pathname().unwrap_or_default();
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(
            &wasm_bindgen::JsValue::NULL,
            "",
            Some(&format!("{path}{kept}")),
        );
    }
}

/// `search` without its `hunt` and `hunt-*` keys.
pub fn without_hunt_keys(search: &str) -> String {
    let kept: Vec<&str> = search
        .trim_start_matches('?')
        .split('&')
        .filter(|p| {
            let key = p.split('=').next().unwrap_or_default();
            !p.is_empty() && key != "hunt" && !key.starts_with("hunt-")
        })
        .collect();
    if kept.is_empty() {
        String::new()
    } else {
        format!("?{}", kept.join("&"))
    }
}

/// The form is never disabled: a running hunt read it when it started, and
/// the next Start reads it again.
#[derive(Properties, Clone, PartialEq)]
struct FormProps {
    form: UseStateHandle<Form>,
}

#[function_component(HuntForm)]
fn hunt_form(props: &FormProps) -> Html {
    let form = props.form.clone();
    let f = &*form;
    let on_bug = {
        let form = form.clone();
        Callback::from(move |e: Event| {
            let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
            let bug = PlantedBug::parse(&select.value());
            let faults = FaultMix::parse(bug.map_or("all", PlantedBug::suggested_faults))
                .unwrap_or_else(|_| FaultMix::all());
            form.set(Form {
                bug,
                faults,
                ..(*form).clone()
            });
        })
    };
    let on_nodes = {
        let form = form.clone();
        Callback::from(move |e: Event| {
            let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
            let nodes = select.value().parse().unwrap_or(5);
            form.set(Form {
                nodes,
                ..(*form).clone()
            });
        })
    };
    let on_seeds = {
        let form = form.clone();
        Callback::from(move |e: InputEvent| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            form.set(Form {
                seeds: input.value(),
                ..(*form).clone()
            });
        })
    };
    let kinds = FAULT_NAMES.iter().map(|&name| {
        let on = f.faults.describe().split(',').any(|n| n == name);
        let onchange = {
            let form = form.clone();
            Callback::from(move |e: Event| {
                let input: web_sys::HtmlInputElement = e.target_unchecked_into();
                let mut names: Vec<String> = form
                    .faults
                    .describe()
                    .split(',')
                    .filter(|n| !n.is_empty() && *n != name)
                    .map(String::from)
                    .collect();
                if input.checked() {
                    names.push(name.to_string());
                }
                let faults = FaultMix::parse(&names.join(",")).unwrap_or_default();
                form.set(Form {
                    faults,
                    ..(*form).clone()
                });
            })
        };
        html! {
            <label class="hunt-kind">
                <input type="checkbox" checked={on} {onchange}
                       data-testid="hunt-fault" data-kind={name} />
                { name }
            </label>
        }
    });
    html! {
        <div class="hunt-form">
            <label>{ "Planted bug " }
                <select data-testid="hunt-bug" onchange={on_bug}>
                    <option value="none" selected={f.bug.is_none()}>{ "none (a correct Raft)" }</option>
                    { for PlantedBug::ALL.iter().map(|b| html! {
                        <option value={b.name()} selected={f.bug == Some(*b)}>{ b.name() }</option>
                    }) }
                </select>
            </label>
            <label>{ "Nodes " }
                <select data-testid="hunt-nodes" onchange={on_nodes}>
                    { for (1..=MAX_NODES).map(|n| html! {
                        <option value={n.to_string()} selected={f.nodes == n}>{ n }</option>
                    }) }
                </select>
            </label>
            <label>{ "Seeds " }
                <input data-testid="hunt-seeds" type="number" min="1" inputmode="numeric"
                       value={f.seeds.clone()} oninput={on_seeds} />
            </label>
            <fieldset class="hunt-kinds">
                <legend>{ "Fault kinds (each seed draws some of them)" }</legend>
                { for kinds }
            </fieldset>
        </div>
    }
}

#[derive(Properties, Clone, PartialEq)]
struct ProgressProps {
    done: u64,
    total: u64,
    violations: u64,
    rate: f64,
    workers: usize,
    running: bool,
    stopped: Option<String>,
}

#[function_component(Progress)]
fn progress(p: &ProgressProps) -> Html {
    let state = if p.running {
        format!(
            "running in {} worker{}",
            p.workers,
            if p.workers == 1 { "" } else { "s" }
        )
    } else if p.total == 0 {
        "not started".to_string()
    } else if p.done < p.total {
        "stopped".to_string()
    } else {
        "done".to_string()
    };
    html! {
        <div class="hunt-progress" data-testid="hunt-progress" data-done={p.done.to_string()}
             data-total={p.total.to_string()} data-violations={p.violations.to_string()}
             data-running={if p.running { "true" } else { "false" }}
             data-rate={f1(p.rate).to_string()} data-workers={p.workers.to_string()}>
            <progress max={p.total.max(1).to_string()} value={p.done.to_string()}
                      aria-label="Seeds done" />
            <span role="status">
                { format!(
                          "{} of {} seeds · {} seeds/s · {} violation{} · {state}",
                          p.done,
                          p.total,
                          f1(p.rate),
                          p.violations,
                          if p.violations == 1 { "" } else { "s" },
                      ) }
            </span>
            if let Some(why) = &p.stopped {
                <span class="hint">{ why.clone() }</span>
            }
        </div>
    }
}

#[derive(Properties, Clone, PartialEq)]
struct ResultsProps {
    rows: Rc<Vec<Row>>,
    more: u64,
    on_shrink: Callback<Row>,
    on_watch: Callback<Row>,
}

#[function_component(Results)]
fn results(p: &ResultsProps) -> Html {
    if p.rows.is_empty() {
        return html! {};
    }
    html! {
        <div class="hunt-results">
            <table>
                <caption class="sr-only">{ "Failures found" }</caption>
                <thead><tr>
                    <th scope="col">{ "Seed" }</th><th scope="col">{ "Broken" }</th>
                    <th scope="col">{ "Run" }</th><th scope="col">{ "Shrunk" }</th>
                    <th scope="col"><span class="sr-only">{ "Open" }</span></th>
                </tr></thead>
                <tbody>
                    { for p.rows.iter().map(|row| result_row(row, &p.on_shrink, &p.on_watch)) }
                </tbody>
            </table>
            if p.more > 0 {
                <p class="hint">{ format!("and {} more failing seeds (the first {} are listed)", p.more, MAX_ROWS) }</p>
            }
        </div>
    }
}

/// A run's size for tests and measurements: `faults,client ops,virtual us`.
fn size_data(s: &raft_core::sim::shrink::RunSize) -> String {
    format!("{},{},{}", s.faults, s.client_ops, s.virtual_us)
}

fn result_row(row: &Row, on_shrink: &Callback<Row>, on_watch: &Callback<Row>) -> Html {
    let property = row
        .failure
        .property
        .map_or("Liveness", |p| p.as_str())
        .to_string();
    let shrunk = matches!(row.shrink, ShrinkState::Done(_));
    let shrink_cell = match &row.shrink {
        ShrinkState::No if row.failure.property.is_some() => {
            let (r, cb) = (row.clone(), on_shrink.clone());
            html! { <button class="small" onclick={Callback::from(move |_: MouseEvent| cb.emit(r.clone()))}
            aria-label={format!("Shrink seed {}", row.seed)}>{ "Shrink" }</button> }
        }
        ShrinkState::No => html! { { "—" } },
        ShrinkState::Running => html! { <span>{ "shrinking…" }</span> },
        ShrinkState::Done(r) => html! {
            <span title={r.message.clone()}>
                { format!("{} → {} faults, {} → {} client ops, {} → {} · {} replays",
                          r.before.faults, r.after.faults, r.before.client_ops, r.after.client_ops,
                          seconds(r.before.virtual_us), seconds(r.after.virtual_us), r.replays) }
            </span>
        },
        ShrinkState::Failed(why) => html! { <span class="bad">{ format!("failed: {why}") }</span> },
    };
    let (r, cb) = (row.clone(), on_watch.clone());
    let can_watch = row.failure.property.is_some();
    html! {
        <tr data-testid="hunt-result" data-seed={row.seed.to_string()} data-property={property.clone()}
            data-shrunk={if shrunk { "true" } else { "false" }} data-time-us={row.failure.time_us.to_string()}
            data-size={size_data(&row.failure.size)}
            data-shrunk-size={match &row.shrink { ShrinkState::Done(r) => size_data(&r.after), _ => String::new() }}
            data-replays={match &row.shrink { ShrinkState::Done(r) => r.replays.to_string(), _ => String::new() }}>
            <td>{ row.seed }</td>
            <td title={row.failure.message.clone()}>
                { format!("{property} at {}", seconds(row.failure.time_us)) }
                <span class="hint">{ format!(" ({})", row.failure.kinds.replace(',', ", ")) }</span>
            </td>
            <td>{ describe_size(&row.failure.size) }</td>
            <td>{ shrink_cell }</td>
            <td>
                <button class="small" data-testid="hunt-watch" disabled={!can_watch}
                        onclick={Callback::from(move |_: MouseEvent| cb.emit(r.clone()))}
                        aria-label={format!("Watch seed {}", row.seed)}>{ "Watch" }</button>
            </td>
        </tr>
    }
}

#[cfg(test)]
mod tests {
    use super::without_hunt_keys;

    #[test]
    fn watching_forgets_the_hunt_but_not_the_other_options() {
        assert_eq!(without_hunt_keys("?hunt=commit-old-term&hunt-seeds=9"), "");
        assert_eq!(
            without_hunt_keys("?theme=dark&hunt=none&autoplay=0"),
            "?theme=dark&autoplay=0"
        );
        assert_eq!(without_hunt_keys(""), "");
        assert_eq!(without_hunt_keys("?hunting=1"), "?hunting=1");
    }
}
