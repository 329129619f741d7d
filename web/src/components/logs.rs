//! One row of log entries per node: term as colour, the command, the commit
//! and applied indexes, a compacted prefix as a snapshot block.
//!
//! Each row gets only what it draws (a [`LogRowView`]), so it re-renders
//! only when that changes; entries are keyed by index and memoised, so a
//! new entry is one insertion and an advancing commit touches two entries.

use crate::view::nodes::LogRowView;
use raft_core::sim::EntryView;
use raft_core::NodeId;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// Log entries listed per node at first: the newest. Describing and drawing
/// entries is most of the cost of the logs; older entries are counted, and
/// listed on demand (each "show more" doubles the window), so nothing is
/// out of reach.
pub const LOG_ENTRIES_SHOWN: usize = 64;

/// Colour class for a term (eight distinguishable hues, repeating).
pub fn term_class(term: u64) -> String {
    format!("term-c{}", term % 8)
}

/// Props of [`Logs`].
#[derive(Properties, Clone, PartialEq)]
pub struct LogsProps {
    /// One row per node.
    pub rows: Rc<Vec<Rc<LogRowView>>>,
    /// Entries named by the latest violation, as (node, index).
    #[prop_or_default]
    pub marked: Rc<Vec<(NodeId, u64)>>,
    /// Asks for more of the older entries to be listed.
    #[prop_or_default]
    pub on_more: Callback<()>,
}

/// The log panel. Long logs scroll horizontally, never clipped, and each row
/// shows its newest entries until the reader scrolls back.
#[function_component(Logs)]
pub fn logs(props: &LogsProps) -> Html {
    html! {
        <section class="panel logs" aria-label="Logs">
            <h2>{ "Logs" }</h2>
            <div class="log-rows">
                { for props.rows.iter().map(|row| {
                    let id = row.id;
                    let marked: Vec<u64> = props.marked.iter().filter(|m| m.0 == id).map(|m| m.1).collect();
                    html! { <LogRow key={id} row={row.clone()} {marked} on_more={props.on_more.clone()} /> }
                }) }
            </div>
        </section>
    }
}

/// Props of [`LogRow`].
#[derive(Properties, Clone, PartialEq)]
pub struct LogRowProps {
    /// The row.
    pub row: Rc<LogRowView>,
    /// Indexes of its entries named by the latest violation.
    pub marked: Vec<u64>,
    /// Asks for more of the older entries to be listed.
    pub on_more: Callback<()>,
}

/// One node's log.
#[function_component(LogRow)]
pub fn log_row(props: &LogRowProps) -> Html {
    let scroller = use_node_ref();
    // While its reader is scrolled back from the newest entries: the first
    // entry in view (its index) and its offset from the row's left edge.
    // `None` at the end, where the stylesheet keeps the row.
    let reading = use_mut_ref(|| None::<(String, f64)>);
    let onscroll = {
        let (scroller, reading) = (scroller.clone(), reading.clone());
        Callback::from(move |_: Event| {
            if let Some(el) = scroller.cast::<web_sys::Element>() {
                // Offsets run negative from the right end (reversed flow).
                *reading.borrow_mut() = if el.scroll_left() < -2 {
                    first_in_view(&el)
                } else {
                    None
                };
            }
        })
    };
    {
        let (scroller, reading) = (scroller.clone(), reading.clone());
        // Entries arrive at the right end and the oldest listed leave at the
        // left: after a render, put the entry the reader was looking at back
        // where it was.
        use_effect(move || {
            let anchor = reading.borrow().clone();
            if let (Some((index, offset)), Some(el)) = (anchor, scroller.cast::<web_sys::Element>())
            {
                let selector = format!(".entry[data-index='{index}']");
                if let Ok(Some(entry)) = el.query_selector(&selector) {
                    let left = el.get_bounding_client_rect().left();
                    let moved = entry.get_bounding_client_rect().left() - left - offset;
                    if moved.abs() >= 1.0 {
                        el.set_scroll_left(el.scroll_left() + moved.round() as i32);
                    }
                }
            }
        });
    }
    let node = &props.row;
    html! {
        <div class={classes!("log-row", (node.crashed).then_some("crashed"))}
             data-testid="log-row" data-node-id={node.id.to_string()}>
            <div class="log-head">
                <strong>{ format!("S{}", node.id) }</strong>
                // A crashed node's commit and applied indexes are gone with
                // its memory; what is shown is its log on disk.
                if node.crashed {
                    <span>{ "crashed: its log on disk" }</span>
                } else {
                    <span>{ format!("commit {} · applied {}", node.commit, node.applied) }</span>
                }
            </div>
            // The track sits at the scroller's right end (CSS), so the newest
            // entries stay in view as they arrive; older ones are a scroll
            // away, and stay put while read (the effect above).
            <div class="log-entries" tabindex="0" role="group" aria-label={format!("Log of node {}", node.id)}
                 ref={scroller} {onscroll}>
                <div class="log-track">
                    if node.snapshot_index > 0 {
                        <div class="entry snapshot" title={format!("entries 1..={} compacted into a snapshot", node.snapshot_index)}>
                            <span class="idx">{ format!("≤{}", node.snapshot_index) }</span>
                            <span class="cmd">{ "snapshot" }</span>
                        </div>
                    }
                    if let Some(first) = node.log.first().filter(|e| e.index > node.snapshot_index + 1) {
                        // Named by what it shows (and, for a screen reader, whose log).
                        <button class="entry older" data-testid="log-more"
                                onclick={props.on_more.reform(|_: MouseEvent| ())}>
                            <span class="idx">{ format!("{}–{}", node.snapshot_index + 1, first.index - 1) }</span>
                            <span class="cmd">{ format!("{} earlier", first.index - 1 - node.snapshot_index) }</span>
                            <span class="cmd">{ "show more" }<span class="sr-only">{ format!(" of node {}", node.id) }</span></span>
                        </button>
                    }
                    if node.log.is_empty() && node.snapshot_index == 0 {
                        <span class="log-empty">{ "no entries yet" }</span>
                    }
                    <div class="entry-list">
                        { for node.log.iter().map(|e| html! {
                            <LogEntry key={e.index} entry={e.clone()} applied={e.index <= node.applied}
                                      commit_mark={e.index == node.commit}
                                      violating={props.marked.contains(&e.index)} />
                        }) }
                    </div>
                </div>
            </div>
            if !node.progress.is_empty() {
                <div class="log-progress">
                    { for node.progress.iter().map(|p| html! {
                        <span title="nextIndex / matchIndex">{ format!("S{} next {} match {}", p.peer, p.next_index, p.match_index) }</span>
                    }) }
                </div>
            }
        </div>
    }
}

/// The first entry of a row's scroller that is in view: its index and its
/// offset from the scroller's left edge.
fn first_in_view(scroller: &web_sys::Element) -> Option<(String, f64)> {
    let left = scroller.get_bounding_client_rect().left();
    let entries = scroller.query_selector_all(".entry-list .entry").ok()?;
    (0..entries.length())
        .filter_map(|i| entries.item(i)?.dyn_into::<web_sys::Element>().ok())
        .find_map(|e| {
            let rect = e.get_bounding_client_rect();
            (rect.right() > left + 1.0).then(|| {
                (
                    e.get_attribute("data-index").unwrap_or_default(),
                    rect.left() - left,
                )
            })
        })
}

/// Props of [`LogEntry`].
#[derive(Properties, Clone, PartialEq)]
pub struct LogEntryProps {
    /// The entry.
    pub entry: EntryView,
    /// Applied to the node's state machine.
    pub applied: bool,
    /// The node's commit index is here.
    pub commit_mark: bool,
    /// Named by the latest invariant violation.
    #[prop_or_default]
    pub violating: bool,
}

/// One entry: index, term and command, coloured by term.
#[function_component(LogEntry)]
pub fn log_entry(props: &LogEntryProps) -> Html {
    let e = &props.entry;
    html! {
        <div class={classes!("entry", term_class(e.term), e.committed.then_some("committed"),
                             props.applied.then_some("applied"), props.commit_mark.then_some("commit-mark"),
                             props.violating.then_some("violating"))}
             data-index={e.index.to_string()} data-term={e.term.to_string()}
             data-violation={props.violating.then_some("true")}
             title={format!("index {}, term {}: {}{}{}", e.index, e.term, e.description,
                            if e.committed { " (committed)" } else { "" },
                            if props.violating { " — named by the violation" } else { "" })}>
            <span class="idx">{ e.index }</span>
            <span class="term">{ format!("t{}", e.term) }</span>
            <span class="cmd">{ &e.description }</span>
        </div>
    }
}
