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
    /// Short rows for a short box (a small embed): the store line moves
    /// beside the log, the role under each circle is left out.
    pub compact: bool,
}

/// Below this scale the normal stage is too small to read: go compact.
const READABLE_SCALE: f64 = 0.6;
/// Room kept at the right of a compact lane's log for its store line.
const COMPACT_STORE_ROOM: f64 = 96.0;

impl StageLayout {
    /// The layout of `count` lanes in a stage `width` CSS pixels wide.
    pub fn new(count: usize, width: f64) -> StageLayout {
        StageLayout {
            count,
            width: width.clamp(MIN_WIDTH, MAX_WIDTH),
            compact: false,
        }
    }

    /// The layout for a box `width` × `height` CSS pixels whose height is
    /// fixed (an embed; `None`: the stage takes the height it needs). When
    /// the normal stage would be drawn below [`READABLE_SCALE`], compact
    /// rows, and a view box as wide as the box at the height's scale, so
    /// the picture fills the box.
    pub fn fit(count: usize, width: f64, height: Option<f64>) -> StageLayout {
        let normal = StageLayout::new(count, width);
        let Some(height) = height.filter(|h| *h > 0.0) else {
            return normal;
        };
        let scale = (width / normal.width).min(height / normal.height());
        if scale >= READABLE_SCALE {
            // Drawn at the height's scale: a view box as wide as the box
            // fills it (more entries per lane) instead of leaving margins.
            return StageLayout {
                width: (width / scale).clamp(MIN_WIDTH, MAX_WIDTH),
                ..normal
            };
        }
        let compact = StageLayout {
            compact: true,
            ..normal
        };
        let scale = (height / compact.height()).min(1.0);
        StageLayout {
            width: (width / scale).clamp(MIN_WIDTH, MAX_WIDTH),
            ..compact
        }
    }

    fn narrow(&self) -> bool {
        self.width < NARROW
    }

    /// Height of one lane.
    pub fn row_height(&self) -> f64 {
        if self.compact {
            return match self.count {
                0..=5 => 38.0,
                6..=7 => 32.0,
                _ => 28.0,
            };
        }
        match self.count {
            0..=5 => 64.0,
            6..=7 => 54.0,
            _ => 46.0,
        }
    }

    /// Radius of a node circle.
    pub fn radius(&self) -> f64 {
        if self.compact {
            return (self.row_height() / 2.0 - 5.0).min(14.0);
        }
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
        let down = if self.compact {
            self.row_height() / 2.0
        } else {
            self.radius() + 5.0
        };
        Point {
            x: axis + self.offset(i),
            y: self.row_top(i) + down,
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
        if self.compact {
            return (self.row_height() - 2.0 * Self::BOX_TOP).max(20.0);
        }
        (self.row_height() * 0.55).round()
    }

    /// Top of the log boxes in a lane, from the lane's top.
    pub const BOX_TOP: f64 = 5.0;

    /// Baseline of the store line, from the lane's top.
    pub fn store_baseline(&self) -> f64 {
        if self.compact {
            return Self::BOX_TOP + self.box_height() / 2.0 + 4.0;
        }
        Self::BOX_TOP + self.box_height() + 13.0
    }

    /// Where the store line starts, from the lane's left: under the log,
    /// or right of it when compact.
    pub fn store_dx(&self) -> f64 {
        if self.compact {
            self.slot_x(self.slots()) - self.lane_x() + 2.0
        } else {
            0.0
        }
    }

    /// Left edge of the first entry slot.
    fn entries_x(&self) -> f64 {
        self.lane_x() + self.lead_width() + SLOT_GAP
    }

    /// How many entries a lane shows (after its lead block).
    pub fn slots(&self) -> usize {
        let store = if self.compact {
            COMPACT_STORE_ROOM
        } else {
            0.0
        };
        let room = self.width - self.entries_x() - RIGHT_MARGIN - store + SLOT_GAP;
        (room / (self.slot_width() + SLOT_GAP)).max(1.0) as usize
    }

    /// Left edge of entry slot `k`.
    pub fn slot_x(&self, k: usize) -> f64 {
        self.entries_x() + k as f64 * (self.slot_width() + SLOT_GAP)
    }

    /// Characters of the store line that fit in a lane (about 7 units each, bold).
    pub fn store_chars(&self) -> usize {
        ((self.width - self.lane_x() - self.store_dx() - RIGHT_MARGIN) / 7.0) as usize
    }

    /// Characters of a command that fit in a slot.
    pub fn label_chars(&self) -> usize {
        ((self.slot_width() - 6.0) / 5.6) as usize
    }
}

/// A box on the stage (the client, the load balancer), in view-box units.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BoxAt {
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width.
    pub width: f64,
    /// Height.
    pub height: f64,
}

impl BoxAt {
    /// Its centre.
    pub fn centre(&self) -> Point {
        Point {
            x: self.x + self.width / 2.0,
            y: self.y + self.height / 2.0,
        }
    }
}

/// Where the client traffic runs: the header line holds the load balancer
/// (at the left, over a "rail" down the stage's left edge) and, right of it,
/// the user's client and the background clients. A request runs from its
/// client left through the load balancer, down the rail to its node's lane
/// and right into the node; a reply runs the same way back.
impl StageLayout {
    /// Top and height of the header's boxes.
    const HEAD_BOX_TOP: f64 = 2.0;
    const BOX_HEIGHT: f64 = 16.0;

    /// x of the rail from the load balancer down to every lane: left of
    /// every circle (clear of the partition bars' letters).
    pub fn rail_x(&self) -> f64 {
        self.margin() / 2.0
    }

    /// The load balancer's box.
    pub fn balancer_box(&self) -> BoxAt {
        BoxAt {
            x: 1.0,
            y: Self::HEAD_BOX_TOP,
            width: if self.narrow() { 26.0 } else { 80.0 },
            height: Self::BOX_HEIGHT,
        }
    }

    /// The user's client ("You"), or the background clients' box.
    pub fn client_box(&self, background: bool) -> BoxAt {
        let lb = self.balancer_box();
        let you = BoxAt {
            x: lb.x + lb.width + 6.0,
            y: Self::HEAD_BOX_TOP,
            width: 30.0,
            height: Self::BOX_HEIGHT,
        };
        if !background {
            return you;
        }
        BoxAt {
            x: you.x + you.width + 4.0,
            width: if self.narrow() { 50.0 } else { 60.0 },
            ..you
        }
    }

    /// Where the header's text (how to read a log) starts: over the logs,
    /// or right of the client boxes when the circles' column is narrow.
    pub fn head_text_x(&self) -> f64 {
        let bg = self.client_box(true);
        self.lane_x().max(bg.x + bg.width + 8.0)
    }

    /// The path of client traffic between node `i` and the load balancer
    /// (`via_client`: on to the user's or the background clients' box),
    /// from the client's end to the node's.
    pub fn client_path(&self, i: usize, via_client: Option<bool>) -> [Point; 4] {
        let lb = self.balancer_box();
        let y = lb.centre().y;
        let start = match via_client {
            Some(background) => {
                let c = self.client_box(background);
                Point { x: c.x, y }
            }
            None => Point {
                x: lb.x + lb.width,
                y,
            },
        };
        let node = self.centre(i);
        let rail = self.rail_x();
        [
            start,
            Point { x: rail, y },
            Point { x: rail, y: node.y },
            Point {
                x: node.x - self.radius(),
                y: node.y,
            },
        ]
    }
}

/// The point `along` (0..=1) the way along the polyline `path`, by length.
pub fn along_path(path: &[Point], along: f64) -> Point {
    let legs = path.windows(2).map(|w| {
        let (dx, dy) = (w[1].x - w[0].x, w[1].y - w[0].y);
        (dx * dx + dy * dy).sqrt()
    });
    let total: f64 = legs.clone().sum();
    let mut left = total * along.clamp(0.0, 1.0);
    for (w, len) in path.windows(2).zip(legs) {
        if left <= len && len > 0.0 {
            let t = left / len;
            return Point {
                x: w[0].x + (w[1].x - w[0].x) * t,
                y: w[0].y + (w[1].y - w[0].y) * t,
            };
        }
        left -= len;
    }
    *path.last().unwrap_or(&Point { x: 0.0, y: 0.0 })
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
    fn the_client_boxes_fit_the_header_left_of_the_logs_and_the_rail_clears_every_circle() {
        for width in [320.0, 390.0, 640.0, 900.0] {
            for count in 1..=9 {
                let l = StageLayout::new(count, width);
                let bg = l.client_box(true);
                assert!(bg.x + bg.width < l.head_text_x());
                // Room for the narrow legend (about 190 units) after the boxes.
                assert!(
                    l.head_text_x() + 190.0 <= l.width.max(l.lane_x() + 190.0),
                    "{count}@{width}: header"
                );
                if count >= 5 {
                    assert!(
                        bg.x + bg.width <= l.lane_x(),
                        "{count}@{width}: boxes reach the logs"
                    );
                }
                assert!(bg.y + bg.height <= HEADER);
                for i in 0..count {
                    let c = l.centre(i);
                    assert!(
                        l.rail_x() + 2.0 <= c.x - l.radius(),
                        "{count}@{width}: rail on S{}",
                        i + 1
                    );
                    let path = l.client_path(i, Some(false));
                    assert_eq!(along_path(&path, 0.0), path[0]);
                    let end = along_path(&path, 1.0);
                    assert!((end.x - path[3].x).abs() < 1e-9 && (end.y - path[3].y).abs() < 1e-9);
                }
            }
        }
        let l = StageLayout::new(5, 760.0);
        let path = [
            Point { x: 0.0, y: 0.0 },
            Point { x: 10.0, y: 0.0 },
            Point { x: 10.0, y: 10.0 },
        ];
        assert_eq!(along_path(&path, 0.75), Point { x: 10.0, y: 5.0 });
        assert!(l.client_box(false).x > l.balancer_box().x + l.balancer_box().width);
    }

    #[test]
    fn a_short_box_gets_compact_rows_drawn_at_a_readable_scale() {
        // A tall box, or none given: the normal stage.
        assert!(!StageLayout::fit(5, 640.0, None).compact);
        assert!(!StageLayout::fit(5, 640.0, Some(330.0)).compact);
        // Not compact but limited by the height: a wider view fills the box.
        let wide = StageLayout::fit(5, 628.0, Some(260.0));
        assert!(!wide.compact && wide.width > 628.0);
        let scale = (628.0 / wide.width).min(260.0 / wide.height());
        assert!((628.0 / wide.width - scale).abs() < 1e-9, "fills the width");
        assert!(wide.slots() > StageLayout::new(5, 628.0).slots());
        // The stage of a 400 × 300 embed: about 390 × 150 px.
        for count in [5, 7, 9] {
            let l = StageLayout::fit(count, 388.0, Some(150.0));
            assert!(l.compact);
            let scale = (388.0 / l.width).min(150.0 / l.height());
            assert!(scale >= 0.6 || count > 5, "{count}: scale {scale}");
            assert!(l.slots() >= 3, "{count}: {} slots", l.slots());
            for i in 0..count {
                let c = l.centre(i);
                assert!(
                    c.y - l.radius() >= l.row_top(i)
                        && c.y + l.radius() <= l.row_top(i) + l.row_height()
                );
            }
            // The store line sits right of the last slot, inside the view.
            assert!(l.lane_x() + l.store_dx() >= l.slot_x(l.slots() - 1) + l.slot_width());
            assert!(l.store_chars() >= 10);
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
