//! The event feed in words, and a small chart of terms and commit indexes.

use crate::derive::{FeedLine, Series};
use crate::speed::format_time;
use raft_core::NodeId;
use yew::prelude::*;

/// Props of [`Feed`].
#[derive(Properties, Clone, PartialEq)]
pub struct FeedProps {
    /// Newest first.
    pub lines: Vec<FeedLine>,
}

/// What happened, newest first.
#[function_component(Feed)]
pub fn feed(props: &FeedProps) -> Html {
    html! {
        <section class="panel feed" aria-label="Events">
            <h2>{ "Events" }</h2>
            <ol class="feed-lines" data-testid="event-feed">
                { for props.lines.iter().map(|l| html! {
                    <li class={l.class}><time>{ format_time(l.time_us) }</time>{ " " }{ &l.text }</li>
                }) }
            </ol>
        </section>
    }
}

/// Props of [`Chart`].
#[derive(Properties, Clone, PartialEq)]
pub struct ChartProps {
    /// Per node: its series.
    pub series: Vec<(NodeId, Series)>,
    /// Right edge of the time axis.
    pub now_us: u64,
}

/// Term (solid) and commit index (dashed) of each node over time.
#[function_component(Chart)]
pub fn chart(props: &ChartProps) -> Html {
    let (w, h) = (600.0, 120.0);
    let start = props
        .series
        .iter()
        .flat_map(|(_, s)| s.term.iter().chain(&s.commit).map(|p| p.0))
        .min()
        .unwrap_or(0);
    let end = props.now_us.max(start + 1);
    let max_term = props
        .series
        .iter()
        .flat_map(|(_, s)| s.term.iter().map(|p| p.1))
        .max()
        .unwrap_or(1)
        .max(1);
    let max_commit = props
        .series
        .iter()
        .flat_map(|(_, s)| s.commit.iter().map(|p| p.1))
        .max()
        .unwrap_or(1)
        .max(1);
    let x = |t: u64| 4.0 + (t.saturating_sub(start) as f64 / (end - start) as f64) * (w - 8.0);
    let path = |points: &[(u64, u64)], max: u64| -> String {
        let y = |v: u64| h - 6.0 - (v as f64 / max as f64) * (h - 16.0);
        let mut d = String::new();
        let mut last = None;
        for &(t, v) in points {
            match last {
                None => d.push_str(&format!("M{:.1} {:.1}", x(t), y(v))),
                Some(prev) => d.push_str(&format!(
                    "L{:.1} {:.1}L{:.1} {:.1}",
                    x(t),
                    y(prev),
                    x(t),
                    y(v)
                )),
            }
            last = Some(v);
        }
        if let Some(v) = last {
            d.push_str(&format!("L{:.1} {:.1}", x(end), y(v)));
        }
        d
    };
    html! {
        <figure class="panel chart">
            <figcaption>{ format!("Term (solid, max {max_term}) and commit index (dashed, max {max_commit}) per node") }</figcaption>
            <svg viewBox={format!("0 0 {w} {h}")} role="img" aria-label="Terms and commit indexes over time">
                { for props.series.iter().map(|(id, s)| html! {
                    <g class={format!("series n{}", id % 9)}>
                        <path class="term-line" d={path(&s.term, max_term)} />
                        <path class="commit-line" d={path(&s.commit, max_commit)} />
                    </g>
                }) }
            </svg>
        </figure>
    }
}
