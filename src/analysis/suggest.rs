//! Did-you-mean: the candidate closest to what the user wrote.
use std::cell::{Cell, OnceCell};

use crate::spec::Locale;

/// The best candidate for `input`: a case or whitespace difference first, then the closest
/// spelling within a distance that grows with the length of the word.
pub fn did_you_mean<'a, I>(input: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    closest(input, candidates, 1).into_iter().next()
}

/// Up to `limit` candidates close to `input`, best first.
pub fn closest<'a, I>(input: &str, candidates: I, limit: usize) -> Vec<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    // The rows of this thread, taken for the call and put back after it.
    let mut rows = ROWS.try_with(Cell::take).unwrap_or_default();
    let found = closest_with(&mut rows, input, candidates, limit);
    let _ = ROWS.try_with(|cell| cell.set(rows));
    found
}

thread_local! {
    /// The Levenshtein rows of this thread, kept between calls: a check of 100,000 unknown
    /// names calls [`closest`] once for each.
    static ROWS: Cell<Rows> = Cell::default();
}

fn closest_with<'a, I>(rows: &mut Rows, input: &str, candidates: I, limit: usize) -> Vec<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let trimmed = input.trim();
    // Only a candidate with non-ASCII characters needs the input lowercased.
    let lower = OnceCell::new();
    let lower = || lower.get_or_init(|| trimmed.to_lowercase()).as_str();
    let max_distance = (trimmed.chars().count() / 3).clamp(1, 6);
    let trimmed_ascii = trimmed.is_ascii();
    let mut scored: Vec<(usize, &'a str)> = Vec::new();
    for candidate in candidates {
        if candidate == input {
            continue;
        }
        let candidate_ascii = candidate.is_ascii();
        let score = if candidate == trimmed {
            0
        } else if candidate.len() == trimmed.len() && candidate.eq_ignore_ascii_case(trimmed)
            || !candidate_ascii && candidate.to_lowercase() == lower()
        {
            1
        } else {
            let distance = if candidate_ascii && trimmed_ascii {
                rows.distance_within(candidate.as_bytes(), trimmed.as_bytes(), max_distance)
            } else {
                let d = strsim::levenshtein(&candidate.to_lowercase(), lower());
                (d <= max_distance).then_some(d)
            };
            let Some(distance) = distance else {
                continue;
            };
            2 + distance
        };
        scored.push((score, candidate));
    }
    scored.sort();
    scored.dedup_by_key(|(_, c)| *c);
    scored.into_iter().take(limit).map(|(_, c)| c).collect()
}

/// The two rows of a Levenshtein table, kept between comparisons so that comparing a name
/// with a whole model allocates nothing.
#[derive(Default)]
struct Rows {
    prev: Vec<usize>,
    cur: Vec<usize>,
}

impl Rows {
    /// The edit distance of two ASCII strings ignoring case, when it is at most `k`. Only the
    /// band of cells within `k` of the diagonal can hold such a distance, and the comparison
    /// stops at the first row whose every cell exceeds `k`: a name unlike the one typed costs a
    /// few rows, not the whole table.
    fn distance_within(&mut self, a: &[u8], b: &[u8], k: usize) -> Option<usize> {
        const FAR: usize = usize::MAX / 2;
        if a.len().abs_diff(b.len()) > k {
            return None;
        }
        // A common prefix or suffix changes no edit distance; names of one scope share long
        // ones, so only the part where they differ is compared.
        let prefix = common_prefix(a, b);
        let (a, b) = (&a[prefix..], &b[prefix..]);
        let suffix = common_suffix(a, b);
        let (a, b) = (&a[..a.len() - suffix], &b[..b.len() - suffix]);
        let (n, m) = (a.len(), b.len());
        self.prev.clear();
        self.prev
            .extend((0..=m).map(|j| if j <= k { j } else { FAR }));
        self.cur.clear();
        self.cur.resize(m + 1, FAR);
        for i in 1..=n {
            let lo = i.saturating_sub(k).max(1);
            let hi = (i + k).min(m);
            // The cell left of the band: the first column, or out of reach.
            self.cur[lo - 1] = if lo == 1 && i <= k { i } else { FAR };
            let mut row_min = self.cur[lo - 1];
            for j in lo..=hi {
                let substitution =
                    self.prev[j - 1] + usize::from(!a[i - 1].eq_ignore_ascii_case(&b[j - 1]));
                let v = substitution.min(self.prev[j] + 1).min(self.cur[j - 1] + 1);
                self.cur[j] = v;
                row_min = row_min.min(v);
            }
            // The next row reads one cell right of this band: it must not see an old value.
            if hi < m {
                self.cur[hi + 1] = FAR;
            }
            if row_min > k {
                return None;
            }
            std::mem::swap(&mut self.prev, &mut self.cur);
        }
        let d = self.prev[m];
        (d <= k).then_some(d)
    }
}

/// How many bytes two ASCII strings share at their start, ignoring case. Names of one scope
/// share it exactly: eight bytes are compared at a time while they are equal.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let exact = a
        .chunks_exact(8)
        .zip(b.chunks_exact(8))
        .take_while(|(x, y)| x == y)
        .count()
        * 8;
    exact
        + a[exact..]
            .iter()
            .zip(&b[exact..])
            .take_while(|(x, y)| x.eq_ignore_ascii_case(y))
            .count()
}

/// How many bytes two ASCII strings share at their end, ignoring case.
fn common_suffix(a: &[u8], b: &[u8]) -> usize {
    a.iter()
        .rev()
        .zip(b.iter().rev())
        .take_while(|(x, y)| x.eq_ignore_ascii_case(y))
        .count()
}

/// `did you mean "x"?` or an empty string.
pub fn hint(suggestion: Option<&str>, locale: Locale) -> String {
    match suggestion {
        Some(s) => tr!(locale, "; did you mean \"{s}\"?", "；是否指 \"{s}\"？"),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefers_case_and_whitespace_then_spelling() {
        let ops = ["Softmax", "Sigmoid", "Slice"];
        assert_eq!(did_you_mean("softmax", ops), Some("Softmax"));
        assert_eq!(did_you_mean("Softmax ", ops), Some("Softmax"));
        assert_eq!(did_you_mean("Softmx", ops), Some("Softmax"));
        assert_eq!(did_you_mean("Transpose", ops), None);
        assert_eq!(did_you_mean("Softmax", ops), None);
    }

    #[test]
    fn the_bounded_distance_is_levenshtein_within_the_bound() {
        let words = [
            "",
            "a",
            "ab",
            "ba",
            "abc",
            "acb",
            "kitten",
            "sitting",
            "/a/Conv",
            "/a/conv_1",
            "/layer1/layer1.0/conv1/Conv",
            "/layer1/layer1.0/conv2/Conv",
            "/Layer1/layer10/cnv1/Conv",
            "/backbone/stages.3/blocks.1/attn/Mul_12",
            "/backbone/stages.3/blocks.1/attn/MatMul",
        ];
        let mut rows = Rows::default();
        for a in words {
            for b in words {
                let exact = strsim::levenshtein(&a.to_lowercase(), &b.to_lowercase());
                for k in 0..8 {
                    let expected = (exact <= k).then_some(exact);
                    assert_eq!(
                        rows.distance_within(a.as_bytes(), b.as_bytes(), k),
                        expected,
                        "{a:?} {b:?} within {k}"
                    );
                }
            }
        }
    }

    #[test]
    fn common_prefixes_ignore_case_inside_and_across_runs_of_eight() {
        let base = "/backbone/stages.3/blocks.1/attn/MatMul";
        for at in 0..base.len() {
            // One letter in the other case, then one byte changed for good, at every position.
            let mut cased = base.as_bytes().to_vec();
            if cased[at].is_ascii_alphabetic() {
                cased[at] ^= 0x20;
            }
            let mut other = base.as_bytes().to_vec();
            other[at] = b'#';
            for (a, b) in [(base.as_bytes(), &cased[..]), (base.as_bytes(), &other[..])] {
                let expected = a
                    .iter()
                    .zip(b)
                    .take_while(|(x, y)| x.eq_ignore_ascii_case(y))
                    .count();
                assert_eq!(common_prefix(a, b), expected, "{at}");
                assert_eq!(common_prefix(b, a), expected, "{at}");
                assert_eq!(common_prefix(a, &b[..at]), at, "{at}");
            }
        }
    }

    #[test]
    fn limits_and_orders() {
        let names = ["/a/Conv", "/a/Conv_1", "/a/Conv_2", "/b/Relu"];
        assert_eq!(closest("/a/Conv_3", names, 3).len(), 3);
        assert_eq!(closest("/a/conv_1", names, 3)[0], "/a/Conv_1");
    }
}
