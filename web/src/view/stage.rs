//! Geometry of the stage: one lane (a row) per node. The node circles stand
//! at the left, alternating sides of a narrow ellipse so that no message
//! between two of them runs through a third; each lane holds the node's log
//! as a strip of boxes (newest at the right), its commit point and, under
//! it, its key-value store. One view-box unit is one CSS pixel at the
//! stage's natural width, so text stays legible from a phone to a desktop.

use crate::layout::Point;

/// Height of the header line above the lanes (the legend).
pub const HEADER: f64 = 20.0;
/// Narrowest view box: a smaller stage scales it down.
pub const MIN_WIDTH: f64 = 320.0;
/// Widest view box: a wider stage scales it up.
pub const MAX_WIDTH: f64 = 900.0;
/// Below this width, slots and the circles' column are narrower.
const NARROW: f64 = 520.0;
/// Space between two log slots.
pub const SLOT_GAP: f64 = 3.0;
/// Room kept at the right of the lanes.
const RIGHT_MARGIN: f64 = 6.0;

/// The stage's geometry for `count` nodes at `width` view-box units.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StageLayout {
    /// Number of nodes (lanes).
    pub count: usize,
    /// Width of the view box.
    pub width: f64,
}

impl StageLayout {
    /// The layout of `count` lanes in a stage `width` CSS pixels wide.
    pub fn new(count: usize, width: f64) -> StageLayout {
        StageLayout {
            count,
            width: width.clamp(MIN_WIDTH, MAX_WIDTH),
        }
    }

    fn narrow(&self) -> bool {
        self.width < NARROW
    }

    /// Height of one lane.
    pub fn row_height(&self) -> f64 {
        match self.count {
            0..=5 => 64.0,
            6..=7 => 54.0,
            _ => 46.0,
        }
    }

    /// Radius of a node circle.
    pub fn radius(&self) -> f64 {
        match self.count {
            0..=5 => 21.0,
            6..=7 => 18.0,
            _ => 16.0,
        }
    }

    /// Height of the view box.
    pub fn height(&self) -> f64 {
        HEADER + self.count as f64 * self.row_height() + 4.0
    }

    /// Top of lane `i`.
    pub fn row_top(&self, i: usize) -> f64 {
        HEADER + i as f64 * self.row_height()
    }

    /// How far left (negative) or right of the column's axis node `i` stands:
    /// on an ellipse through the lanes' middles, alternating sides, so three
    /// circles are never in line.
    fn offset(&self, i: usize) -> f64 {
        let h = self.row_height();
        let half = (self.count.max(1) - 1) as f64 / 2.0 * h;
        let r = half * 1.2;
        let dy = i as f64 * h - half;
        // Five nodes fill the column; more are squeezed into the same width.
        let widest = if self.narrow() { 38.0 } else { 62.0 };
        let squash = (widest / r.max(1.0)).min(0.4);
        let x = (r * r - dy * dy).max(0.0).sqrt() * squash;
        if i % 2 == 1 {
            x
        } else {
            -x
        }
    }

    /// Widest offset of any node from the axis.
    fn spread(&self) -> f64 {
        (0..self.count)
            .map(|i| self.offset(i).abs())
            .fold(0.0, f64::max)
    }

    /// Centre of node `i`'s circle (near the top of its lane: its role is
    /// written under it).
    pub fn centre(&self, i: usize) -> Point {
        let axis = self.spread() + self.half_column() + self.margin();
        Point {
            x: axis + self.offset(i),
            y: self.row_top(i) + self.radius() + 5.0,
        }
    }

    /// Room either side of a circle's centre: the circle, or the role
    /// written under it.
    fn half_column(&self) -> f64 {
        self.radius().max(if self.narrow() { 24.0 } else { 26.0 })
    }

    /// Room left of the circles' column (a partition's bar and letter).
    fn margin(&self) -> f64 {
        if self.narrow() {
            6.0
        } else {
            12.0
        }
    }

    /// Where the lanes start (the lead block, then the entries).
    pub fn lane_x(&self) -> f64 {
        2.0 * (self.spread() + self.half_column() + self.margin())
    }

    /// Width of the lead block ("+N earlier", or the snapshot).
    pub fn lead_width(&self) -> f64 {
        if self.narrow() {
            32.0
        } else {
            44.0
        }
    }

    /// Width of one log slot.
    pub fn slot_width(&self) -> f64 {
        if self.narrow() {
            40.0
        } else {
            56.0
        }
    }

    /// Height of a log box.
    pub fn box_height(&self) -> f64 {
        (self.row_height() * 0.55).round()
    }

    /// Top of the log boxes in a lane, from the lane's top.
    pub const BOX_TOP: f64 = 5.0;

    /// Baseline of the store line, from the lane's top.
    pub fn store_baseline(&self) -> f64 {
        Self::BOX_TOP + self.box_height() + 13.0
    }

    /// Left edge of the first entry slot.
    fn entries_x(&self) -> f64 {
        self.lane_x() + self.lead_width() + SLOT_GAP
    }

    /// How many entries a lane shows (after its lead block).
    pub fn slots(&self) -> usize {
        let room = self.width - self.entries_x() - RIGHT_MARGIN + SLOT_GAP;
        (room / (self.slot_width() + SLOT_GAP)).max(1.0) as usize
    }

    /// Left edge of entry slot `k`.
    pub fn slot_x(&self, k: usize) -> f64 {
        self.entries_x() + k as f64 * (self.slot_width() + SLOT_GAP)
    }

    /// Characters of the store line that fit in a lane (about 7 units each, bold).
    pub fn store_chars(&self) -> usize {
        ((self.width - self.lane_x() - RIGHT_MARGIN) / 7.0) as usize
    }

    /// Characters of a command that fit in a slot.
    pub fn label_chars(&self) -> usize {
        ((self.slot_width() - 6.0) / 5.6) as usize
    }
}

/// Where a view-box point lands, in CSS pixels from the top left of an SVG
/// box `width` × `height` showing the view box `view` (default
/// `xMidYMid meet`: scaled to fit, centred along the other axis).
pub fn view_to_box(p: Point, view: (f64, f64), width: f64, height: f64) -> (f64, f64) {
    let scale = (width / view.0).min(height / view.1);
    let (dx, dy) = (
        (width - view.0 * scale) / 2.0,
        (height - view.1 * scale) / 2.0,
    );
    (dx + p.x * scale, dy + p.y * scale)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn distance_to_segment(p: Point, a: Point, b: Point) -> f64 {
        let (dx, dy) = (b.x - a.x, b.y - a.y);
        let t = (((p.x - a.x) * dx + (p.y - a.y) * dy) / (dx * dx + dy * dy)).clamp(0.0, 1.0);
        ((a.x + t * dx - p.x).powi(2) + (a.y + t * dy - p.y).powi(2)).sqrt()
    }

    #[test]
    fn view_points_map_to_pixels_centred_in_a_letterbox() {
        let view = (400.0, 200.0);
        assert_eq!(
            view_to_box(Point { x: 200.0, y: 100.0 }, view, 400.0, 200.0),
            (200.0, 100.0)
        );
        // Twice the height it needs: scaled by the width, centred vertically.
        assert_eq!(
            view_to_box(Point { x: 0.0, y: 0.0 }, view, 800.0, 800.0),
            (0.0, 200.0)
        );
        // Limited by the height: scaled by it, centred horizontally.
        assert_eq!(
            view_to_box(Point { x: 400.0, y: 200.0 }, view, 800.0, 100.0),
            (500.0, 100.0)
        );
    }

    #[test]
    fn every_circle_sits_in_its_lane_left_of_the_logs_and_inside_the_view() {
        for width in [320.0, 390.0, 640.0, 760.0, 900.0] {
            for count in 1..=9 {
                let l = StageLayout::new(count, width);
                let r = l.radius();
                for i in 0..count {
                    let c = l.centre(i);
                    assert!(
                        c.x - r - 6.0 >= 0.0,
                        "{count}@{width}: node {i} off the left"
                    );
                    assert!(
                        c.x + r + 6.0 <= l.lane_x(),
                        "{count}@{width}: node {i} on its log"
                    );
                    assert!(
                        c.y - r >= l.row_top(i),
                        "{count}@{width}: node {i} above its lane"
                    );
                    assert!(c.y + r <= l.row_top(i) + l.row_height());
                }
                assert!(l.store_baseline() < l.row_height(), "{count}: store line");
                let last = l.slot_x(l.slots() - 1) + l.slot_width();
                assert!(
                    last <= l.width,
                    "{count}@{width}: slots run out of the view"
                );
                assert!(l.height() >= l.row_top(count - 1) + l.row_height());
            }
        }
    }

    #[test]
    fn a_desktop_lane_holds_at_least_eight_entries_and_a_phone_fewer() {
        // The stage at 1440 px is about 730 px wide.
        assert!(StageLayout::new(5, 730.0).slots() >= 8);
        assert!(StageLayout::new(9, 730.0).slots() >= 8);
        // The stage of a 640 px embed.
        assert!(StageLayout::new(5, 628.0).slots() >= 6);
        // A phone's (390 px) stage.
        let phone = StageLayout::new(5, 352.0);
        assert!((4..8).contains(&phone.slots()), "{}", phone.slots());
    }

    #[test]
    fn no_message_between_two_of_five_nodes_runs_through_a_third() {
        for width in [360.0, 760.0] {
            let l = StageLayout::new(5, width);
            let centres: Vec<Point> = (0..5).map(|i| l.centre(i)).collect();
            for a in 0..5 {
                for b in a + 1..5 {
                    for (m, &c) in centres.iter().enumerate() {
                        if m == a || m == b {
                            continue;
                        }
                        let d = distance_to_segment(c, centres[a], centres[b]);
                        assert!(
                            d > l.radius() * 0.75,
                            "@{width}: S{}→S{} passes {d:.1} from S{}",
                            a + 1,
                            b + 1,
                            m + 1
                        );
                    }
                }
            }
        }
    }
}
