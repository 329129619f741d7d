//! The animation driver: one requestAnimationFrame loop that runs only while
//! playing. Browsers stop animation frames in hidden tabs, so nothing runs
//! (and no CPU burns) when the tab is hidden or playback is paused.

use gloo_render::{request_animation_frame, AnimationFrame};
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

/// Most wall time one frame may account for, ms. Browsers stop animation
/// frames in hidden tabs; without a bound the first frame after the tab
/// comes back would run the simulation through the whole time it was
/// hidden (minutes of virtual time in one frame) instead of resuming. A
/// machine slower than 4 frames per second plays slower than real time.
pub const MAX_FRAME_MS: f64 = 250.0;

/// Wall time to simulate for a frame at `now_ms`, given the previous one's.
pub fn frame_elapsed(last_ms: Option<f64>, now_ms: f64) -> f64 {
    last_ms.map_or(0.0, |last| (now_ms - last).clamp(0.0, MAX_FRAME_MS))
}

struct Loop {
    frame: Option<AnimationFrame>,
    last_ms: Option<f64>,
    on_frame: Callback<f64>,
}

fn schedule(state: Rc<RefCell<Loop>>) {
    let next = Rc::clone(&state);
    let frame = request_animation_frame(move |timestamp_ms| {
        let (callback, elapsed_ms) = {
            let mut s = next.borrow_mut();
            let elapsed = frame_elapsed(s.last_ms, timestamp_ms);
            s.last_ms = Some(timestamp_ms);
            (s.on_frame.clone(), elapsed)
        };
        callback.emit(elapsed_ms);
        schedule(Rc::clone(&next));
    });
    state.borrow_mut().frame = Some(frame);
}

/// Calls `on_frame(elapsed wall ms)` on every animation frame while `active`.
#[hook]
pub fn use_frame_loop(active: bool, on_frame: Callback<f64>) {
    use_effect_with(active, move |&active| {
        let state = Rc::new(RefCell::new(Loop {
            frame: None,
            last_ms: None,
            on_frame,
        }));
        if active {
            schedule(Rc::clone(&state));
        }
        // Dropping the pending frame cancels it, which ends the loop.
        move || {
            state.borrow_mut().frame = None;
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frame_accounts_for_its_wall_time_but_never_for_a_hidden_tab() {
        assert_eq!(frame_elapsed(None, 5_000.0), 0.0);
        assert_eq!(frame_elapsed(Some(1_000.0), 1_016.5), 16.5);
        // Back after a minute in a background tab: one frame's worth at most.
        assert_eq!(frame_elapsed(Some(1_000.0), 61_000.0), MAX_FRAME_MS);
        assert_eq!(frame_elapsed(Some(2_000.0), 1_000.0), 0.0);
    }
}
