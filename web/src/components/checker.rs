//! The checker panel: Raft's safety properties and linearizability, green or red.

use crate::speed::format_time;
use crate::state::{LinStatus, Msg, SimTime};
use raft_core::check::invariants::{Property, Violation};
use std::rc::Rc;
use yew::prelude::*;

/// The properties checked after every event.
pub const PROPERTIES: [Property; 8] = [
    Property::ElectionSafety,
    Property::LeaderAppendOnly,
    Property::LogMatching,
    Property::LeaderCompleteness,
    Property::StateMachineSafety,
    Property::MonotonicTerm,
    Property::MonotonicCommit,
    Property::MonotonicApplied,
];

/// Props of [`Checker`].
#[derive(Properties, Clone, PartialEq)]
pub struct CheckerProps {
    /// Violations found so far in this run (up to now).
    pub violations: Rc<Vec<Violation>>,
    /// Linearizability verdict.
    pub lin: LinStatus,
    /// Sends a message to the reducer ("go to" a violation).
    pub dispatch: Callback<Msg>,
}

/// Green or red per property; a violation explained in one sentence.
#[function_component(Checker)]
pub fn checker(props: &CheckerProps) -> Html {
    let lin_bad = matches!(props.lin, LinStatus::Violation(_));
    let ok = props.violations.is_empty() && !lin_bad;
    html! {
        <section class={classes!("panel", "checker", if ok { "ok" } else { "violation" })}
                 data-testid="checker" data-status={if ok { "ok" } else { "violation" }}
                 aria-label="Safety checkers" aria-live="assertive">
            <h2>{ if ok { "Checkers: all properties hold ✓" } else { "Checkers: VIOLATION ✗" } }</h2>
            <ul class="properties">
                { for PROPERTIES.iter().map(|p| {
                    let broken = props.violations.iter().any(|v| v.property == *p);
                    html! {
                        <li class={if broken { "bad" } else { "good" }} data-property={p.as_str()}>
                            { if broken { "✗ " } else { "✓ " } }{ p.as_str() }
                        </li>
                    }
                }) }
                <li class={if lin_bad { "bad" } else { "good" }} data-property="Linearizability">
                    { match &props.lin {
                        LinStatus::Violation(_) => "✗ Linearizability",
                        LinStatus::Unknown(_) => "? Linearizability (search budget ran out)",
                        _ => "✓ Linearizability",
                    } }
                </li>
            </ul>
            { for props.violations.iter().take(3).map(|v| {
                let t = v.time_us;
                html! {
                    <p class="explain">
                        <strong>{ format!("{} at {}: ", v.property.as_str(), format_time(t)) }</strong>
                        { &v.message }
                        { if v.nodes.is_empty() { String::new() } else {
                            format!(" (nodes {})", v.nodes.iter().map(|n| format!("S{n}")).collect::<Vec<_>>().join(", "))
                        } }
                        { " " }
                        <button class="goto" data-testid="violation-goto"
                                aria-label={format!("Show the cluster at {}, when {} broke", format_time(t), v.property.as_str())}
                                onclick={props.dispatch.reform(move |_: MouseEvent| Msg::GoTo(SimTime::from_us(t)))}>
                            { "show" }
                        </button>
                    </p>
                }
            }) }
            if let LinStatus::Violation(why) = &props.lin {
                <p class="explain"><strong>{ "Linearizability: " }</strong>{ why }</p>
            }
        </section>
    }
}
