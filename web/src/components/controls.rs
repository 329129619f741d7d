//! Transport: play/pause, speed, step, the timeline scrubber, reset, new seed.

use crate::fixed::{f2, number_of, shortest};
use crate::speed::{format_time, speed_label, SPEED_LOG_DEFAULT, SPEED_LOG_MAX, SPEED_LOG_MIN};
use crate::state::{Msg, NewRun, SimTime, ViolationMark};
use std::rc::Rc;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// Props of [`Controls`].
#[derive(Properties, Clone, PartialEq)]
pub struct ControlsProps {
    /// Playback running.
    pub playing: bool,
    /// log10 of the speed.
    pub speed_log: f64,
    /// Quiet time (nothing in flight) runs faster.
    pub skip_quiet: bool,
    /// Current virtual time.
    pub now_us: u64,
    /// Furthest time reached in this run (the end of the scrubber).
    pub max_us: u64,
    /// The run's seed.
    pub seed: u64,
    /// Where the run broke a property (marked on the scrubber).
    pub marks: Rc<Vec<ViolationMark>>,
    /// Sends a message to the reducer.
    pub dispatch: Callback<Msg>,
}

/// The transport bar.
#[function_component(Controls)]
pub fn controls(props: &ControlsProps) -> Html {
    let d = &props.dispatch;
    let toggle = d.reform(|_: MouseEvent| Msg::TogglePlay);
    let step = d.reform(|_: MouseEvent| Msg::Step);
    let reset = d.reform(|_: MouseEvent| Msg::NewRun(NewRun::Reset));
    let seed = props.seed;
    let new_seed = d.reform(move |_: MouseEvent| Msg::NewRun(NewRun::Seed(next_seed(seed))));
    let speed = d.reform(|e: InputEvent| {
        let input: HtmlInputElement = e.target_unchecked_into();
        Msg::Speed(number_of(&input).unwrap_or(SPEED_LOG_DEFAULT))
    });
    let skip = d.reform(|e: Event| {
        let input: HtmlInputElement = e.target_unchecked_into();
        Msg::SkipQuiet(input.checked())
    });
    let seek = d.reform(|e: InputEvent| {
        let input: HtmlInputElement = e.target_unchecked_into();
        Msg::Seek(SimTime::from_ms(input.value().parse().unwrap_or(0)))
    });
    let max_ms = (props.max_us.max(props.now_us) / 1000).max(1);
    html! {
        <div class="controls" role="toolbar" aria-label="Playback">
            <button data-testid="play-pause" class="primary" onclick={toggle}
                    aria-pressed={props.playing.to_string()}
                    title="Play or pause (space)">
                { if props.playing { "Pause" } else { "Play" } }
            </button>
            <button data-testid="step" onclick={step} title="Run the next event, with any others due at the same instant (→)">{ "Step" }</button>
            <label class="speed">
                <span>{ "Speed " }<output>{ speed_label(props.speed_log) }</output></span>
                <input data-testid="speed" type="range" min={shortest(SPEED_LOG_MIN)} max={shortest(SPEED_LOG_MAX)}
                       step="0.05" value={shortest(props.speed_log)} oninput={speed}
                       aria-label="Playback speed (logarithmic)" />
            </label>
            <label class="switch" title="While no message is in flight, time runs at 1/2×">
                <input type="checkbox" data-testid="skip-quiet" checked={props.skip_quiet} onchange={skip} />
                { "Skip quiet time" }
            </label>
            <div class="timeline">
                <label>
                    <span class="sr-only">{ "Timeline" }</span>
                    <input data-testid="timeline" type="range" min="0" max={max_ms.to_string()} step="1"
                           value={(props.now_us / 1000).to_string()} oninput={seek}
                           aria-label="Timeline: drag to travel in time"
                           aria-valuetext={format_time(props.now_us)} />
                </label>
                if !props.marks.is_empty() {
                    // SVG, placed by percentages: the page's CSP forbids
                    // inline styles.
                    <svg class="violation-marks" aria-label="Violations on the timeline" role="group">
                        { for mark_groups(&props.marks, max_ms).into_iter().map(|g| {
                            let t = g.time_us;
                            let label = if g.count > 1 {
                                format!("Go to the violation of {} at {} (first of {} close together)",
                                        g.property.as_str(), format_time(t), g.count)
                            } else {
                                format!("Go to the violation of {} at {}", g.property.as_str(), format_time(t))
                            };
                            let onkeydown = {
                                let d = d.clone();
                                Callback::from(move |e: KeyboardEvent| {
                                    if e.key() == "Enter" || e.key() == " " {
                                        // Not also play/pause (the page's shortcut).
                                        e.prevent_default();
                                        e.stop_propagation();
                                        d.emit(Msg::GoTo(SimTime::from_us(t)));
                                    }
                                })
                            };
                            html! {
                                <svg x={format!("{}%", f2(g.left_percent))} y="0" width="1" height="14" overflow="visible"
                                     class="violation-mark" data-testid="violation-marker" data-us={t.to_string()}
                                     role="button" tabindex="0" aria-label={label.clone()}
                                     onclick={d.reform(move |_: MouseEvent| Msg::GoTo(SimTime::from_us(t)))} {onkeydown}>
                                    <title>{ label }</title>
                                    <path d="M0 1L6 7L0 13L-6 7Z" />
                                </svg>
                            }
                        }) }
                    </svg>
                }
            </div>
            <button onclick={reset} title="Back to time zero, same seed">{ "Reset" }</button>
            <button data-testid="new-seed" onclick={new_seed} title="Start again with another seed">
                { format!("New seed (now {seed})") }
            </button>
        </div>
    }
}

/// The next seed to try: deterministic, so "new seed" twice from the same
/// seed leads to the same runs.
pub fn next_seed(seed: u64) -> u64 {
    raft_core::sim::splitmix64(seed) % 1_000_000 + 1
}

/// Violations drawn as one mark on the scrubber.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MarkGroup {
    /// The first violation's time (where the mark leads).
    pub time_us: u64,
    /// The first violation's property.
    pub property: raft_core::check::invariants::Property,
    /// How many violations the mark stands for.
    pub count: usize,
    /// Position along the scrubber, 0 to 100.
    pub left_percent: f64,
}

/// Marks closer than this (percent of the scrubber) are drawn as one, so
/// every mark can be seen and clicked.
const MARK_MERGE_PERCENT: f64 = 1.5;

/// The marks to draw for `marks` (in time order) on a scrubber `max_ms` long.
pub fn mark_groups(marks: &[ViolationMark], max_ms: u64) -> Vec<MarkGroup> {
    let max_ms = max_ms.max(1);
    let mut groups: Vec<MarkGroup> = Vec::new();
    for m in marks {
        let left_percent = (m.time_us / 1000).min(max_ms) as f64 * 100.0 / max_ms as f64;
        match groups.last_mut() {
            Some(g) if left_percent - g.left_percent < MARK_MERGE_PERCENT => g.count += 1,
            _ => groups.push(MarkGroup {
                time_us: m.time_us,
                property: m.property,
                count: 1,
                left_percent,
            }),
        }
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;
    use raft_core::check::invariants::Property;

    fn mark(time_ms: u64) -> ViolationMark {
        ViolationMark {
            time_us: time_ms * 1000,
            property: Property::StateMachineSafety,
        }
    }

    #[test]
    fn close_violations_share_one_mark_that_leads_to_the_first() {
        let marks = [
            mark(3_828),
            mark(3_889),
            mark(3_901),
            mark(6_000),
            mark(9_999),
        ];
        let groups = mark_groups(&marks, 10_000);
        let times: Vec<(u64, usize)> = groups.iter().map(|g| (g.time_us, g.count)).collect();
        assert_eq!(times, [(3_828_000, 3), (6_000_000, 1), (9_999_000, 1)]);
        assert!((groups[1].left_percent - 60.0).abs() < 1e-9);
        // On a shorter scrubber the same two marks stand apart.
        assert_eq!(mark_groups(&[mark(100), mark(130)], 10_000).len(), 1);
        assert_eq!(mark_groups(&[mark(100), mark(130)], 1_000).len(), 2);
        // Past the end of the scrubber: pinned to its end.
        assert_eq!(mark_groups(&[mark(20_000)], 10_000)[0].left_percent, 100.0);
        assert!(mark_groups(&[], 0).is_empty());
    }
}
