//! The event feed in words, and a small chart of terms and commit indexes.

use crate::fixed::{f1, shortest};
use crate::speed::format_time;
use crate::view::chart::Series;
use crate::view::feed::FeedLine;
use raft_core::NodeId;
use std::fmt::Write;
use std::rc::Rc;
use yew::prelude::*;

/// Props of [`Feed`].
#[derive(Properties, Clone, PartialEq)]
pub struct FeedProps {
    /// Newest first (the same `Rc` while nothing new happened).
    pub lines: Rc<Vec<FeedLine>>,
}

/// What happened, newest first. Lines are keyed by their trace event, so a
/// new line is one insertion rather than every line rewritten.
#[function_component(Feed)]
pub fn feed(props: &FeedProps) -> Html {
    html! {
        <section class="panel feed" aria-label="Events">
            <h2>{ "Events" }</h2>
            // It scrolls: focusable, so the keyboard can scroll it too.
            <ol class="feed-lines" data-testid="event-feed" tabindex="0" aria-label="Events, newest first">
                { for props.lines.iter().map(|l| html! {
                    <li key={l.seq} class={l.class}><time>{ format_time(l.time_us) }</time>{ " " }{ &l.text }</li>
                }) }
            </ol>
        </section>
    }
}

/// Props of [`Chart`].
#[derive(Properties, Clone, PartialEq)]
pub struct ChartProps {
    /// Per node: its series.
    pub series: Rc<Vec<(NodeId, Series)>>,
    /// Right edge of the time axis.
    pub now_us: u64,
}

/// Chart height in its view box; lines keep 6 units clear at the bottom
/// and 10 at the top.
const CHART_H: f64 = 120.0;

/// Time of the chart's left edge: its first point.
fn chart_start(series: &[(NodeId, Series)]) -> u64 {
    series
        .iter()
        .flat_map(|(_, s)| s.term.iter().chain(&s.commit).map(|p| p.0))
        .min()
        .unwrap_or(0)
}

/// The highest commit index (or term) on the chart, at least 1.
fn series_max(series: &[(NodeId, Series)], commit: bool) -> u64 {
    series
        .iter()
        .flat_map(|(_, s)| if commit { &s.commit } else { &s.term }.iter().map(|p| p.1))
        .max()
        .unwrap_or(1)
        .max(1)
}

/// Term (solid) and commit index (dashed) of each node over time.
///
/// The axis ends at the current time, so it rescales every frame; the
/// lines are drawn once in time units (ms) inside a nested SVG whose view
/// box alone follows the clock, so a frame changes one attribute instead of
/// re-formatting every point.
#[function_component(Chart)]
pub fn chart(props: &ChartProps) -> Html {
    let start = chart_start(&props.series);
    let end = props.now_us.max(start + 1);
    let span_ms = (end - start) as f64 / 1000.0;
    let max = |commit| series_max(&props.series, commit);
    html! {
        <figure class="panel chart" data-testid="chart">
            <figcaption>
                <h2>{ "Terms and commits" }</h2>
                <span class="hint">{ format!("Each node's term (solid, up to {}) and commit index (dashed, up to {}) over time.", max(false), max(true)) }</span>
                <ul class="chart-key" aria-label="Line colours">
                    { for props.series.iter().map(|(id, _)| html! {
                        <li key={*id} class={format!("n{}", id % 9)}>{ format!("S{id}") }</li>
                    }) }
                </ul>
            </figcaption>
            <svg viewBox={format!("0 0 600 {}", shortest(CHART_H))} role="img" aria-label="Terms and commit indexes over time">
                <svg x="4" y="0" width="592" height={shortest(CHART_H)} preserveAspectRatio="none"
                     viewBox={format!("{} 0 {span_ms} {}", f1(start as f64 / 1000.0), shortest(CHART_H * 10.0), span_ms = f1(span_ms))}>
                    <ChartLines series={props.series.clone()} />
                </svg>
            </svg>
            <div class="chart-axis" data-testid="chart-axis">
                <span>{ format_time(start) }</span><span>{ format_time(end) }</span>
            </div>
        </figure>
    }
}

/// Props of [`ChartLines`].
#[derive(Properties, Clone, PartialEq)]
pub struct ChartLinesProps {
    /// Per node: its series.
    pub series: Rc<Vec<(NodeId, Series)>>,
}

/// The chart's lines in time units (x in ms); re-rendered only when the
/// series change. The last step runs on far past the right edge, which the
/// view box clips at the current time.
#[function_component(ChartLines)]
pub fn chart_lines(props: &ChartLinesProps) -> Html {
    // Integers only: formatting floats was most of this component's cost.
    // x in ms, y in tenths of the chart's height units.
    let path = |points: &[(u64, u64)], max: u64| -> String {
        let y =
            |v: u64| ((CHART_H - 6.0 - (v as f64 / max as f64) * (CHART_H - 16.0)) * 10.0) as i64;
        let mut d = String::with_capacity(points.len() * 16);
        let mut last = None;
        for &(t, v) in points {
            let x = t / 1000;
            let _ = match last {
                None => write!(d, "M{x} {}", y(v)),
                Some(prev) => write!(d, "L{x} {}L{x} {}", y(prev), y(v)),
            };
            last = Some(v);
        }
        if last.is_some() {
            d.push_str("H1000000000");
        }
        d
    };
    let (max_term, max_commit) = (
        series_max(&props.series, false),
        series_max(&props.series, true),
    );
    html! {
        { for props.series.iter().map(|(id, s)| html! {
            <g key={*id} class={format!("series n{}", id % 9)}>
                <path class="term-line" d={path(&s.term, max_term)} vector-effect="non-scaling-stroke" />
                <path class="commit-line" d={path(&s.commit, max_commit)} vector-effect="non-scaling-stroke" />
            </g>
        }) }
    }
}
