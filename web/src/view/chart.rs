//! The chart: each node's term and commit index over the whole run, folded
//! from the trace as it grows and thinned to the pixels drawn.

use crate::flow::cursor::Change;
use raft_core::sim::{Sim, TraceEvent, TraceKind};
use raft_core::NodeId;
use std::collections::{BTreeMap, VecDeque};

/// Points per line in the chart (one per pixel column at most).
pub const CHART_POINTS: usize = 600;

/// One node's term and commit index over time, for the chart.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Series {
    /// (time, term) steps.
    pub term: Vec<(u64, u64)>,
    /// (time, commit index) steps.
    pub commit: Vec<(u64, u64)>,
}

/// Term and commit series per node, from the events still in the trace,
/// thinned to at most [`CHART_POINTS`] steps per line, from the first step
/// to now.
pub fn series(sim: &Sim, nodes: &[NodeId]) -> Vec<(NodeId, Series)> {
    let steps: Vec<Step> = sim.trace().events().iter().filter_map(Step::of).collect();
    thin(nodes, span(&steps, sim.now_us()), steps.into_iter())
}

/// The chart's time span: from the first step to now.
fn span<'a>(steps: impl IntoIterator<Item = &'a Step>, now_us: u64) -> Option<(u64, u64)> {
    let first = steps.into_iter().next()?.time_us;
    Some((first, now_us.max(first)))
}

/// A term or commit index change on one node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Step {
    seq: u64,
    time_us: u64,
    node: NodeId,
    value: u64,
    is_term: bool,
}

impl Step {
    fn of(ev: &TraceEvent) -> Option<Step> {
        let (node, value, is_term) = match ev.kind {
            TraceKind::TermChanged { node, to, .. } => (node, to, true),
            TraceKind::Committed { node, index } => (node, index, false),
            _ => return None,
        };
        Some(Step {
            seq: ev.seq,
            time_us: ev.time_us,
            node,
            value,
            is_term,
        })
    }
}

/// The series of `nodes` from `steps` (in trace order) over the time span
/// `first..=last`, keeping within one pixel column only the latest value.
fn thin(
    nodes: &[NodeId],
    span: Option<(u64, u64)>,
    steps: impl Iterator<Item = Step>,
) -> Vec<(NodeId, Series)> {
    let mut out: Vec<(NodeId, Series)> = nodes.iter().map(|&id| (id, Series::default())).collect();
    let Some((start, end)) = span else {
        return out;
    };
    let bucket = ((end.max(start + 1) - start) / CHART_POINTS as u64).max(1);
    for step in steps {
        if let Some((_, s)) = out.iter_mut().find(|(id, _)| *id == step.node) {
            let line = if step.is_term {
                &mut s.term
            } else {
                &mut s.commit
            };
            match line.last_mut() {
                Some(last) if (last.0 - start) / bucket == (step.time_us - start) / bucket => {
                    *last = (last.0, step.value)
                }
                _ => line.push((step.time_us, step.value)),
            }
        }
    }
    out
}

/// The chart's steps, folded from the trace as it grows (only new events
/// are read per frame) and thinned on demand.
///
/// It remembers the whole run, not only the events still in the trace's
/// memory (a ring buffer, and a checkpoint restored by a seek keeps only
/// its tail): a seek back or a fork keeps the steps before the trace's
/// oldest event, which are the same in every branch of one run. (One log
/// per run: a new run starts with a new one.)
#[derive(Clone, Debug, Default)]
pub struct SeriesLog {
    /// The run's steps in order, at most [`MAX_CHART_STEPS`].
    steps: VecDeque<Step>,
    /// Changes when the lines are worth drawing again (see [`Self::version`]).
    version: u64,
    /// Steps arrived since `version` last changed.
    dirty: bool,
    /// The simulation's event count when `version` last changed.
    events_at_version: u64,
}

/// Below this many steps the lines are redrawn as soon as one arrives (it
/// costs next to nothing); above it, at most once per [`REDRAW_EVERY_EVENTS`].
const EAGER_STEPS: usize = 2_048;
/// Events between two redraws of a chart with many steps.
const REDRAW_EVERY_EVENTS: u64 = 256;

/// Steps a [`SeriesLog`] keeps; past this the oldest are merged per node
/// and line into ever coarser time buckets.
pub const MAX_CHART_STEPS: usize = 20_000;

impl SeriesLog {
    /// Reads what `change` says is new in `sim`'s trace.
    pub fn apply(&mut self, change: &Change, sim: &Sim) {
        let trace = sim.trace();
        let had = self.steps.len();
        let mut moved = false;
        match change {
            Change::Appended(added) => self
                .steps
                .extend(trace.since(added.start).filter_map(Step::of)),
            Change::Rewound { .. } => {
                moved = true;
                // The same run, elsewhere in time: what precedes the
                // trace's memory is unchanged; the rest is read again.
                let oldest = trace.events().front().map_or(trace.total(), |e| e.seq);
                while self.steps.back().is_some_and(|s| s.seq >= oldest) {
                    self.steps.pop_back();
                }
                self.steps
                    .extend(trace.events().iter().filter_map(Step::of));
            }
        }
        if self.steps.len() > MAX_CHART_STEPS {
            self.compact();
        }
        debug_assert!(self.steps.len() <= MAX_CHART_STEPS);
        self.dirty |= moved || self.steps.len() != had;
        let events = sim.events_processed();
        let due = moved
            || self.steps.len() <= EAGER_STEPS
            || events.abs_diff(self.events_at_version) >= REDRAW_EVERY_EVENTS;
        if self.dirty && due {
            self.version += 1;
            self.dirty = false;
            self.events_at_version = events;
        }
    }

    /// Changes when [`Self::series`] is worth computing again: when steps
    /// arrived, or the run moved in time, but with many steps not more than
    /// once per [`REDRAW_EVERY_EVENTS`] events. (Keyed on the event count
    /// alone, a new run's chart stayed empty until its 256th event: about
    /// 25 s of watching at the default speed.)
    pub fn version(&self) -> u64 {
        self.version
    }

    /// Keeps the last step per node, line and time bucket, doubling the
    /// bucket until at most half of [`MAX_CHART_STEPS`] remain (the chart
    /// draws at most [`CHART_POINTS`] per line anyway).
    fn compact(&mut self) {
        let mut bucket_us = 1_000u64;
        while self.steps.len() > MAX_CHART_STEPS / 2 {
            let mut kept: Vec<Option<Step>> = Vec::with_capacity(self.steps.len());
            // Per line, where its last kept step is.
            let mut last: BTreeMap<(NodeId, bool), usize> = BTreeMap::new();
            for step in self.steps.drain(..) {
                let line = (step.node, step.is_term);
                if let Some(&at) = last.get(&line) {
                    if kept[at].is_some_and(|k| k.time_us / bucket_us == step.time_us / bucket_us) {
                        kept[at] = None;
                    }
                }
                last.insert(line, kept.len());
                kept.push(Some(step));
            }
            self.steps = kept.into_iter().flatten().collect();
            bucket_us = bucket_us.saturating_mul(2);
        }
    }

    /// The series per node, thinned, from the run's first step to now.
    pub fn series(&self, sim: &Sim, nodes: &[NodeId]) -> Vec<(NodeId, Series)> {
        thin(
            nodes,
            span(&self.steps, sim.now_us()),
            self.steps.iter().copied(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flow::cursor::{TraceCursor, Track};
    use raft_core::kv::Op;
    use raft_core::sim::{Action, SimConfig, Timeline};

    /// Reads what is new on `track` into `log`.
    fn look(log: &mut SeriesLog, cursor: &mut TraceCursor, track: &Track) {
        log.apply(&cursor.look(track), track.sim());
    }

    #[test]
    fn the_folded_series_keep_the_whole_run_across_a_wrapping_trace_seeks_and_forks() {
        // A small trace, so that it forgets events while the run goes on;
        // and the same run with a trace that never forgets, read at once.
        let small = SimConfig {
            trace_capacity: 600,
            ..SimConfig::default()
        };
        let mut track = Track::new(Timeline::new(small).unwrap());
        let mut full = Timeline::new(SimConfig::default()).unwrap();
        let (mut log, mut cursor) = (SeriesLog::default(), TraceCursor::default());
        for step in 1..=60u64 {
            track.run_until(step * 50_000);
            full.run_until(step * 50_000);
            if step == 40 {
                // Back in time (restoring a checkpoint keeps only the
                // trace's tail), then on again. (Jumping further ahead at
                // once than the trace remembers would leave a gap.)
                track.seek(1_900_000);
                full.seek(1_900_000);
            }
            if step == 50 {
                // A fork: both timelines take the same action.
                let op = Op::Set {
                    key: "k".into(),
                    value: "v".into(),
                };
                track.seek(2_400_000);
                full.seek(2_400_000);
                track
                    .act(Action::ClientRequest {
                        op: op.clone(),
                        target: None,
                    })
                    .unwrap();
                full.act(Action::ClientRequest { op, target: None })
                    .unwrap();
            }
            look(&mut log, &mut cursor, &track);
            let sim = track.sim();
            let nodes = sim.node_ids();
            assert_eq!(
                log.series(sim, &nodes),
                series(full.sim(), &nodes),
                "at step {step}"
            );
        }
        assert!(track.sim().trace().total() > 600, "the trace wrapped");
        assert!(
            full.sim().trace().events().front().unwrap().seq == 0,
            "the reference kept everything"
        );
        let nodes = track.sim().node_ids();
        let s = log.series(track.sim(), &nodes);
        assert!(s.iter().any(|(_, s)| !s.commit.is_empty()));
        // From the first election on, not from the trace's memory.
        assert!(s.iter().all(|(_, s)| s.term[0].0 < 1_000_000), "{s:?}");
    }

    #[test]
    fn the_chart_is_redrawn_from_the_first_step_on() {
        let mut track = Track::new(Timeline::new(SimConfig::default()).unwrap());
        let (mut log, mut cursor) = (SeriesLog::default(), TraceCursor::default());
        look(&mut log, &mut cursor, &track);
        let empty = log.version();
        // Past the first election, long before the 256th event.
        track.run_until(400_000);
        let sim = track.sim();
        assert!(sim.events_processed() < 256, "{}", sim.events_processed());
        look(&mut log, &mut cursor, &track);
        assert_ne!(log.version(), empty, "new steps, new lines");
        let sim = track.sim();
        assert!(log
            .series(sim, &sim.node_ids())
            .iter()
            .all(|(_, s)| !s.term.is_empty()));
        // Nothing new, nothing to redraw.
        let drawn = log.version();
        look(&mut log, &mut cursor, &track);
        assert_eq!(log.version(), drawn);
        // A seek (a rewind) redraws even with no new step.
        track.seek(track.now_us());
        look(&mut log, &mut cursor, &track);
        assert_ne!(log.version(), drawn);
    }

    #[test]
    fn a_busy_chart_is_redrawn_at_most_once_per_256_events() {
        let mut track = Track::new(Timeline::new(SimConfig::benchmark_workload(1)).unwrap());
        let (mut log, mut cursor) = (SeriesLog::default(), TraceCursor::default());
        track.run_until(20_000_000);
        look(&mut log, &mut cursor, &track);
        assert!(log.steps.len() > EAGER_STEPS, "{}", log.steps.len());
        let (mut redraws, from) = (0, track.sim().events_processed());
        let mut version = log.version();
        while track.sim().events_processed() < from + 10 * REDRAW_EVERY_EVENTS {
            track.step();
            look(&mut log, &mut cursor, &track);
            redraws += u64::from(log.version() != version);
            version = log.version();
        }
        assert!(
            (9..=10).contains(&redraws),
            "{redraws} redraws in 2,560 events"
        );
    }

    #[test]
    fn the_chart_steps_stay_bounded_and_keep_the_latest_value_per_bucket() {
        let mut log = SeriesLog::default();
        for i in 0..(MAX_CHART_STEPS as u64 + 1) {
            log.steps.push_back(Step {
                seq: i,
                time_us: i * 100,
                node: 1 + i % 3,
                value: i,
                is_term: i % 2 == 0,
            });
        }
        let last = *log.steps.back().unwrap();
        log.compact();
        assert!(
            log.steps.len() <= MAX_CHART_STEPS / 2,
            "{}",
            log.steps.len()
        );
        assert_eq!(
            *log.steps.back().unwrap(),
            last,
            "the newest value survives"
        );
        assert!(log
            .steps
            .iter()
            .zip(log.steps.iter().skip(1))
            .all(|(a, b)| a.seq < b.seq));
    }
}
