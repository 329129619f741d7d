//! Files the user takes away and brings back: a scenario as JSON, the trace
//! as JSON lines. Pure functions over bytes and strings (the browser side,
//! buttons, file picker and drag and drop, is `components::transfer`), so
//! every format rule is tested natively.
//!
//! ## Scenario file (`.json`, version 2)
//! Pretty-printed JSON: `format` ([`SCENARIO_FORMAT`]), `version`
//! ([`SCENARIO_FILE_VERSION`]), `trace_hash` (16 hex digits: the trace hash
//! at `state.time_us` when exported, so a reader can check that the replay
//! matches) and `state`, the serde form of [`ShareState`]: the same state a
//! share link holds (configuration with seed, every action with its time, the
//! moment shown, speed, selection). Loading replays the run to that moment
//! and pauses there, as a link does.
//!
//! A file is read only if it is at most [`MAX_FILE_BYTES`]; its state then
//! goes through the share-link validator ([`link::validate`]), so a file and
//! a link accept exactly the same runs. Fields added to `state` later must
//! take a default when missing (or the version goes up); the fixture tests
//! keep files of every version loading.
//!
//! Version 1 differs only in its `trace_hash`: the trace was hashed with
//! FNV-1a, which the simulator no longer computes (its hash became faster).
//! A version-1 file still loads and replays the same run, but its hash is
//! not compared.
//!
//! ## Trace export (`.jsonl`, version 2)
//! One JSON object per line. The first is a [`TraceHeader`]: format
//! ([`TRACE_FORMAT`]), version, seed, scenario id, virtual time, how many
//! events the run recorded in all, how many of the oldest are no longer in
//! memory (the trace is a bounded ring), how many follow, and the trace hash
//! over all of them. Every further line is one retained
//! [`TraceEvent`](raft_core::sim::TraceEvent) (`seq`, `time_us`, `kind`),
//! oldest first.

use raft_core::scenario::link::{self, LinkError};
use raft_core::scenario::ShareState;
use raft_core::sim::Trace;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::io;

/// The `format` of a scenario file.
pub const SCENARIO_FORMAT: &str = "raft-playground-scenario";
/// The scenario file version [`encode_scenario`] writes (and the newest
/// [`decode_scenario`] reads).
pub const SCENARIO_FILE_VERSION: u32 = 2;
/// The oldest scenario file version [`decode_scenario`] reads: version 1,
/// whose trace hash (FNV-1a) is not compared.
pub const OLDEST_SCENARIO_FILE_VERSION: u32 = 1;
/// The `format` in a trace export's header line.
pub const TRACE_FORMAT: &str = "raft-playground-trace";
/// The trace export version [`write_trace`] writes (2: the trace hash in
/// the header is the simulator's current hash, not version 1's FNV-1a).
pub const TRACE_FILE_VERSION: u32 = 2;
/// Largest scenario file read (1 MiB): a real one is a few kilobytes, and
/// the browser checks the size before reading a byte.
pub const MAX_FILE_BYTES: u64 = 1 << 20;

/// A scenario file as [`encode_scenario`] writes it.
#[derive(Serialize)]
struct ScenarioFileOut<'a> {
    format: &'static str,
    version: u32,
    trace_hash: String,
    state: &'a ShareState,
}

/// A scenario file as [`decode_scenario`] reads it (after the header checks).
#[derive(Deserialize)]
struct ScenarioFileIn {
    trace_hash: Option<String>,
    state: ShareState,
}

/// The two fields read first, so a foreign or newer file is named as such
/// instead of failing on its first unexpected field.
#[derive(Deserialize)]
struct Header {
    format: Option<String>,
    version: Option<u64>,
}

/// The format alone, when [`Header`] fails: `"version": "1"` in a scenario
/// file is a bad version, not a reason to call the file foreign.
#[derive(Deserialize)]
struct Format {
    format: Option<String>,
}

/// A decoded, validated scenario file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioFile {
    /// The run and the moment to open.
    pub state: ShareState,
    /// The trace hash recorded at export, if the file has one.
    pub trace_hash: Option<u64>,
}

/// Why a file was not loaded. Nothing changes when a file is refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImportError {
    /// Larger than [`MAX_FILE_BYTES`].
    TooLarge {
        /// The file's size.
        bytes: u64,
    },
    /// Zero bytes, or only white space.
    Empty,
    /// The browser could not read it.
    Unreadable,
    /// Not JSON; the detail names the line and column.
    NotJson {
        /// The parser's message.
        detail: String,
    },
    /// JSON that stops early (a cut-off file).
    Truncated {
        /// The parser's message.
        detail: String,
    },
    /// A trace export (`.jsonl`): it describes a run, but cannot restore one.
    TraceExport,
    /// JSON, but not a playground scenario file.
    NotAScenarioFile {
        /// Its `format`, if it has one.
        found: Option<String>,
    },
    /// A scenario file of a version this build does not read.
    UnsupportedVersion {
        /// The version found (`None`: absent, or not a whole number).
        found: Option<u64>,
    },
    /// A scenario file with a missing field or a value of the wrong type.
    Malformed {
        /// The parser's message (names the field or value, line and column).
        detail: String,
    },
    /// Well-formed, but a value is out of range or there are too many actions
    /// (the share-link rules, [`link::validate`]).
    Invalid(LinkError),
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImportError::TooLarge { bytes } => write!(
                f,
                "The file is too large ({} KiB); a scenario file is at most {} KiB.",
                bytes.div_ceil(1024),
                MAX_FILE_BYTES / 1024
            ),
            ImportError::Empty => f.write_str("The file is empty."),
            ImportError::Unreadable => {
                f.write_str("The file could not be read (was it moved or deleted?).")
            }
            ImportError::NotJson { detail } => write!(f, "The file is not valid JSON: {detail}."),
            ImportError::Truncated { detail } => {
                write!(f, "The file ends too early; it may be cut off: {detail}.")
            }
            ImportError::TraceExport => f.write_str(
                "This is a trace export (.jsonl), which records a run but cannot restore it; load a scenario .json file instead.",
            ),
            ImportError::NotAScenarioFile { found: None } => write!(
                f,
                "The file is JSON but not a Raft Playground scenario (it has no \"format\": \"{SCENARIO_FORMAT}\")."
            ),
            ImportError::NotAScenarioFile { found: Some(found) } => write!(
                f,
                "The file is JSON but not a Raft Playground scenario (its format is \"{}\", not \"{SCENARIO_FORMAT}\").",
                shorten(found)
            ),
            ImportError::UnsupportedVersion { found: None } => write!(
                f,
                "The scenario file has no \"version\" number; this playground reads versions {OLDEST_SCENARIO_FILE_VERSION} to {SCENARIO_FILE_VERSION}."
            ),
            ImportError::UnsupportedVersion { found: Some(v) } => write!(
                f,
                "The scenario file has version {v}, which this playground cannot read (it reads versions {OLDEST_SCENARIO_FILE_VERSION} to {SCENARIO_FILE_VERSION})."
            ),
            ImportError::Malformed { detail } => {
                write!(f, "The scenario file is malformed: {detail}.")
            }
            ImportError::Invalid(LinkError::OutOfRange { what }) => {
                write!(f, "The scenario file holds a value out of range: {what}.")
            }
            ImportError::Invalid(LinkError::TooManyActions { count, max }) => write!(
                f,
                "The scenario file holds {count} actions; at most {max} are allowed."
            ),
            ImportError::Invalid(other) => write!(f, "The scenario file is invalid: {other}"),
        }
    }
}

impl std::error::Error for ImportError {}

fn shorten(text: &str) -> String {
    const MAX: usize = 40;
    if text.chars().count() <= MAX {
        text.to_string()
    } else {
        format!("{}…", text.chars().take(MAX).collect::<String>())
    }
}

/// The scenario file for `state`, whose run has trace hash `trace_hash` at
/// `state.time_us`: pretty-printed JSON ending in a newline.
pub fn encode_scenario(state: &ShareState, trace_hash: u64) -> String {
    let file = ScenarioFileOut {
        format: SCENARIO_FORMAT,
        version: SCENARIO_FILE_VERSION,
        trace_hash: format!("{trace_hash:016x}"),
        state,
    };
    // Serializing plain data with string keys into a String cannot fail.
    let mut text = serde_json::to_string_pretty(&file).unwrap_or_default();
    text.push('\n');
    text
}

/// Reads and validates a scenario file. Never panics, whatever the bytes.
pub fn decode_scenario(bytes: &[u8]) -> Result<ScenarioFile, ImportError> {
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(ImportError::TooLarge {
            bytes: bytes.len() as u64,
        });
    }
    // Editors on Windows may start a UTF-8 file with a byte-order mark.
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ImportError::Empty);
    }
    // A version of the wrong type fails `Header`; the format still names the file.
    let (format, version) = match serde_json::from_slice::<Header>(bytes) {
        Ok(header) => (header.format, header.version),
        Err(e) if e.is_data() => (
            serde_json::from_slice::<Format>(bytes)
                .ok()
                .and_then(|f| f.format),
            None,
        ),
        Err(e) => return Err(syntax_error(bytes, e)),
    };
    match format.as_deref() {
        Some(SCENARIO_FORMAT) => {}
        Some(TRACE_FORMAT) => return Err(ImportError::TraceExport),
        _ => return Err(ImportError::NotAScenarioFile { found: format }),
    }
    let version = match version {
        Some(v)
            if (u64::from(OLDEST_SCENARIO_FILE_VERSION)..=u64::from(SCENARIO_FILE_VERSION))
                .contains(&v) =>
        {
            v
        }
        _ => return Err(ImportError::UnsupportedVersion { found: version }),
    };
    let file: ScenarioFileIn =
        serde_json::from_slice(bytes).map_err(|e| ImportError::Malformed {
            detail: e.to_string(),
        })?;
    link::validate(&file.state).map_err(ImportError::Invalid)?;
    let trace_hash = match file.trace_hash {
        None => None,
        Some(hex) => Some(parse_hash(&hex).ok_or_else(|| ImportError::Malformed {
            detail: format!("\"trace_hash\" is \"{}\", not 16 hex digits", shorten(&hex)),
        })?),
    };
    Ok(ScenarioFile {
        state: file.state,
        // Version 1 hashed the trace with another function: not comparable.
        trace_hash: trace_hash.filter(|_| version == u64::from(SCENARIO_FILE_VERSION)),
    })
}

/// A trace export is several JSON values, one a line: name it as such
/// rather than reporting "trailing characters" on its second line.
fn syntax_error(bytes: &[u8], e: serde_json::Error) -> ImportError {
    let first_line = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
    if let Ok(Format {
        format: Some(format),
    }) = serde_json::from_slice(first_line)
    {
        if format == TRACE_FORMAT {
            return ImportError::TraceExport;
        }
    }
    let detail = e.to_string();
    if e.is_eof() {
        ImportError::Truncated { detail }
    } else {
        ImportError::NotJson { detail }
    }
}

fn parse_hash(hex: &str) -> Option<u64> {
    if hex.len() == 16 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        u64::from_str_radix(hex, 16).ok()
    } else {
        None
    }
}

/// What the banner says after a file loaded: where the run now stands, and
/// whether its replay matches the trace hash recorded in the file.
pub fn loaded_notice(name: &str, file: &ScenarioFile, replayed_hash: u64) -> String {
    let name = shorten(name);
    let at = crate::speed::format_time(file.state.time_us);
    match file.trace_hash {
        Some(expected) if expected != replayed_hash => format!(
            "Loaded \"{name}\", paused at {at}, but the replay differs from the exported run (trace hash {replayed_hash:016x}, the file says {expected:016x}): it was probably made by another version of the playground."
        ),
        _ => format!("Loaded \"{name}\": the run replayed to {at} and is paused there."),
    }
}

/// The message for a refused file, naming it; the run is untouched.
pub fn refused_message(name: &str, error: &ImportError) -> String {
    format!(
        "Cannot load \"{}\": {error} Your current run is unchanged.",
        shorten(name)
    )
}

/// `raft-playground-<scenario id>` or `raft-playground-seed-<seed>`: the
/// stem of both download names.
pub fn file_stem(state: &ShareState) -> String {
    match &state.scenario_id {
        // Validated ids are lowercase letters, digits and dashes: safe in a name.
        Some(id) => format!("raft-playground-{id}"),
        None => format!("raft-playground-seed-{}", state.config.seed),
    }
}

/// The scenario file's download name.
pub fn scenario_file_name(state: &ShareState) -> String {
    format!("{}.json", file_stem(state))
}

/// The trace export's download name.
pub fn trace_file_name(state: &ShareState) -> String {
    format!("{}-trace.jsonl", file_stem(state))
}

/// The first line of a trace export.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraceHeader {
    /// [`TRACE_FORMAT`].
    pub format: String,
    /// [`TRACE_FILE_VERSION`].
    pub version: u32,
    /// The run's seed.
    pub seed: u64,
    /// The library scenario the run started from, if any.
    pub scenario_id: Option<String>,
    /// The virtual time of the export, microseconds.
    pub time_us: u64,
    /// Events recorded since time zero (`dropped_events + events`).
    pub total_events: u64,
    /// The oldest events no longer in memory: the trace keeps only the last
    /// `trace_capacity` (fewer after a jump back in time), though its hash
    /// covers them all.
    pub dropped_events: u64,
    /// The event lines that follow.
    pub events: u64,
    /// The trace's ring-buffer size.
    pub trace_capacity: u64,
    /// The hash over all `total_events`, 16 hex digits.
    pub trace_hash: String,
}

impl TraceHeader {
    /// The header for `trace` as it stands at `state.time_us`.
    pub fn new(state: &ShareState, trace: &Trace) -> TraceHeader {
        let events = trace.events().len() as u64;
        TraceHeader {
            format: TRACE_FORMAT.to_string(),
            version: TRACE_FILE_VERSION,
            seed: state.config.seed,
            scenario_id: state.scenario_id.clone(),
            time_us: state.time_us,
            total_events: trace.total(),
            dropped_events: trace.total().saturating_sub(events),
            events,
            trace_capacity: trace.capacity() as u64,
            trace_hash: format!("{:016x}", trace.hash()),
        }
    }
}

/// Writes the trace export: the header line, then one line per retained event.
/// `out` may be a chunked sink: a trace of millions of events is never one string.
pub fn write_trace(mut out: impl io::Write, header: &TraceHeader, trace: &Trace) -> io::Result<()> {
    serde_json::to_writer(&mut out, header)?;
    out.write_all(b"\n")?;
    for event in trace.events() {
        serde_json::to_writer(&mut out, event)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
