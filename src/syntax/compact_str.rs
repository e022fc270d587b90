//! The decoded text of a key or a string value, kept inline when short.
//!
//! A node_config entry `"<node>": {"qtype": "int16"}` holds three strings; two of them are a
//! few bytes, and as `String`s they were two heap allocations each entry (200,000 for a
//! 100,000-entry config). Up to [`INLINE`] bytes live in the value itself; a longer text is one
//! exact-size allocation. The size is a `String`'s (24 bytes).

use std::fmt;
use std::ops::Deref;

/// The longest text kept inline.
const INLINE: usize = 22;

#[derive(Clone)]
pub struct CompactStr(Repr);

#[derive(Clone)]
enum Repr {
    Inline { len: u8, bytes: [u8; INLINE] },
    Heap(Box<str>),
}

impl CompactStr {
    pub fn new(s: &str) -> CompactStr {
        if s.len() <= INLINE {
            let mut bytes = [0; INLINE];
            bytes[..s.len()].copy_from_slice(s.as_bytes());
            CompactStr(Repr::Inline {
                len: s.len() as u8,
                bytes,
            })
        } else {
            CompactStr(Repr::Heap(s.into()))
        }
    }

    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Inline { len, bytes } => {
                let bytes = &bytes[..usize::from(*len)];
                // SAFETY: `bytes[..len]` is a copy of a whole `&str` (see `new`), never changed.
                unsafe { std::str::from_utf8_unchecked(bytes) }
            }
            Repr::Heap(s) => s,
        }
    }
}

impl Deref for CompactStr {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl From<&str> for CompactStr {
    fn from(s: &str) -> Self {
        CompactStr::new(s)
    }
}

impl From<String> for CompactStr {
    fn from(s: String) -> Self {
        if s.len() <= INLINE {
            CompactStr::new(&s)
        } else {
            CompactStr(Repr::Heap(s.into_boxed_str()))
        }
    }
}

impl PartialEq for CompactStr {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl PartialEq<str> for CompactStr {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for CompactStr {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for CompactStr {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other
    }
}

impl fmt::Debug for CompactStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for CompactStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.as_str(), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_long_texts_read_back_the_same() {
        let long = "/backbone/stages.0/blocks.1/conv1/Conv";
        for s in [
            "",
            "qtype",
            "int16",
            "数字",
            &"x".repeat(INLINE),
            &"y".repeat(INLINE + 1),
            long,
        ] {
            let c = CompactStr::new(s);
            assert_eq!(c.as_str(), s);
            assert_eq!(CompactStr::from(s.to_string()), c);
            assert_eq!(c, s);
            assert_eq!(format!("{c}"), s);
            assert_eq!(format!("{c:?}"), format!("{s:?}"));
        }
        assert!(matches!(CompactStr::new("int16").0, Repr::Inline { .. }));
        assert!(matches!(CompactStr::new(long).0, Repr::Heap(_)));
        // A multi-byte character is never split: the whole text is inline or on the heap.
        let cjk = "节点".repeat(4);
        assert_eq!(CompactStr::new(&cjk).as_str(), cjk);
        assert_eq!(
            std::mem::size_of::<CompactStr>(),
            std::mem::size_of::<String>()
        );
    }
}
