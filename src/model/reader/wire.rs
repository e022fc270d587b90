//! The protobuf wire format as the walk needs it: one field's key and extent ([`field`], with
//! [`quick_field`] for the common case and prost for the rest and every error), hops over a run
//! of fields reading only their headers ([`hop`]), and the strings of one small message
//! ([`read_strings`]).

use prost::encoding::{decode_key, decode_varint, skip_field, DecodeContext, WireType};
use prost::Message;

use super::{Source, WalkError};

/// One field's key and where its value is.
#[derive(Debug, PartialEq)]
pub(super) struct Field {
    pub number: u32,
    pub wire: WireType,
    /// For varints the value; for length-delimited fields the length.
    pub value: u64,
    /// Where the value starts (after the key, and after the length for LEN fields).
    pub start: u64,
    /// Where the next field starts.
    pub next: u64,
}

/// A field's key and length take at most this many bytes.
pub(super) const FIELD_HEAD: u64 = 20;

/// Reads the field at `pos`, which lies before `end`.
#[inline]
pub(super) fn field(
    src: &mut dyn Source,
    pos: u64,
    end: u64,
    msg: &'static str,
) -> Result<Field, WalkError> {
    let head_len = (end - pos).min(FIELD_HEAD) as usize;
    let head = src.get(pos, head_len)?;
    match quick_field(head, pos, end) {
        Some(f) => Ok(f),
        None => decode_field(head, pos, end, msg),
    }
}

/// Decodes the field at `pos` from `head`, its first `min(end - pos, FIELD_HEAD)` bytes, in
/// every case [`quick_field`] leaves: keys and varints of any width, and every error.
pub(super) fn decode_field(
    head: &[u8],
    pos: u64,
    end: u64,
    msg: &'static str,
) -> Result<Field, WalkError> {
    let head_len = head.len();
    let mut buf = head;
    let corrupt = |what: String| WalkError::Corrupt { what, at: pos };
    let (number, wire) = decode_key(&mut buf).map_err(|e| corrupt(format!("{msg}: {e}")))?;
    let after_key = |buf: &[u8]| pos + (head_len - buf.len()) as u64;
    let truncated = WalkError::Truncated { what: msg, at: pos };
    match wire {
        WireType::Varint => {
            let value = decode_varint(&mut buf).map_err(|_| {
                if (head_len as u64) < FIELD_HEAD {
                    WalkError::Truncated { what: msg, at: pos }
                } else {
                    corrupt(format!("{msg}: invalid varint"))
                }
            })?;
            let next = after_key(buf);
            Ok(Field {
                number,
                wire,
                value,
                start: next,
                next,
            })
        }
        WireType::LengthDelimited => {
            let len = decode_varint(&mut buf).map_err(|_| truncated)?;
            let start = after_key(buf);
            if len > end - start {
                return Err(WalkError::Truncated { what: msg, at: pos });
            }
            Ok(Field {
                number,
                wire,
                value: len,
                start,
                next: start + len,
            })
        }
        WireType::ThirtyTwoBit | WireType::SixtyFourBit => {
            let size = if wire == WireType::ThirtyTwoBit { 4 } else { 8 };
            let start = after_key(buf);
            if size > end - start {
                return Err(truncated);
            }
            Ok(Field {
                number,
                wire,
                value: 0,
                start,
                next: start + size,
            })
        }
        // Groups are deprecated and ONNX never uses them.
        WireType::StartGroup | WireType::EndGroup => {
            Err(corrupt(format!("{msg}: unexpected group field {number}")))
        }
    }
}

/// The field at `pos` when it is what nearly every field of a model is: a one-byte key (fields
/// 1 to 15), then a varint or a length of one or two bytes that fits before `end`. `None`
/// leaves anything else, errors included, to the general decoding, which a big model's 600,000
/// fields spent a quarter of the walk's instructions in.
#[inline]
pub(super) fn quick_field(head: &[u8], pos: u64, end: u64) -> Option<Field> {
    let (&key, rest) = head.split_first()?;
    if key >= 0x80 || key >> 3 == 0 {
        return None;
    }
    let number = u32::from(key >> 3);
    let (value, width) = quick_varint(rest)?;
    let start = pos + 1 + width;
    match key & 7 {
        0 => Some(Field {
            number,
            wire: WireType::Varint,
            value,
            start,
            next: start,
        }),
        2 if value <= end - start => Some(Field {
            number,
            wire: WireType::LengthDelimited,
            value,
            start,
            next: start + value,
        }),
        _ => None,
    }
}

/// A varint of one or two bytes at the start of `bytes`, and its width.
#[inline]
fn quick_varint(bytes: &[u8]) -> Option<(u64, u64)> {
    match bytes {
        [b, ..] if *b < 0x80 => Some((u64::from(*b), 1)),
        [b0, b1, ..] if *b1 < 0x80 => Some((u64::from(b0 & 0x7f) | (u64::from(*b1) << 7), 2)),
        _ => None,
    }
}

/// The bytes as text, when they are UTF-8. Names in a model are ASCII nearly always, and
/// checking that a short string is ASCII costs a fraction of a full UTF-8 validation.
#[inline]
pub(super) fn utf8(bytes: &[u8]) -> Result<&str, std::str::Utf8Error> {
    if bytes.is_ascii() {
        // SAFETY: ASCII bytes are valid UTF-8.
        Ok(unsafe { std::str::from_utf8_unchecked(bytes) })
    } else {
        std::str::from_utf8(bytes)
    }
}

#[inline]
pub(super) fn expect_len(f: &Field, msg: &'static str) -> Result<(), WalkError> {
    if f.wire == WireType::LengthDelimited {
        Ok(())
    } else {
        Err(WalkError::Corrupt {
            what: format!("{msg}: invalid wire type {:?} (expected a message)", f.wire),
            at: f.start,
        })
    }
}

pub(super) fn decode<M: Message + Default>(
    src: &mut dyn Source,
    f: &Field,
    msg: &'static str,
) -> Result<M, WalkError> {
    expect_len(f, msg)?;
    let bytes = src.get(f.start, f.value as usize)?;
    M::decode(bytes).map_err(|e| WalkError::Corrupt {
        what: format!("{msg}: {}", strip_prost_prefix(&e.to_string())),
        at: f.start,
    })
}

fn strip_prost_prefix(s: &str) -> &str {
    s.strip_prefix("failed to decode Protobuf message: ")
        .unwrap_or(s)
}

/// At most how many bytes of nodes are taken from the source at once.
const NODE_RUN: u64 = 1 << 20;

/// What the source holds from `pos` on (reading when it holds less than a field's header).
#[inline]
pub(super) fn held(src: &mut dyn Source, pos: u64, end: u64) -> Result<&[u8], WalkError> {
    let left = end - pos;
    src.get_some(
        pos,
        left.min(FIELD_HEAD) as usize,
        left.min(NODE_RUN) as usize,
    )
}

/// Hands `visit` each field from `pos` on, with its offset, until it answers false (answering
/// that field's offset) or `end` is reached. Only the headers are read: the headers the source
/// already holds are decoded in one go ([`quick_field`]), any other one by [`field`].
#[inline]
pub(super) fn hop(
    src: &mut dyn Source,
    mut pos: u64,
    end: u64,
    msg: &'static str,
    mut visit: impl FnMut(u64, &Field) -> Result<bool, WalkError>,
) -> Result<u64, WalkError> {
    while pos < end {
        let held = held(src, pos, end)?;
        let mut next = pos;
        while let Some(f) = held
            .get((next - pos) as usize..)
            .and_then(|h| quick_field(h, next, end))
        {
            if !visit(next, &f)? {
                return Ok(next);
            }
            next = f.next;
        }
        if next == pos {
            let f = field(src, pos, end, msg)?;
            if !visit(pos, &f)? {
                return Ok(pos);
            }
            next = f.next;
        }
        pos = next;
    }
    Ok(end)
}

/// Walks the fields of one small message, handing each string field numbered in `wanted` to
/// `found`. Every other field is skipped as protobuf does; a wanted number with another wire
/// type, or bad UTF-8, is an error.
#[inline]
pub(super) fn read_strings(
    bytes: &[u8],
    at: u64,
    msg: &'static str,
    wanted: &[u32],
    mut found: impl FnMut(u32, &str),
) -> Result<(), WalkError> {
    let mut buf = bytes;
    let corrupt = |buf: &[u8], what: String| WalkError::Corrupt {
        what: format!("{msg}: {what}"),
        at: at + (bytes.len() - buf.len()) as u64,
    };
    while !buf.is_empty() {
        let here = buf;
        // Nearly every field: a one-byte key and a string or a message of under 16 KiB.
        if let Some(f) = quick_field(buf, 0, buf.len() as u64) {
            if f.wire == WireType::LengthDelimited {
                let (value, rest) = buf[f.start as usize..].split_at(f.value as usize);
                if wanted.contains(&f.number) {
                    let s = utf8(value).map_err(|_| {
                        corrupt(
                            here,
                            "invalid string value: data is not UTF-8 encoded".to_string(),
                        )
                    })?;
                    found(f.number, s);
                }
                buf = rest;
                continue;
            }
        }
        let (number, wire) = decode_key(&mut buf).map_err(|e| corrupt(here, e.to_string()))?;
        if !wanted.contains(&number) {
            skip_field(wire, number, &mut buf, DecodeContext::default())
                .map_err(|e| corrupt(here, strip_prost_prefix(&e.to_string()).to_string()))?;
            continue;
        }
        if wire != WireType::LengthDelimited {
            return Err(corrupt(
                here,
                format!("invalid wire type {wire:?} for field {number} (expected a string)"),
            ));
        }
        let len = decode_varint(&mut buf).map_err(|e| corrupt(here, e.to_string()))?;
        let Some(raw) = usize::try_from(len).ok().and_then(|n| buf.get(..n)) else {
            return Err(corrupt(
                here,
                "a string longer than its message".to_string(),
            ));
        };
        let s = utf8(raw).map_err(|_| {
            corrupt(
                here,
                "invalid string value: data is not UTF-8 encoded".to_string(),
            )
        })?;
        found(number, s);
        buf = &buf[raw.len()..];
    }
    Ok(())
}
