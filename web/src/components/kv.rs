//! The key-value panel: a client form, the results of the user's requests,
//! every node's applied store side by side, and the client history as bars.

use crate::fixed::{f1, shortest};
use crate::state::{LinStatus, Msg};
use crate::view::nodes::StoreColumn;
use crate::view::requests::{client_name, RequestResult};
use raft_core::check::linearizability::Operation;
use raft_core::kv::Op;
use raft_core::sim::{Action, USER_CLIENT_BASE};
use raft_core::NodeId;
use std::collections::BTreeSet;
use std::rc::Rc;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// Operations drawn in the history chart (the newest).
pub const HISTORY_BARS: usize = 40;
// A fold of the history never leaves fewer operations than the chart draws.
const _: () = assert!(HISTORY_BARS <= raft_core::check::linearizability::FOLD_KEEPS_NEWEST);

/// Props of [`KvPanel`].
#[derive(Properties, Clone, PartialEq)]
pub struct KvProps {
    /// Every node's applied store.
    pub stores: Rc<Vec<StoreColumn>>,
    /// The user's recent requests.
    pub results: Rc<Vec<RequestResult>>,
    /// Recent client operations (all clients), for the history chart.
    pub history: Rc<Vec<Operation>>,
    /// Client operations invoked in the whole run (the verdict covers them all).
    #[prop_or_default]
    pub invoked: u64,
    /// Current virtual time.
    pub now_us: u64,
    /// Linearizability verdict.
    pub lin: LinStatus,
    /// Sends a message to the reducer.
    pub dispatch: Callback<Msg>,
}

/// The KV panel. It re-renders every frame (the history chart's axis ends
/// at the current time), so its parts are components of their own that
/// skip while their props stay the same.
#[function_component(KvPanel)]
pub fn kv_panel(props: &KvProps) -> Html {
    let node_ids: Vec<NodeId> = props.stores.iter().map(|s| s.id).collect();
    html! {
        <section class="panel kv" aria-label="Key-value store">
            <h2>{ "Key-value store" }</h2>
            <KvForm {node_ids} dispatch={props.dispatch.clone()} />
            <ol class="kv-results" data-testid="kv-result" aria-live="polite">
                { for props.results.iter().map(|r| html! {
                    <li key={r.op} data-op={r.op.to_string()} data-done={r.reply.is_some().to_string()}>{ r.text() }</li>
                }) }
            </ol>
            <StoreTable columns={props.stores.clone()} />
            <HistoryChart history={props.history.clone()} invoked={props.invoked} now_us={props.now_us} lin={props.lin.clone()} />
        </section>
    }
}

/// Props of [`KvForm`].
#[derive(Properties, Clone, PartialEq)]
pub struct KvFormProps {
    /// Nodes a request can be sent to.
    pub node_ids: Vec<NodeId>,
    /// Sends a message to the reducer.
    pub dispatch: Callback<Msg>,
}

/// The client form: key, value, expected value (CAS), target, and the four
/// requests.
#[function_component(KvForm)]
pub fn kv_form(props: &KvFormProps) -> Html {
    // Controlled fields: Yew re-applies `value` on every render, so the form's
    // text lives in state rather than in the DOM.
    let key = use_state(|| "x".to_string());
    let value = use_state(|| "1".to_string());
    let expected = use_state(String::new);
    let target = use_state(|| None::<NodeId>);
    let bind = |field: &UseStateHandle<String>| {
        let field = field.clone();
        Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            field.set(input.value());
        })
    };
    let on_target = {
        let target = target.clone();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            target.set(select.value().parse::<NodeId>().ok());
        })
    };
    let submit = |kind: &'static str| {
        let (k, v, e, target) = (
            (*key).clone(),
            (*value).clone(),
            (*expected).clone(),
            *target,
        );
        let dispatch = props.dispatch.clone();
        Callback::from(move |_: MouseEvent| {
            let op = match kind {
                "set" => Op::Set {
                    key: k.clone(),
                    value: v.clone(),
                },
                "delete" => Op::Delete { key: k.clone() },
                "get" => Op::Get { key: k.clone() },
                _ => Op::Cas {
                    key: k.clone(),
                    expected: (!e.is_empty()).then(|| e.clone()),
                    new: v.clone(),
                },
            };
            if let Err(err) = op.validate() {
                dispatch.emit(Msg::Error(format!(
                    "Request refused before sending: {err}."
                )));
                return;
            }
            dispatch.emit(Msg::Act(Action::ClientRequest { op, target }));
        })
    };
    html! {
        <form class="kv-form" onsubmit={Callback::from(|e: SubmitEvent| e.prevent_default())}>
            <label>{ "Key" }<input data-testid="kv-key" id="kv-key" value={(*key).clone()} oninput={bind(&key)} maxlength="64" autocomplete="off" /></label>
            <label>{ "Value" }<input data-testid="kv-value" value={(*value).clone()} oninput={bind(&value)} maxlength="1024" autocomplete="off" /></label>
            <label title="CAS only: the value expected now (empty: key absent)">{ "Expected" }
                <input data-testid="kv-expected" value={(*expected).clone()} oninput={bind(&expected)} placeholder="(absent)" maxlength="1024" autocomplete="off" /></label>
            <label>{ "Send to" }
                <select data-testid="kv-target" onchange={on_target}>
                    <option value="lb" selected={target.is_none()}>{ "load balancer" }</option>
                    { for props.node_ids.iter().map(|&id| html! {
                        <option value={id.to_string()} selected={*target == Some(id)}>{ format!("node S{id}") }</option>
                    }) }
                </select>
            </label>
            <div class="kv-buttons">
                <button type="button" data-testid="kv-set" onclick={submit("set")}>{ "SET" }</button>
                <button type="button" data-testid="kv-get" onclick={submit("get")}>{ "GET" }</button>
                <button type="button" data-testid="kv-delete" onclick={submit("delete")}>{ "DELETE" }</button>
                <button type="button" data-testid="kv-cas" onclick={submit("cas")}>{ "CAS" }</button>
            </div>
        </form>
    }
}

/// Props of [`StoreTable`].
#[derive(Properties, Clone, PartialEq)]
pub struct StoreTableProps {
    /// One column per node.
    pub columns: Rc<Vec<StoreColumn>>,
}

/// Every node's applied store side by side; rows where live nodes differ
/// are highlighted.
#[function_component(StoreTable)]
pub fn store_table(props: &StoreTableProps) -> Html {
    let keys: BTreeSet<&str> = props
        .columns
        .iter()
        .flat_map(|n| n.store.iter().map(|(k, _)| k.as_str()))
        .collect();
    html! {
        // Long values scroll it sideways: focusable, so the keyboard can too.
        <div class="kv-table-wrap" tabindex="0" role="region" aria-label="Applied store of every node">
            <table class="kv-table" data-testid="kv-table">
                <thead><tr><th>{ "key" }</th>
                    { for props.columns.iter().map(|n| html! {
                        <th class={classes!(n.crashed.then_some("crashed"))}>{ format!("S{}", n.id) }</th>
                    }) }
                </tr></thead>
                <tbody>
                    { for keys.iter().map(|k| store_row(k, &props.columns)) }
                </tbody>
            </table>
            if keys.is_empty() { <p class="hint">{ "No key applied yet. SET one above." }</p> }
        </div>
    }
}

fn store_row(key: &str, nodes: &[StoreColumn]) -> Html {
    let values: Vec<Option<&str>> = nodes
        .iter()
        .map(|n| {
            n.store
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str())
        })
        .collect();
    let live: BTreeSet<Option<&str>> = nodes
        .iter()
        .zip(&values)
        .filter(|(n, _)| !n.crashed)
        .map(|(_, v)| *v)
        .collect();
    let differs = live.len() > 1;
    html! {
        <tr key={key} class={classes!(differs.then_some("differs"))}>
            <th scope="row">{ key }</th>
            { for nodes.iter().zip(&values).map(|(n, v)| html! {
                <td data-key={key.to_string()} data-value={v.unwrap_or("").to_string()}
                    data-node-id={n.id.to_string()} data-present={v.is_some().to_string()}>
                    { v.unwrap_or("—") }
                </td>
            }) }
        </tr>
    }
}

/// Props of [`HistoryChart`].
#[derive(Properties, Clone, PartialEq)]
pub struct HistoryProps {
    /// Operations to draw.
    pub history: Rc<Vec<Operation>>,
    /// Client operations invoked in the whole run.
    #[prop_or_default]
    pub invoked: u64,
    /// Current time (pending bars end here).
    pub now_us: u64,
    /// Verdict of the checker.
    pub lin: LinStatus,
}

/// Height of one client's lane.
const LANE_H: f64 = 22.0;

/// Where the chart draws each operation.
#[derive(Debug, PartialEq)]
pub struct Lanes {
    /// Each lane's name, top to bottom.
    pub names: Vec<String>,
    /// The lane of each operation, in the order given.
    pub of_op: Vec<usize>,
}

/// One lane per automatic client, in id order; then the user's requests.
/// Each of those is a one-shot client of its own, so a lane each would stack
/// a row per request: they share "You" lanes instead, a request going to
/// the first lane whose last request returned before it was sent (the
/// fewest lanes that keep bars apart; a request still pending keeps its lane).
fn lanes(ops: &[Operation]) -> Lanes {
    let clients: BTreeSet<u64> = ops
        .iter()
        .map(|o| o.client_id)
        .filter(|c| *c < USER_CLIENT_BASE)
        .collect();
    let mut of_op = vec![0; ops.len()];
    // Per "You" lane: when its last request returned (`None`: pending).
    let mut user_lane_free_at: Vec<Option<u64>> = Vec::new();
    // A history lists operations as they were invoked (no sort needed: one
    // here cost 2.7 KB of wasm).
    debug_assert!(ops.windows(2).all(|w| w[0].invoke_us <= w[1].invoke_us));
    for (i, o) in ops.iter().enumerate() {
        of_op[i] = if o.client_id < USER_CLIENT_BASE {
            clients.range(..o.client_id).count()
        } else {
            let free = user_lane_free_at
                .iter()
                .position(|free| free.is_some_and(|t| t < o.invoke_us));
            let lane = free.unwrap_or_else(|| {
                user_lane_free_at.push(None);
                user_lane_free_at.len() - 1
            });
            user_lane_free_at[lane] = o.return_us;
            clients.len() + lane
        };
    }
    let mut names: Vec<String> = clients.iter().map(|c| client_name(*c)).collect();
    match user_lane_free_at.len() {
        0 => {}
        1 => names.push("You".to_string()),
        n => names.extend((1..=n).map(|i| format!("You {i}"))),
    }
    Lanes { names, of_op }
}

/// Client operations as bars on a time axis, one lane per client (as
/// Porcupine draws them). The axis ends at the current time, so it rescales
/// every frame: the bars are drawn once in time units (ms) inside a nested
/// SVG whose view box alone follows the clock.
#[function_component(HistoryChart)]
pub fn history_chart(props: &HistoryProps) -> Html {
    let ops = &props.history;
    let start = ops.iter().map(|o| o.invoke_us).min().unwrap_or(0);
    let span_ms = (props.now_us.max(start + 1) - start) as f64 / 1000.0;
    // Once per change of the operations, not per frame (the axis is).
    let lanes = use_memo(props.history.clone(), |ops| lanes(ops));
    let height = LANE_H * lanes.names.len().max(1) as f64 + 6.0;
    let verdict = match &props.lin {
        LinStatus::Empty => "no completed operation yet".to_string(),
        LinStatus::Ok => "linearizable ✓".to_string(),
        LinStatus::Violation(why) => format!("NOT linearizable: {why}"),
        LinStatus::Unknown(why) => format!("undecided: {why}"),
    };
    let height_text = shortest(height);
    html! {
        <figure class="history">
            <figcaption>
                { "Client history" }
                // The chart shows the newest; the verdict covers the whole run.
                if props.invoked > ops.len() as u64 {
                    <span class="history-count" data-testid="history-count">{ format!(" (newest {} of {})", ops.len(), props.invoked) }</span>
                }
                { " — " }<span class="verdict">{ verdict }</span>
            </figcaption>
            <svg viewBox={format!("0 0 600 {height_text}")} role="img" aria-label="Client operations over time">
                { for lanes.names.iter().enumerate().map(|(i, name)| html! {
                    <text class="lane" x="2" y={f1(LANE_H * i as f64 + 15.0).to_string()}>{ name }</text>
                }) }
                <svg x="70" y="0" width="520" height={height_text.clone()} preserveAspectRatio="none"
                     viewBox={format!("{} 0 {span_ms} {height_text}", f1(start as f64 / 1000.0), span_ms = f1(span_ms))}>
                    <HistoryBars history={props.history.clone()} lanes={lanes.clone()} />
                </svg>
            </svg>
        </figure>
    }
}

/// Props of [`HistoryBars`].
#[derive(Properties, Clone, PartialEq)]
pub struct HistoryBarsProps {
    /// Operations to draw.
    pub history: Rc<Vec<Operation>>,
    /// Their lanes.
    pub lanes: Rc<Lanes>,
}

/// The bars in time units (x in ms), re-rendered only when operations
/// start or finish. A pending bar runs on past the right edge, which the
/// view box clips at the current time.
#[function_component(HistoryBars)]
pub fn history_bars(props: &HistoryBarsProps) -> Html {
    html! {
        { for props.history.iter().zip(&props.lanes.of_op).map(|(o, &lane)| {
            let lane = lane as f64;
            let x0 = o.invoke_us as f64 / 1000.0;
            let x1 = o.return_us.map_or(1e9, |r| r as f64 / 1000.0);
            let status = if o.return_us.is_none() { "pending" } else { "done" };
            html! {
                <g key={o.id} class={classes!("op", status)}>
                    <title>{ format!("{}: {} → {}", client_name(o.client_id), o.input, o.output.as_ref().map_or("pending".to_string(), |out| out.to_string())) }</title>
                    <rect x={f1(x0).to_string()} y={f1(LANE_H * lane + 3.0).to_string()}
                          width={f1(x1 - x0).to_string()} height={f1(LANE_H - 6.0).to_string()}
                          vector-effect="non-scaling-stroke" />
                </g>
            }
        }) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(id: u64, client_id: u64, invoke_us: u64, return_us: Option<u64>) -> Operation {
        Operation {
            id,
            client_id,
            invoke_us,
            return_us,
            input: Op::Get { key: "x".into() },
            output: None,
            abandoned: false,
        }
    }

    const YOU: u64 = USER_CLIENT_BASE;

    #[test]
    fn each_automatic_client_has_a_lane_and_your_requests_share_theirs() {
        let ops = [
            op(0, 2, 0, Some(10)),
            op(1, YOU, 5, Some(20)),
            op(2, 1, 6, Some(30)),
            // After your first returned: the same lane.
            op(3, YOU + 1, 25, Some(40)),
            // Overlaps the one before: a second lane.
            op(4, YOU + 2, 30, None),
            // Both "You" lanes busy until 40 and forever: a third.
            op(5, YOU + 3, 35, Some(50)),
            // Lane 1 is free again; lane 2 holds a pending request.
            op(6, YOU + 4, 45, Some(60)),
        ];
        let drawn = lanes(&ops);
        assert_eq!(
            drawn.names,
            ["Client 1", "Client 2", "You 1", "You 2", "You 3"]
        );
        assert_eq!(drawn.of_op, [1, 2, 0, 2, 3, 4, 2]);
    }

    #[test]
    fn one_lane_of_your_requests_is_just_you() {
        let ops = [op(0, YOU, 0, Some(10)), op(1, YOU + 1, 20, None)];
        let drawn = lanes(&ops);
        assert_eq!(drawn.names, ["You"]);
        assert_eq!(drawn.of_op, [0, 0]);
        assert_eq!(lanes(&[]).names, Vec::<String>::new());
    }
}
