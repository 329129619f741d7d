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
                x: centre + radius * crate::math::cos(angle),
                y: centre + radius * crate::math::sin(angle),
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

/// Runs of consecutive ring positions (cyclic) whose `member` flag is set, as
/// (first, length), in ring order: a partition group drawn as one band per
/// run, so a band never passes over a node outside its group.
pub fn ring_runs(member: &[bool]) -> Vec<(usize, usize)> {
    let n = member.len();
    if member.iter().all(|&m| m) {
        return if n == 0 { Vec::new() } else { vec![(0, n)] };
    }
    // Start scanning just after a non-member, so no run wraps past the end
    // of the scan.
    let Some(gap) = member.iter().position(|&m| !m) else {
        return Vec::new();
    };
    let mut runs = Vec::new();
    let mut current: Option<(usize, usize)> = None;
    for step in 1..=n {
        let i = (gap + step) % n;
        match (member[i], current.as_mut()) {
            (true, Some(run)) => run.1 += 1,
            (true, None) => current = Some((i, 1)),
            (false, _) => runs.extend(current.take()),
        }
    }
    runs.extend(current);
    // Found in ring order from just after `gap`: rotate the earliest first.
    if let Some(first) = (0..runs.len()).min_by_key(|&i| runs[i].0) {
        runs.rotate_left(first);
    }
    runs
}

/// The SVG path of the ring arc through `len` consecutive nodes from ring
/// position `first` (of `count`), clockwise. A single node is a zero-length
/// arc (drawn with round caps, it is a disc around the node).
pub fn ring_arc(first: usize, len: usize, count: usize) -> String {
    let positions = ring_positions(count);
    let (Some(a), Some(b)) = (
        positions.get(first % count.max(1)),
        positions.get((first + len.max(1) - 1) % count.max(1)),
    ) else {
        return String::new();
    };
    if len <= 1 {
        return format!("M{:.1} {:.1}Z", a.x, a.y);
    }
    let r = ring_radius(count);
    let span = std::f64::consts::TAU * (len - 1) as f64 / count as f64;
    let large = u8::from(span > std::f64::consts::PI);
    format!(
        "M{:.1} {:.1}A{r:.1} {r:.1} 0 {large} 1 {:.1} {:.1}",
        a.x, a.y, b.x, b.y
    )
}

/// Where a view-box point lands, in CSS pixels from the top left of an SVG
/// box `width` × `height` (square view box, default `xMidYMid meet`: scaled
/// to the shorter side and centred along the longer one).
pub fn view_to_box(p: Point, width: f64, height: f64) -> (f64, f64) {
    let scale = width.min(height) / VIEW_SIZE;
    let (dx, dy) = (
        (width - VIEW_SIZE * scale) / 2.0,
        (height - VIEW_SIZE * scale) / 2.0,
    );
    (dx + p.x * scale, dy + p.y * scale)
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
    fn view_points_map_to_pixels_centred_in_a_letterbox() {
        let centre = Point { x: 200.0, y: 200.0 };
        assert_eq!(view_to_box(centre, 400.0, 400.0), (200.0, 200.0));
        // Twice as wide as tall: scaled by the height, centred horizontally.
        assert_eq!(
            view_to_box(Point { x: 0.0, y: 0.0 }, 800.0, 200.0),
            (300.0, 0.0)
        );
        assert_eq!(view_to_box(centre, 800.0, 200.0), (400.0, 100.0));
    }

    #[test]
    fn runs_follow_the_ring_and_wrap_around() {
        assert_eq!(ring_runs(&[true, true, false, false, false]), vec![(0, 2)]);
        // 5, 1 and 2 are one run across the top of the ring.
        assert_eq!(ring_runs(&[true, true, false, false, true]), vec![(4, 3)]);
        assert_eq!(
            ring_runs(&[true, false, true, false, true, false, true, false, true]),
            vec![(2, 1), (4, 1), (6, 1), (8, 2)]
        );
        assert_eq!(ring_runs(&[false, false]), vec![]);
        assert_eq!(ring_runs(&[true; 3]), vec![(0, 3)]);
    }

    #[test]
    fn arcs_run_clockwise_between_the_end_nodes() {
        // Two of five nodes: a short arc from node 1 (top) to node 2.
        let p = ring_positions(5);
        assert_eq!(
            ring_arc(0, 2, 5),
            format!("M200.0 56.0A144.0 144.0 0 0 1 {:.1} {:.1}", p[1].x, p[1].y)
        );
        // Four of five: more than half the ring.
        assert!(ring_arc(1, 4, 5).contains(" 0 1 1 "));
        // Wrapping: from the last node over the top to the second.
        assert!(ring_arc(4, 3, 5).starts_with(&format!("M{:.1} {:.1}A", p[4].x, p[4].y)));
        assert_eq!(ring_arc(2, 1, 5), format!("M{:.1} {:.1}Z", p[2].x, p[2].y));
    }

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
