//! Saying what xtask is doing while it works: every step a line with the
//! elapsed time, and long commands run as background jobs whose output goes to
//! a log file while a heartbeat line tells how far each one got.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// How often a line is printed while jobs run (the issue asks for one at least
/// every 30 s).
pub const HEARTBEAT: Duration = Duration::from_secs(15);

/// Elapsed time since the command started, printed before every line.
pub struct Clock(Instant);

impl Clock {
    pub fn start() -> Clock {
        Clock(Instant::now())
    }

    /// Prints `[m:ss] what`.
    pub fn say(&self, what: &str) {
        println!("[{}] {what}", mmss(self.0.elapsed()));
    }
}

/// `75 s` → `1:15`.
pub fn mmss(d: Duration) -> String {
    let s = d.as_secs();
    format!("{}:{:02}", s / 60, s % 60)
}

/// A command running in the background, its output going to a log file.
pub struct Job {
    label: String,
    shown: String,
    child: Option<Child>,
    log: PathBuf,
    started: Instant,
    outcome: Option<Result<Duration, String>>,
    /// Not waited for by [`wait_all`], and its failure does not fail the wait.
    background: bool,
    /// Its end was announced.
    announced: bool,
}

impl Job {
    /// Starts `cmd` with stdout and stderr sent to `log` (created afresh).
    pub fn spawn(label: &str, cmd: &mut Command, log: PathBuf) -> Result<Job, String> {
        let shown = shown(cmd);
        if let Some(dir) = log.parent() {
            fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        let out =
            fs::File::create(&log).map_err(|e| format!("cannot create {}: {e}", log.display()))?;
        let err = out.try_clone().map_err(|e| e.to_string())?;
        let child = cmd
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .map_err(|e| format!("cannot start `{shown}`: {e}"))?;
        Ok(Job {
            label: label.to_string(),
            shown,
            child: Some(child),
            log,
            started: Instant::now(),
            outcome: None,
            background: false,
            announced: false,
        })
    }

    /// Makes it a job [`wait_all`] shows but does not wait for.
    pub fn in_background(mut self, background: bool) -> Job {
        self.background = background;
        self
    }

    /// `None` while running; then how long it took, or why it failed.
    pub fn poll(&mut self) -> Option<&Result<Duration, String>> {
        if self.outcome.is_none() {
            let child = self.child.as_mut()?;
            let status = match child.try_wait() {
                Ok(None) => return None,
                Ok(Some(status)) => Ok(status),
                Err(e) => Err(e),
            };
            self.child = None;
            let took = self.started.elapsed();
            self.outcome = Some(match status {
                Ok(status) if status.success() => Ok(took),
                Ok(status) => Err(format!(
                    "`{}` failed ({status}); the last lines of {}:\n{}",
                    self.shown,
                    self.log.display(),
                    tail(&read(&self.log), 25)
                )),
                Err(e) => Err(format!("cannot wait for `{}`: {e}", self.shown)),
            });
        }
        self.outcome.as_ref()
    }

    /// Whether cargo got past resolving and downloading (it holds the package
    /// cache lock until then).
    pub fn compiling(&self) -> bool {
        read(&self.log).contains("Compiling ")
    }

    /// What the job is doing, from its log: e.g. `112 crates compiled, now: Compiling yew v0.23.0`.
    pub fn activity(&self) -> String {
        activity(&read(&self.log))
    }
}

impl Drop for Job {
    /// A job abandoned because another failed is stopped, not left running.
    fn drop(&mut self) {
        if let Some(child) = self.child.as_mut() {
            if let Ok(None) = child.try_wait() {
                let _ = child.kill();
                let _ = child.wait();
            }
        }
    }
}

/// Waits until every job not in the background has finished, printing a
/// line when any job ends and a heartbeat every [`HEARTBEAT`]. `between` runs
/// about twice a second with the jobs (it may add some). Fails on the first
/// foreground job that fails; a background job's failure is only announced.
pub fn wait_all(
    clock: &Clock,
    jobs: &mut Vec<Job>,
    mut between: impl FnMut(&mut Vec<Job>) -> Result<(), String>,
) -> Result<(), String> {
    let mut last_beat = Instant::now();
    loop {
        let mut waiting = false;
        for job in jobs.iter_mut() {
            let background = job.background;
            let announce = !job.announced;
            match job.poll().cloned() {
                None => waiting |= !background,
                Some(Err(e)) if !background => return Err(format!("{}: {e}", job.label)),
                Some(outcome) if announce => {
                    job.announced = true;
                    clock.say(&match outcome {
                        Ok(took) => format!("done: {} (took {})", job.label, mmss(took)),
                        Err(e) => format!("failed: {}: {e}", job.label),
                    });
                }
                Some(_) => {}
            }
        }
        between(jobs)?;
        if !waiting && jobs.iter_mut().all(|j| j.background || j.poll().is_some()) {
            return Ok(());
        }
        if last_beat.elapsed() >= HEARTBEAT {
            last_beat = Instant::now();
            clock.say(&heartbeat(jobs));
        }
        thread::sleep(Duration::from_millis(500));
    }
}

/// One line naming every running job and what it is at.
pub fn heartbeat(jobs: &mut [Job]) -> String {
    let parts: Vec<String> = jobs
        .iter_mut()
        .filter_map(|job| {
            job.poll()
                .is_none()
                .then(|| format!("{} ({})", job.label, job.activity()))
        })
        .collect();
    format!("… {}", parts.join(" · "))
}

fn read(log: &Path) -> String {
    fs::read(log)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default()
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

fn activity(log: &str) -> String {
    let compiled = log
        .lines()
        .filter(|l| l.trim_start().starts_with("Compiling "))
        .count();
    let last = log
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("starting");
    let last: String = last.chars().take(70).collect();
    if compiled == 0 {
        last
    } else {
        format!("{compiled} crates compiled, now: {last}")
    }
}

/// A command line as a user would type it.
pub fn shown(cmd: &Command) -> String {
    std::iter::once(cmd.get_program())
        .chain(cmd.get_args())
        .map(|a| a.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minutes_and_seconds() {
        assert_eq!(mmss(Duration::from_secs(0)), "0:00");
        assert_eq!(mmss(Duration::from_secs(75)), "1:15");
        assert_eq!(mmss(Duration::from_secs(600)), "10:00");
    }

    #[test]
    fn activity_counts_crates_and_shows_the_last_line() {
        assert_eq!(activity(""), "starting");
        assert_eq!(
            activity("    Updating crates.io index\n"),
            "Updating crates.io index"
        );
        let log = "  Downloaded 3 crates\n   Compiling a v1.0.0\n   Compiling b v2.0.0\n\n";
        assert_eq!(activity(log), "2 crates compiled, now: Compiling b v2.0.0");
    }

    #[test]
    fn a_job_reports_success_and_failure() {
        let dir = std::env::temp_dir().join(format!("xtask-progress-{}", std::process::id()));
        let clock = Clock::start();
        let mut jobs = vec![Job::spawn(
            "ok",
            Command::new("sh").args(["-c", "echo '   Compiling x v1.0.0'"]),
            dir.join("ok.log"),
        )
        .unwrap()];
        wait_all(&clock, &mut jobs, |_| Ok(())).unwrap();
        assert!(jobs[0].compiling());

        let mut jobs = vec![Job::spawn(
            "bad",
            Command::new("sh").args(["-c", "echo boom; exit 3"]),
            dir.join("bad.log"),
        )
        .unwrap()];
        let err = wait_all(&clock, &mut jobs, |_| Ok(())).unwrap_err();
        assert!(
            err.starts_with("bad: `sh -c echo boom; exit 3` failed"),
            "{err}"
        );
        assert!(err.ends_with("boom"), "{err}");
        let _ = fs::remove_dir_all(dir);
    }
}
