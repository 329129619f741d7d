//! Transport: play/pause, speed, step, the timeline scrubber, reset, new seed.

use crate::speed::{format_time, speed_label, SPEED_LOG_MAX, SPEED_LOG_MIN};
use crate::state::Msg;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// Props of [`Controls`].
#[derive(Properties, Clone, PartialEq)]
pub struct ControlsProps {
    /// Playback running.
    pub playing: bool,
    /// log10 of the speed.
    pub speed_log: f64,
    /// Current virtual time.
    pub now_us: u64,
    /// Furthest time reached in this run (the end of the scrubber).
    pub max_us: u64,
    /// The run's seed.
    pub seed: u64,
    /// Sends a message to the reducer.
    pub dispatch: Callback<Msg>,
}

/// The transport bar.
#[function_component(Controls)]
pub fn controls(props: &ControlsProps) -> Html {
    let d = &props.dispatch;
    let toggle = d.reform(|_: MouseEvent| Msg::TogglePlay);
    let step = d.reform(|_: MouseEvent| Msg::Step);
    let reset = d.reform(|_: MouseEvent| Msg::Reset);
    let seed = props.seed;
    let new_seed = d.reform(move |_: MouseEvent| Msg::NewSeed(next_seed(seed)));
    let speed = d.reform(|e: InputEvent| {
        let input: HtmlInputElement = e.target_unchecked_into();
        Msg::Speed(input.value().parse().unwrap_or(-2.0))
    });
    let seek = d.reform(|e: InputEvent| {
        let input: HtmlInputElement = e.target_unchecked_into();
        Msg::Seek(input.value().parse().unwrap_or(0))
    });
    let max_ms = (props.max_us.max(props.now_us) / 1000).max(1);
    html! {
        <div class="controls" role="toolbar" aria-label="Playback">
            <button data-testid="play-pause" class="primary" onclick={toggle}
                    aria-pressed={props.playing.to_string()}
                    title="Play or pause (space)">
                { if props.playing { "Pause" } else { "Play" } }
            </button>
            <button data-testid="step" onclick={step} title="Run one event (→)">{ "Step" }</button>
            <label class="speed">
                <span>{ "Speed " }<output>{ speed_label(props.speed_log) }</output></span>
                <input data-testid="speed" type="range" min={SPEED_LOG_MIN.to_string()} max={SPEED_LOG_MAX.to_string()}
                       step="0.05" value={props.speed_log.to_string()} oninput={speed}
                       aria-label="Playback speed (logarithmic)" />
            </label>
            <label class="timeline">
                <span class="sr-only">{ "Timeline" }</span>
                <input data-testid="timeline" type="range" min="0" max={max_ms.to_string()} step="1"
                       value={(props.now_us / 1000).to_string()} oninput={seek}
                       aria-label="Timeline: drag to travel in time"
                       aria-valuetext={format_time(props.now_us)} />
            </label>
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
