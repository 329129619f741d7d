//! Points and pop-up placement, kept apart from components so they are
//! testable natively (the stage's own geometry is `view/stage.rs`).

/// A point in an SVG view box.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    /// Horizontal position, 0 at the left.
    pub x: f64,
    /// Vertical position, 0 at the top.
    pub y: f64,
}

/// Top left of a pop-up of `size` opened at `anchor` inside `bounds` (all in
/// pixels): below and right of the anchor by `gap`, flipped to the other
/// side where it would stick out, and kept inside wherever possible.
pub fn place_popup(
    anchor: (f64, f64),
    size: (f64, f64),
    bounds: (f64, f64),
    gap: f64,
) -> (f64, f64) {
    let axis = |at: f64, len: f64, limit: f64| {
        let after = at + gap;
        let before = at - gap - len;
        let start = if after + len <= limit || before < 0.0 {
            after
        } else {
            before
        };
        start.min(limit - len).max(0.0)
    };
    (
        axis(anchor.0, size.0, bounds.0),
        axis(anchor.1, size.1, bounds.1),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn popups_open_beside_the_anchor_and_stay_inside() {
        let bounds = (370.0, 370.0);
        let size = (180.0, 200.0);
        // Room on the right and below.
        assert_eq!(place_popup((50.0, 40.0), size, bounds, 10.0), (60.0, 50.0));
        // Near the bottom right corner: flipped left and up.
        assert_eq!(
            place_popup((300.0, 330.0), size, bounds, 10.0),
            (110.0, 120.0)
        );
        // No room on either side (a phone): pinned inside, never negative.
        let (x, y) = place_popup((185.0, 185.0), (360.0, 365.0), bounds, 10.0);
        assert!(
            (0.0..=10.0).contains(&x) && (0.0..=5.0).contains(&y),
            "{x} {y}"
        );
        // Larger than the bounds: starts at the edge.
        assert_eq!(place_popup((10.0, 10.0), (500.0, 20.0), bounds, 4.0).0, 0.0);
    }
}
