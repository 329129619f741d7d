//! One data flow from the simulation to the screen.
//!
//! The reducer moves the [`Track`] (run, seek, act); then, once per change,
//! [`Projections::update`] asks the one [`TraceCursor`] what is new
//! ([`Change::Appended`] or [`Change::Rewound`]) and brings every view that
//! folds the trace up to date from it: the feed, the user's requests, the
//! chart, the live linearizability check and the host page's events.
//! Rendering only reads their `Rc` snapshots.

pub mod announce;
pub mod cursor;

use crate::lin::{LinStatus, LiveLin, LIN_CHECK_STEPS};
use crate::view::chart::{Series, SeriesLog};
use crate::view::feed::{Feed, FeedLine};
use crate::view::requests::{RequestResult, UserResults};
use announce::{Announcer, HostEvent};
use cursor::{Change, TraceCursor, Track};
use raft_core::NodeId;
use std::rc::Rc;

/// Everything folded from one run's trace, up to date with its last look.
#[derive(Debug, Default)]
pub struct Projections {
    cursor: TraceCursor,
    feed: Feed,
    requests: UserResults,
    chart: SeriesLog,
    /// The chart's lines, and the log version and node count they were
    /// drawn for.
    series: Rc<Vec<(NodeId, Series)>>,
    series_of: Option<(u64, usize)>,
    lin: LiveLin,
    host: Announcer,
}

impl Projections {
    /// Projections of a new run whose events before `announce_from_seq`
    /// the host page is not told of (a link replayed to its moment).
    pub fn new(announce_from_seq: u64) -> Projections {
        Projections {
            host: Announcer::new(announce_from_seq),
            ..Projections::default()
        }
    }

    /// Reads what is new on `track`; returns the linearizability status
    /// when it may have changed.
    pub fn update(&mut self, track: &Track) -> Option<LinStatus> {
        let change = self.cursor.look(track);
        if matches!(&change, Change::Appended(added) if added.is_empty()) {
            return None;
        }
        let sim = track.sim();
        self.feed.apply(&change, sim);
        self.requests.apply(&change, sim);
        self.chart.apply(&change, sim);
        let nodes = sim.node_ids();
        let drawn_for = Some((self.chart.version(), nodes.len()));
        if self.series_of != drawn_for {
            self.series = Rc::new(self.chart.series(sim, &nodes));
            self.series_of = drawn_for;
        }
        self.host.apply(&change, sim);
        self.lin.apply(&change, sim, LIN_CHECK_STEPS)
    }

    /// The feed, newest first.
    pub fn feed(&self) -> Rc<Vec<FeedLine>> {
        self.feed.lines()
    }

    /// The user's recent requests, newest first.
    pub fn requests(&self) -> Rc<Vec<RequestResult>> {
        self.requests.results()
    }

    /// The chart's lines per node.
    pub fn series(&self) -> Rc<Vec<(NodeId, Series)>> {
        Rc::clone(&self.series)
    }

    /// The host page's events since the last call, oldest first.
    pub fn take_host_events(&mut self) -> Vec<HostEvent> {
        self.host.take()
    }
}
