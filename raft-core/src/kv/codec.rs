//! The compact binary format of commands (and the building blocks of
//! snapshots): a version byte, LEB128 varints and length-prefixed UTF-8.
//!
//! Decoding checks every length against its limit *before* allocating and
//! never panics, whatever the bytes: log entries and snapshots may come from
//! a buggy or hostile peer.

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use super::command::{Command, CommandError, CommandRef, Op, OpRef};
use super::{MAX_COMMAND_BYTES, MAX_KEY_BYTES, MAX_VALUE_BYTES};

/// The format version written first in every encoded command and snapshot.
pub(crate) const VERSION: u8 = 1;

/// Longest LEB128 encoding of a `u64`.
pub(crate) const MAX_VARINT_BYTES: usize = 10;

/// Encoded size bound of a string of at most `max` bytes (prefix + bytes).
pub(crate) const fn str_bound(max: usize) -> usize {
    varint_len(max as u64) + max
}

const fn varint_len(mut v: u64) -> usize {
    let mut n = 1;
    while v >= 0x80 {
        v >>= 7;
        n += 1;
    }
    n
}

const OP_SET: u8 = 1;
const OP_DELETE: u8 = 2;
const OP_GET: u8 = 3;
const OP_CAS: u8 = 4;

/// Why bytes could not be decoded into a command or a snapshot.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum DecodeError {
    /// The input stopped in the middle of a field.
    UnexpectedEnd,
    /// The leading version byte is not one this build understands.
    UnsupportedVersion(u8),
    /// A tag byte (opcode, option or reply kind) has no meaning.
    UnknownTag {
        /// Which field held the tag.
        field: Cow<'static, str>,
        /// The byte found.
        tag: u8,
    },
    /// A varint is longer than 10 bytes, overflows `u64` or has a redundant
    /// trailing zero byte (each number has exactly one encoding).
    BadVarint,
    /// A length or count exceeds its limit; refused before allocating.
    TooLong {
        /// Which field was too long.
        field: Cow<'static, str>,
        /// The length announced or found.
        len: u64,
        /// The limit.
        max: u64,
    },
    /// A string field is not valid UTF-8.
    InvalidUtf8,
    /// Bytes remain after a complete value.
    TrailingBytes(usize),
    /// The command decoded but breaks a limit (e.g. an empty key).
    InvalidCommand(CommandError),
    /// A snapshot is well formed but inconsistent (e.g. keys out of order).
    Inconsistent(Cow<'static, str>),
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::UnexpectedEnd => f.write_str("the data ends in the middle of a field"),
            DecodeError::UnsupportedVersion(v) => write!(f, "unsupported format version {v}"),
            DecodeError::UnknownTag { field, tag } => write!(f, "unknown {field} tag {tag}"),
            DecodeError::BadVarint => f.write_str("malformed variable-length number"),
            DecodeError::TooLong { field, len, max } => {
                write!(f, "{field} is {len} long; the limit is {max}")
            }
            DecodeError::InvalidUtf8 => f.write_str("text is not valid UTF-8"),
            DecodeError::TrailingBytes(n) => write!(f, "{n} unexpected bytes after the end"),
            DecodeError::InvalidCommand(e) => write!(f, "invalid command: {e}"),
            DecodeError::Inconsistent(why) => write!(f, "inconsistent snapshot: {why}"),
        }
    }
}

impl core::error::Error for DecodeError {}

/// Appends `v` as an unsigned LEB128 varint.
pub(crate) fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Appends a length-prefixed string.
pub(crate) fn put_str(out: &mut Vec<u8>, s: &str) {
    put_varint(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

/// Appends an optional string: tag 0 (absent) or tag 1 then the string.
pub(crate) fn put_opt_str(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        None => out.push(0),
        Some(s) => {
            out.push(1);
            put_str(out, s);
        }
    }
}

/// A bounds-checked cursor over input bytes; every read returns an error
/// instead of panicking when the input is short.
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes }
    }

    #[inline]
    pub(crate) fn byte(&mut self) -> Result<u8, DecodeError> {
        let (&first, rest) = self.bytes.split_first().ok_or(DecodeError::UnexpectedEnd)?;
        self.bytes = rest;
        Ok(first)
    }

    /// Reads the version byte and checks it.
    pub(crate) fn version(&mut self) -> Result<(), DecodeError> {
        match self.byte()? {
            VERSION => Ok(()),
            v => Err(DecodeError::UnsupportedVersion(v)),
        }
    }

    #[inline]
    pub(crate) fn varint(&mut self) -> Result<u64, DecodeError> {
        let mut value: u64 = 0;
        for i in 0..MAX_VARINT_BYTES {
            let b = self.byte()?;
            let bits = u64::from(b & 0x7f);
            let shift = 7 * i as u32;
            // The 10th byte may only hold the top bit of a u64.
            if i == MAX_VARINT_BYTES - 1 && bits > 1 {
                return Err(DecodeError::BadVarint);
            }
            value |= bits << shift;
            if b & 0x80 == 0 {
                // A zero final byte after others is a redundant encoding.
                if i > 0 && b == 0 {
                    return Err(DecodeError::BadVarint);
                }
                return Ok(value);
            }
        }
        Err(DecodeError::BadVarint)
    }

    /// Reads a count or length and refuses it if above `max`.
    pub(crate) fn bounded(
        &mut self,
        field: &'static str,
        max: usize,
    ) -> Result<usize, DecodeError> {
        let len = self.varint()?;
        if len > max as u64 {
            return Err(DecodeError::TooLong {
                field: field.into(),
                len,
                max: max as u64,
            });
        }
        Ok(len as usize)
    }

    pub(crate) fn str(&mut self, field: &'static str, max: usize) -> Result<String, DecodeError> {
        self.str_ref(field, max).map(String::from)
    }

    /// A length-prefixed string, borrowed from the input.
    pub(crate) fn str_ref(
        &mut self,
        field: &'static str,
        max: usize,
    ) -> Result<&'a str, DecodeError> {
        let len = self.bounded(field, max)?;
        if len > self.bytes.len() {
            return Err(DecodeError::UnexpectedEnd);
        }
        let (text, rest) = self.bytes.split_at(len);
        self.bytes = rest;
        core::str::from_utf8(text).map_err(|_| DecodeError::InvalidUtf8)
    }

    /// An optional string (see [`put_opt_str`]), borrowed from the input.
    pub(crate) fn opt_str_ref(
        &mut self,
        field: &'static str,
        max: usize,
    ) -> Result<Option<&'a str>, DecodeError> {
        match self.byte()? {
            0 => Ok(None),
            1 => self.str_ref(field, max).map(Some),
            tag => Err(DecodeError::UnknownTag {
                field: field.into(),
                tag,
            }),
        }
    }

    pub(crate) fn opt_str(
        &mut self,
        field: &'static str,
        max: usize,
    ) -> Result<Option<String>, DecodeError> {
        Ok(self.opt_str_ref(field, max)?.map(String::from))
    }

    /// Succeeds only if every byte was consumed.
    pub(crate) fn finish(self) -> Result<(), DecodeError> {
        match self.bytes.len() {
            0 => Ok(()),
            n => Err(DecodeError::TrailingBytes(n)),
        }
    }
}

impl Command {
    /// Encodes the command for a Raft log entry: version byte, `client_id`
    /// and `seq` as varints, an opcode, then length-prefixed strings.
    ///
    /// Encoding does not check limits (a `Command` is plain data);
    /// [`Command::decode`] and [`KvStore::apply`](super::KvStore::apply) do.
    pub fn encode(&self) -> Vec<u8> {
        encode_command(self.client_id, self.seq, &self.op)
    }

    /// Decodes bytes made by [`Command::encode`]. Never panics: short,
    /// over-long, non-UTF-8 or trailing input is an error, and so is a
    /// command over the limits ([`Command::validate`]).
    pub fn decode(bytes: &[u8]) -> Result<Command, DecodeError> {
        let cmd = decode_command(bytes)?;
        Ok(Command {
            client_id: cmd.client_id,
            seq: cmd.seq,
            op: cmd.op.to_op(),
        })
    }
}

/// [`Command::encode`] of a command given by its parts (no `Op` cloned to
/// build one).
pub(crate) fn encode_command(client_id: u64, seq: u64, op: &Op) -> Vec<u8> {
    let mut out = Vec::with_capacity(16 + op.key().len());
    encode_command_into(&mut out, client_id, seq, op);
    out
}

/// [`encode_command`] appended to `out` (a caller with a scratch buffer
/// allocates nothing here).
pub(crate) fn encode_command_into(out: &mut Vec<u8>, client_id: u64, seq: u64, op: &Op) {
    out.push(VERSION);
    put_varint(out, client_id);
    put_varint(out, seq);
    encode_op(out, op);
}

/// [`Command::decode`] with the strings borrowed from `bytes` (the store
/// applies entries this way, allocating nothing to read them).
pub(crate) fn decode_command(bytes: &[u8]) -> Result<CommandRef<'_>, DecodeError> {
    if bytes.len() > MAX_COMMAND_BYTES {
        return Err(DecodeError::TooLong {
            field: "command".into(),
            len: bytes.len() as u64,
            max: MAX_COMMAND_BYTES as u64,
        });
    }
    let mut r = Reader::new(bytes);
    r.version()?;
    let client_id = r.varint()?;
    let seq = r.varint()?;
    let op = decode_op(&mut r)?;
    r.finish()?;
    op.validate().map_err(DecodeError::InvalidCommand)?;
    Ok(CommandRef { client_id, seq, op })
}

fn encode_op(out: &mut Vec<u8>, op: &Op) {
    match op {
        Op::Set { key, value } => {
            out.push(OP_SET);
            put_str(out, key);
            put_str(out, value);
        }
        Op::Delete { key } => {
            out.push(OP_DELETE);
            put_str(out, key);
        }
        Op::Get { key } => {
            out.push(OP_GET);
            put_str(out, key);
        }
        Op::Cas { key, expected, new } => {
            out.push(OP_CAS);
            put_str(out, key);
            put_opt_str(out, expected.as_deref());
            put_str(out, new);
        }
    }
}

fn decode_op<'a>(r: &mut Reader<'a>) -> Result<OpRef<'a>, DecodeError> {
    let tag = r.byte()?;
    let key = r.str_ref("key", MAX_KEY_BYTES)?;
    Ok(match tag {
        OP_SET => OpRef::Set {
            key,
            value: r.str_ref("value", MAX_VALUE_BYTES)?,
        },
        OP_DELETE => OpRef::Delete { key },
        OP_GET => OpRef::Get { key },
        OP_CAS => {
            let expected = r.opt_str_ref("expected value", MAX_VALUE_BYTES)?;
            OpRef::Cas {
                key,
                expected,
                new: r.str_ref("value", MAX_VALUE_BYTES)?,
            }
        }
        tag => {
            return Err(DecodeError::UnknownTag {
                field: "opcode".into(),
                tag,
            })
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;
    use alloc::vec;

    fn set(key: &str, value: &str) -> Command {
        Command::new(
            7,
            300,
            Op::Set {
                key: key.to_string(),
                value: value.to_string(),
            },
        )
    }

    #[test]
    fn encoding_is_compact_and_versioned() {
        let bytes = set("x", "1").encode();
        // version, client 7, seq 300 (2 bytes), opcode, "x", "1"
        assert_eq!(bytes, vec![1, 7, 0xac, 0x02, OP_SET, 1, b'x', 1, b'1']);
        assert_eq!(Command::decode(&bytes), Ok(set("x", "1")));
    }

    #[test]
    fn each_op_round_trips() {
        let k = || "key".to_string();
        for op in [
            Op::Set {
                key: k(),
                value: "v".to_string(),
            },
            Op::Delete { key: k() },
            Op::Get { key: k() },
            Op::Cas {
                key: k(),
                expected: None,
                new: "n".to_string(),
            },
            Op::Cas {
                key: k(),
                expected: Some(String::new()),
                new: "n".to_string(),
            },
        ] {
            let cmd = Command::new(u64::MAX, 0, op);
            assert_eq!(Command::decode(&cmd.encode()), Ok(cmd));
        }
    }

    #[test]
    fn decode_rejects_bad_input() {
        let good = set("x", "1").encode();
        assert_eq!(Command::decode(&[]), Err(DecodeError::UnexpectedEnd));
        assert_eq!(
            Command::decode(&[9]),
            Err(DecodeError::UnsupportedVersion(9))
        );
        assert_eq!(
            Command::decode(&good[..good.len() - 1]),
            Err(DecodeError::UnexpectedEnd)
        );
        let mut trailing = good.clone();
        trailing.push(0);
        assert_eq!(
            Command::decode(&trailing),
            Err(DecodeError::TrailingBytes(1))
        );
        let mut bad_op = good.clone();
        bad_op[4] = 99;
        assert_eq!(
            Command::decode(&bad_op),
            Err(DecodeError::UnknownTag {
                field: "opcode".into(),
                tag: 99
            })
        );
        let mut bad_utf8 = good;
        bad_utf8[6] = 0xff;
        assert_eq!(Command::decode(&bad_utf8), Err(DecodeError::InvalidUtf8));
    }

    #[test]
    fn decode_refuses_over_limit_lengths_before_reading_them() {
        // A key announcing 65 bytes with no bytes behind it: refused by length.
        let bytes = [VERSION, 1, 1, OP_GET, 65];
        assert_eq!(
            Command::decode(&bytes),
            Err(DecodeError::TooLong {
                field: "key".into(),
                len: 65,
                max: MAX_KEY_BYTES as u64
            })
        );
        let too_big = set("x", &"v".repeat(MAX_VALUE_BYTES + 1)).encode();
        assert!(matches!(
            Command::decode(&too_big),
            Err(DecodeError::TooLong { .. })
        ));
        let empty_key = set("", "1").encode();
        assert_eq!(
            Command::decode(&empty_key),
            Err(DecodeError::InvalidCommand(CommandError::EmptyKey))
        );
        assert!(matches!(
            Command::decode(&vec![1; MAX_COMMAND_BYTES + 1]),
            Err(DecodeError::TooLong { field, .. }) if field == "command"
        ));
    }

    #[test]
    fn varints_have_one_encoding_and_never_overflow() {
        let mut r = Reader::new(&[0x80, 0x00]);
        assert_eq!(r.varint(), Err(DecodeError::BadVarint));
        let max = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
        assert_eq!(Reader::new(&max).varint(), Ok(u64::MAX));
        let over = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02];
        assert_eq!(Reader::new(&over).varint(), Err(DecodeError::BadVarint));
        let long = [0x80; 11];
        assert_eq!(Reader::new(&long).varint(), Err(DecodeError::BadVarint));
        let mut out = Vec::new();
        put_varint(&mut out, u64::MAX);
        assert_eq!(out.len(), MAX_VARINT_BYTES);
    }

    #[test]
    fn max_command_bytes_is_tight_enough() {
        let big = Command::new(
            u64::MAX,
            u64::MAX,
            Op::Cas {
                key: "k".repeat(MAX_KEY_BYTES),
                expected: Some("e".repeat(MAX_VALUE_BYTES)),
                new: "n".repeat(MAX_VALUE_BYTES),
            },
        );
        let bytes = big.encode();
        assert_eq!(bytes.len(), MAX_COMMAND_BYTES);
        assert_eq!(Command::decode(&bytes), Ok(big));
    }
}
