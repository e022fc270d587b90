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

    /// The first `len` bytes of the span (all of it when shorter).
    pub fn prefix(self, len: usize) -> Span {
        Span {
            start: self.start,
            len: self.len.min(len as u32),
        }
    }
}

#[derive(Clone, Debug, Default)]
pub(super) struct Strings {
    text: String,
}

impl Strings {
    pub fn push(&mut self, s: &str) -> Span {
        let start = self.text.len();
        self.text.push_str(s);
        Span {
            start: start as u32,
            len: s.len() as u32,
        }
    }

    /// The string at `span`; `""` for a span of another buffer (never made by the index).
    pub fn get(&self, span: Span) -> &str {
        let start = span.start as usize;
        self.text
            .get(start..start + span.len as usize)
            .unwrap_or("")
    }

    pub fn shrink_to_fit(&mut self) {
        self.text.shrink_to_fit();
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
