//! One list of the run's timed actions: what a share link holds, read
//! straight from it.

use raft_core::scenario::TimedAction;

/// One action of the run at its time.
#[derive(Clone, Debug, PartialEq)]
struct Planned {
    at: TimedAction,
    /// A scenario's or a link's: taken again when the run forks before it
    /// (the user's own actions after a fork are discarded).
    scripted: bool,
    /// The simulation refused it when its time came (a link leaves it out).
    refused: bool,
}

/// Every timed action of one run, in time order: those taken (the
/// timeline recorded them, or refused them), then the scripted ones still
/// to come.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Schedule {
    actions: Vec<Planned>,
    /// How many of `actions` were taken.
    taken: usize,
}

impl Schedule {
    /// A schedule of scripted actions, none taken yet (sorted by time,
    /// keeping the order of simultaneous ones).
    pub fn scripted(mut actions: Vec<TimedAction>) -> Schedule {
        actions.sort_by_key(|a| a.at_us);
        Schedule {
            actions: actions
                .into_iter()
                .map(|at| Planned {
                    at,
                    scripted: true,
                    refused: false,
                })
                .collect(),
            taken: 0,
        }
    }

    /// The next action still to take, if due at or before `t_us`.
    pub fn due(&self, t_us: u64) -> Option<&TimedAction> {
        self.actions
            .get(self.taken)
            .map(|p| &p.at)
            .filter(|a| a.at_us <= t_us)
    }

    /// The action [`Self::due`] gave was taken (`refused`: the simulation
    /// would not take it).
    pub fn took(&mut self, refused: bool) {
        if let Some(p) = self.actions.get_mut(self.taken) {
            p.refused = refused;
            self.taken += 1;
        }
    }

    /// The user took `action` at `now_us`. `forked`: it was taken in the
    /// past, and the timeline dropped every action after `now_us`: the
    /// user's are gone, the scripted ones come again when time gets there.
    pub fn record(&mut self, at: TimedAction, forked: bool) {
        if forked {
            let now = at.at_us;
            let kept = self.actions[..self.taken]
                .iter()
                .take_while(|p| p.at.at_us <= now)
                .count();
            let later = self.actions.split_off(kept);
            self.actions
                .extend(later.into_iter().filter(|p| p.scripted).map(|p| Planned {
                    refused: false,
                    ..p
                }));
            self.taken = kept;
        }
        self.actions.insert(
            self.taken,
            Planned {
                at,
                scripted: false,
                refused: false,
            },
        );
        self.taken += 1;
    }

    /// Every action of the run a replay takes, in time order.
    pub fn actions(&self) -> Vec<TimedAction> {
        self.actions
            .iter()
            .filter(|p| !p.refused)
            .map(|p| p.at.clone())
            .collect()
    }

    /// The scripted actions (a scenario's or a link's), for the same run
    /// started again.
    pub fn script(&self) -> Schedule {
        Schedule::scripted(
            self.actions
                .iter()
                .filter(|p| p.scripted)
                .map(|p| p.at.clone())
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use raft_core::sim::Action;

    fn at(us: u64, n: u32) -> TimedAction {
        TimedAction::new(us, Action::SetLoss(n))
    }

    #[test]
    fn a_fork_drops_the_users_later_actions_and_takes_the_scripted_ones_again() {
        let mut s = Schedule::scripted(vec![at(300, 3), at(100, 1)]);
        assert_eq!(s.due(50), None);
        assert_eq!(s.due(100), Some(&at(100, 1)));
        s.took(false);
        s.record(at(200, 2), false);
        s.took(false);
        s.record(at(400, 4), false);
        assert_eq!(
            s.actions(),
            [at(100, 1), at(200, 2), at(300, 3), at(400, 4)]
        );
        // Back at 150 (the timeline keeps what follows), then a fork.
        s.record(at(150, 5), true);
        assert_eq!(s.actions(), [at(100, 1), at(150, 5), at(300, 3)]);
        assert_eq!(s.due(299), None);
        assert_eq!(s.due(300), Some(&at(300, 3)));
        assert_eq!(s.script().actions(), [at(100, 1), at(300, 3)]);
    }

    #[test]
    fn a_refused_action_is_left_out_of_a_link_but_not_of_a_restart() {
        let mut s = Schedule::scripted(vec![at(100, 1), at(200, 2)]);
        s.took(true);
        s.took(false);
        assert_eq!(s.actions(), [at(200, 2)]);
        assert_eq!(s.script().actions(), [at(100, 1), at(200, 2)]);
    }
}
