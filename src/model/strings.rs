//! The index's strings, back to back in one buffer. A 100,000-node model has about 400,000
//! names (nodes, op types, tensors); one buffer costs one allocation for all of them instead of
//! one or more each, and a node is a few offsets.

/// Where one string lies in a [`Strings`] buffer. Offsets fit in `u32`: a model is smaller than
/// 2 GiB (protobuf's limit), and every string is copied from it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Span {
    start: u32,
    len: u32,
}

impl Span {
    pub fn is_empty(self) -> bool {
        self.len == 0
    }

    /// The span where it lies once its buffer is put after `by` bytes of chunks
    /// ([`Strings::append`]); empty past 4 GiB, as [`Strings::push`] does.
    pub fn shifted(self, by: usize) -> Span {
        match u32::try_from(self.start as usize + by) {
            Ok(start) => Span { start, ..self },
            Err(_) => Span::default(),
        }
    }

    /// The first `len` bytes of the span (all of it when shorter).
    pub fn prefix(self, len: usize) -> Span {
        Span {
            start: self.start,
            len: self.len.min(len as u32),
        }
    }
}

/// Strings are written into chunks of this size, each allocated once: a single buffer grown by
/// doubling to the 20 MB of names of a 100,000-node model wrote some 40 MB more on its way,
/// and on a big model fresh memory is what costs most.
const CHUNK_BITS: u32 = 20;
const CHUNK: usize = 1 << CHUNK_BITS;

#[derive(Clone, Debug, Default)]
pub(super) struct Strings {
    /// A string never spans two chunks: one that does not fit in what is left of the last
    /// chunk starts a new one, and one longer than a chunk gets a chunk of its own size and
    /// the slots of the offsets it covers (left empty). So a span's chunk is its offset's
    /// high bits.
    chunks: Vec<String>,
}

impl Strings {
    /// Appends `s`. Offsets are `u32`: the strings come from a model smaller than 2 GiB
    /// (protobuf's limit) and a chunk wastes at most what it could not fit, so they stay under
    /// 4 GiB; past that a string would be stored as empty.
    pub fn push(&mut self, s: &str) -> Span {
        let fits = self.chunks.last().is_some_and(|last| {
            let end = last.len() + s.len();
            end <= CHUNK && end <= last.capacity()
        });
        let index = if fits {
            self.chunks.len() - 1
        } else {
            // Every slot before the new chunk is full or empty: offsets stay aligned.
            let slots = s.len().div_ceil(CHUNK).max(1);
            self.chunks.push(String::with_capacity(slots * CHUNK));
            self.chunks
                .extend(std::iter::repeat_with(String::new).take(slots - 1));
            self.chunks.len() - slots
        };
        let chunk = &mut self.chunks[index];
        let offset = index * CHUNK + chunk.len();
        let Ok(start) = u32::try_from(offset) else {
            return Span::default();
        };
        chunk.push_str(s);
        Span {
            start,
            len: s.len() as u32,
        }
    }

    /// The string at `span`; `""` for a span of another buffer (never made by the index).
    pub fn get(&self, span: Span) -> &str {
        let chunk = (span.start >> CHUNK_BITS) as usize;
        let start = span.start as usize & (CHUNK - 1);
        self.chunks
            .get(chunk)
            .and_then(|c| c.get(start..start + span.len as usize))
            .unwrap_or("")
    }

    /// Puts `other`'s strings after these; answers by how much its spans move
    /// ([`Span::shifted`]). Its chunks keep their places relative to each other, so a span's
    /// chunk is still its offset's high bits.
    pub fn append(&mut self, other: Strings) -> usize {
        let by = self.chunks.len() * CHUNK;
        self.chunks.extend(other.chunks);
        by
    }

    /// Gives back what the last chunk did not use.
    pub fn shrink_to_fit(&mut self) {
        if let Some(last) = self.chunks.last_mut() {
            last.shrink_to_fit();
        }
    }
}

/// Strings written lately, by a hash of their text: a small table in place of a map of every
/// name (one of every name was measured: its lookups cost more than the copies it saved).
pub(super) struct Recent {
    slots: Box<[Span; RECENT_SLOTS]>,
}

const RECENT_SLOTS: usize = 512;

impl Default for Recent {
    fn default() -> Self {
        Recent {
            slots: Box::new([Span::default(); RECENT_SLOTS]),
        }
    }
}

impl Recent {
    /// A tensor's name is mostly a path that ends in what tells it from its neighbours
    /// (`…/conv1/Conv_output_0`), so its length and its last eight bytes pick the slot: a
    /// general-purpose hash of every byte and a division cost 2.5% more instructions for the
    /// whole walk of the 1 GiB model. Two names that share a slot only cost a copy.
    fn slot(s: &str) -> usize {
        let b = s.as_bytes();
        let mut tail = [0u8; 8];
        let n = b.len().min(8);
        tail[..n].copy_from_slice(&b[b.len() - n..]);
        let h = (u64::from_le_bytes(tail) ^ b.len() as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        (h >> (64 - RECENT_SLOTS.trailing_zeros())) as usize
    }

    /// `s` where it was written lately, else written now.
    pub fn push(&mut self, strings: &mut Strings, s: &str) -> Span {
        let slot = &mut self.slots[Self::slot(s)];
        let seen = *slot;
        if seen.len as usize == s.len() && !seen.is_empty() && strings.get(seen) == s {
            return seen;
        }
        let span = strings.push(s);
        *slot = span;
        span
    }
}

/// A list of names in the index (a node's inputs, the graph's outputs, …): an iterator that can
/// also be indexed.
#[derive(Clone, Debug)]
pub struct Names<'a> {
    strings: &'a Strings,
    spans: &'a [Span],
}

impl<'a> Names<'a> {
    pub(super) fn new(strings: &'a Strings, spans: &'a [Span]) -> Self {
        Names { strings, spans }
    }

    /// The `i`-th name of what is left of the list.
    pub fn get(&self, i: usize) -> Option<&'a str> {
        self.spans.get(i).map(|&s| self.strings.get(s))
    }

    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// True when `name` is one of the names.
    pub fn has(&self, name: &str) -> bool {
        self.clone().any(|n| n == name)
    }
}

impl<'a> Iterator for Names<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let (&first, rest) = self.spans.split_first()?;
        self.spans = rest;
        Some(self.strings.get(first))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.spans.len(), Some(self.spans.len()))
    }
}

impl DoubleEndedIterator for Names<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        let (&last, rest) = self.spans.split_last()?;
        self.spans = rest;
        Some(self.strings.get(last))
    }
}

impl ExactSizeIterator for Names<'_> {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_read_back_across_chunks_and_past_a_chunk_long_one() {
        let mut strings = Strings::default();
        let long = "x".repeat(CHUNK * 2 + 5);
        let mut written: Vec<(Span, String)> = Vec::new();
        for i in 0..60_000 {
            let s = match i {
                20_000 => long.clone(),
                20_001 => String::new(),
                _ => format!("/backbone/stages.{i}/blocks.{}/conv/Conv", i % 7),
            };
            written.push((strings.push(&s), s));
        }
        strings.shrink_to_fit();
        assert!(strings.chunks.len() > 3, "{} chunks", strings.chunks.len());
        for (span, s) in &written {
            assert_eq!(strings.get(*span), s);
        }
        // No string was moved: every chunk kept the capacity it was made with.
        let first = &strings.chunks[0];
        assert_eq!(first.capacity(), CHUNK);
    }
}
