//! Shared by completion, hover and inlay hints: how a node's effective precision is written,
//! and a bounded matcher for completing names out of a huge model.

use super::precision::{InputPrecision, NodePrecision, Source};

/// At most this many model names (nodes, tensors) in one completion list: a 100,000-node model
/// would otherwise send megabytes per keystroke. The list is marked incomplete when cut, so the
/// client asks again as the user types.
pub const MAX_NAME_ITEMS: usize = 1000;

/// The 1-based line of a byte offset (what users read in an editor's gutter).
pub fn line_of(text: &str, offset: usize) -> usize {
    // Breaks as the editor (and `text::Document`) counts them: `\n`, `\r\n`, and a lone `\r`.
    let bytes = &text.as_bytes()[..offset.min(text.len())];
    // A hover asks for a line per input; counting bytes equal to `\n` is vectorised, so the
    // rarer `\r` is looked at only when there is one.
    let newlines = bytes.iter().filter(|&&b| b == b'\n').count();
    if !bytes.contains(&b'\r') {
        return newlines + 1;
    }
    let lone_cr = |i: usize| bytes[i] == b'\r' && text.as_bytes().get(i + 1) != Some(&b'\n');
    newlines + (0..bytes.len()).filter(|&i| lone_cr(i)).count() + 1
}

/// "node_config./conv1/Conv.input1 (line 5)" or "default int8".
pub fn decided_by(text: &str, source: &Source) -> String {
    match source {
        Source::Default => "default int8".to_string(),
        Source::Setting(s) => format!("{} (line {})", s.path, line_of(text, s.range.start)),
    }
}

/// How an omitted optional input (an empty tensor name) is shown, wherever inputs are listed.
pub const OMITTED: &str = "(omitted)";
/// The precision of an omitted input, which has none.
pub const NO_PRECISION: &str = "—";

/// Tensor names as a list of code spans, omitted inputs as [`OMITTED`].
pub fn tensor_list<'a>(names: impl Iterator<Item = &'a str>) -> String {
    names
        .map(|n| {
            if n.is_empty() {
                OMITTED.to_string()
            } else {
                format!("`{n}`")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// One input's precision in a compact list: `int8`, `ec`, or [`NO_PRECISION`].
fn short(input: &InputPrecision) -> &'static str {
    input.precision.map_or(NO_PRECISION, |p| p.as_str())
}

/// `int16, ec, int16`.
pub fn compact(np: &NodePrecision) -> String {
    np.inputs.iter().map(short).collect::<Vec<_>>().join(", ")
}

/// How well a candidate matches what was typed; lower is better. `lower` is `typed` in ASCII
/// lower case (node names are ASCII in practice; folding only ASCII allocates nothing).
pub(crate) fn tier(candidate: &str, typed: &str, lower: &[u8]) -> Option<usize> {
    if typed.is_empty() || candidate.starts_with(typed) {
        return Some(0);
    }
    let c = candidate.as_bytes();
    // The subsequence test comes first: most candidates fail it. Names of one model share long
    // prefixes (`/backbone/stages.`): the part equal to what was typed needs no search.
    let same = c
        .iter()
        .zip(typed.as_bytes())
        .take_while(|(a, b)| a == b)
        .count();
    if !is_subsequence(&c[same..], &lower[same..]) {
        return None;
    }
    if c[..lower.len()].eq_ignore_ascii_case(lower) {
        return Some(1);
    }
    if c.windows(lower.len())
        .any(|w| w.eq_ignore_ascii_case(lower))
    {
        return Some(2);
    }
    // What the client's fuzzy filter would accept (`l1c1` for `layer1/conv1`).
    Some(3)
}

/// `lower` (non-empty, lower case) appears in `c` in order, ignoring ASCII case.
fn is_subsequence(c: &[u8], lower: &[u8]) -> bool {
    let mut from = 0;
    for &x in lower {
        match find_folded(c, from, x) {
            Some(i) => from = i + 1,
            None => return false,
        }
    }
    true
}

/// The first index `>= from` of byte `x` (lower case) in `c`, either ASCII case. Eight bytes at
/// a time: a no-match scan of 100,000 names is the worst case of a completion request.
fn find_folded(c: &[u8], from: usize, x: u8) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    // Setting bit 5 lower-cases a letter; other bytes are compared as they are.
    let fold: u8 = if x.is_ascii_lowercase() { 0x20 } else { 0 };
    let rest = c.get(from..)?;
    let mut chunks = rest.chunks_exact(8);
    let mut base = from;
    for chunk in chunks.by_ref() {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let v = (u64::from_le_bytes(word) | (fold as u64 * ONES)) ^ (x as u64 * ONES);
        // The lowest set bit marks the first zero byte exactly (higher ones may be false).
        let zero = v.wrapping_sub(ONES) & !v & HIGHS;
        if zero != 0 {
            return Some(base + zero.trailing_zeros() as usize / 8);
        }
        base += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&b| b | fold == x)
        .map(|i| base + i)
}

/// Up to `limit` candidates matching `typed` and accepted by `keep`, best first: same prefix,
/// prefix in another case, substring, then subsequence; each group in the candidates' order.
/// The flag says some matches were left out. `keep` runs only on matches (it may hash).
pub fn select<'a>(
    candidates: impl IntoIterator<Item = &'a str>,
    typed: &str,
    limit: usize,
    keep: impl Fn(&str) -> bool,
) -> (Vec<&'a str>, bool) {
    let lower = typed.to_ascii_lowercase().into_bytes();
    let mut tiers: [Vec<&'a str>; 4] = Default::default();
    let mut matched = 0usize;
    for c in candidates {
        let Some(t) = tier(c, typed, &lower) else {
            continue;
        };
        if !keep(c) {
            continue;
        }
        matched += 1;
        // Only keep what can still make the cut.
        if tiers[..=t].iter().map(Vec::len).sum::<usize>() < limit {
            tiers[t].push(c);
        }
        // The best group is full and something else matched: nothing more can get in.
        if tiers[0].len() >= limit && matched > limit {
            break;
        }
    }
    let cut = matched > limit;
    let mut out: Vec<&'a str> = tiers.into_iter().flatten().collect();
    out.truncate(limit);
    (out, cut)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_one_based() {
        assert_eq!(line_of("a\nb\nc", 0), 1);
        assert_eq!(line_of("a\nb\nc", 2), 2);
        assert_eq!(line_of("a\r\nb", 4), 2);
        assert_eq!(line_of("a", 100), 1);
        // A lone CR breaks a line, as in the editor.
        assert_eq!(line_of("a\rb\rc", 4), 3);
        let text = "a\rb\r\nc\nd";
        let doc = crate::text::Document::new(text);
        for offset in 0..=text.len() {
            assert_eq!(
                line_of(text, offset),
                doc.position(offset, crate::text::PositionEncoding::Utf8)
                    .line as usize
                    + 1,
                "{offset}"
            );
        }
    }

    #[test]
    fn select_orders_by_match_quality() {
        let names = ["/x/Conv", "/conv1/Conv", "/Conv2", "/c/o/n/v"];
        let (got, cut) = select(names, "/conv", 10, |_| true);
        assert_eq!(got, ["/conv1/Conv", "/Conv2", "/x/Conv", "/c/o/n/v"]);
        assert!(!cut);
        let (got, cut) = select(names, "/conv", 2, |_| true);
        assert_eq!(got, ["/conv1/Conv", "/Conv2"]);
        assert!(cut);
        let (got, cut) = select(names, "zz", 2, |_| true);
        assert!(got.is_empty() && !cut);
    }

    #[test]
    fn folded_search_matches_a_naive_one() {
        let hay = b"/Layer1/layer1.0/Conv_2/ABC_xyz@[`{";
        for x in b"/l1.c_2abxyz@[`{0".iter().copied() {
            for from in 0..hay.len() + 2 {
                let naive = hay
                    .iter()
                    .enumerate()
                    .skip(from)
                    .find(|(_, b)| b.to_ascii_lowercase() == x)
                    .map(|(i, _)| i);
                assert_eq!(
                    find_folded(hay, from, x),
                    naive,
                    "{} from {from}",
                    x as char
                );
            }
        }
        assert!(is_subsequence(b"/layer1/layer1.0/conv1/Conv", b"l1c1"));
        assert!(!is_subsequence(b"/layer1", b"l1c1"));
    }

    #[test]
    fn select_stops_early_when_full() {
        let names: Vec<String> = (0..10_000).map(|i| format!("/n{i}")).collect();
        let (got, cut) = select(names.iter().map(String::as_str), "", 5, |_| true);
        assert_eq!(got.len(), 5);
        assert!(cut);
    }
}
