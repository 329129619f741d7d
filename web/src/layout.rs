//! Geometry of the cluster view, kept apart from components so it is testable natively.

/// Width and height of the SVG view box of the cluster view.
pub const VIEW_SIZE: f64 = 400.0;

/// Position of a node's centre in the view box.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    /// Horizontal position, 0 at the left.
    pub x: f64,
    /// Vertical position, 0 at the top.
    pub y: f64,
}

/// Centres of `count` nodes on a ring, the first at twelve o'clock, clockwise.
pub fn ring_positions(count: usize) -> Vec<Point> {
    let centre = VIEW_SIZE / 2.0;
    if count == 1 {
        return vec![Point {
            x: centre,
            y: centre,
        }];
    }
    let radius = ring_radius(count);
    (0..count)
        .map(|i| {
            let angle =
                -std::f64::consts::FRAC_PI_2 + std::f64::consts::TAU * (i as f64) / (count as f64);
            Point {
                x: centre + radius * angle.cos(),
                y: centre + radius * angle.sin(),
            }
        })
        .collect()
}

/// Ring radius: wide enough that neighbouring nodes never touch.
pub fn ring_radius(count: usize) -> f64 {
    if count <= 1 {
        0.0
    } else {
        VIEW_SIZE * 0.36
    }
}

/// Radius of one node circle, smaller as the ring gets crowded.
pub fn node_radius(count: usize) -> f64 {
    match count {
        0..=5 => 34.0,
        6..=7 => 29.0,
        _ => 24.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_node_sits_in_the_centre() {
        assert_eq!(ring_positions(1), vec![Point { x: 200.0, y: 200.0 }]);
    }

    #[test]
    fn first_node_is_at_the_top() {
        let p = ring_positions(5)[0];
        assert!((p.x - 200.0).abs() < 1e-9);
        assert!(p.y < 200.0);
    }

    #[test]
    fn nodes_never_overlap_and_stay_inside_the_view() {
        for count in 1..=9 {
            let points = ring_positions(count);
            let r = node_radius(count);
            for (i, a) in points.iter().enumerate() {
                assert!(
                    a.x - r >= 0.0 && a.x + r <= VIEW_SIZE,
                    "{count}: x out of view"
                );
                assert!(
                    a.y - r >= 0.0 && a.y + r <= VIEW_SIZE,
                    "{count}: y out of view"
                );
                for b in &points[i + 1..] {
                    let d = ((a.x - b.x).powi(2) + (a.y - b.y).powi(2)).sqrt();
                    assert!(d > 2.0 * r + 4.0, "{count} nodes: centres {d} apart");
                }
            }
        }
    }
}
