//! Shared by completion, hover and inlay hints: how a node's effective precision is written,
//! and a bounded matcher for completing names out of a huge model.

use super::precision::{InputPrecision, NodePrecision, Source};

/// At most this many model names (nodes, tensors) in one completion list: a 100,000-node model
/// would otherwise send megabytes per keystroke. The list is marked incomplete when cut, so the
/// client asks again as the user types.
pub const MAX_NAME_ITEMS: usize = 1000;

/// The 1-based line of a byte offset (what users read in an editor's gutter).
pub fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// "node_config./conv1/Conv.input1 (line 5)" or "default int8".
pub fn decided_by(text: &str, source: &Source) -> String {
    match source {
        Source::Default => "default int8".to_string(),
        Source::Setting(s) => format!("{} (line {})", s.path, line_of(text, s.range.start)),
    }
}

/// One input's precision in a compact list: `int8`, `ec`, or `–` for an omitted input.
fn short(input: &InputPrecision) -> &'static str {
    input.precision.map_or("–", |p| p.as_str())
}

/// `int16, ec, int16`.
pub fn compact(np: &NodePrecision) -> String {
    np.inputs.iter().map(short).collect::<Vec<_>>().join(", ")
}

/// How well a candidate matches what was typed; lower is better.
fn tier(candidate: &str, typed: &str) -> Option<usize> {
    if typed.is_empty() || candidate.starts_with(typed) {
        return Some(0);
    }
    let (c, t) = (candidate.as_bytes(), typed.as_bytes());
    if c.len() < t.len() {
        return None;
    }
    // ASCII case folding only: node names are ASCII in practice, and this allocates nothing.
    if c[..t.len()].eq_ignore_ascii_case(t) {
        return Some(1);
    }
    if c.windows(t.len()).any(|w| w.eq_ignore_ascii_case(t)) {
        return Some(2);
    }
    // A subsequence, as the client's fuzzy filter would accept (`l1c1` for `layer1/conv1`).
    let mut rest = t.iter();
    let mut want = rest.next();
    for b in c {
        match want {
            Some(w) if b.eq_ignore_ascii_case(w) => want = rest.next(),
            Some(_) => {}
            None => break,
        }
    }
    want.is_none().then_some(3)
}

/// Up to `limit` candidates matching `typed`, best first: same prefix, prefix in another case,
/// substring, then subsequence; each group in the candidates' order. The flag says some matches
/// were left out.
pub fn select<'a>(
    candidates: impl IntoIterator<Item = &'a str>,
    typed: &str,
    limit: usize,
) -> (Vec<&'a str>, bool) {
    let mut tiers: [Vec<&'a str>; 4] = Default::default();
    let mut matched = 0usize;
    for c in candidates {
        let Some(t) = tier(c, typed) else { continue };
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
    }

    #[test]
    fn select_orders_by_match_quality() {
        let names = ["/x/Conv", "/conv1/Conv", "/Conv2", "/c/o/n/v"];
        let (got, cut) = select(names, "/conv", 10);
        assert_eq!(got, ["/conv1/Conv", "/Conv2", "/x/Conv", "/c/o/n/v"]);
        assert!(!cut);
        let (got, cut) = select(names, "/conv", 2);
        assert_eq!(got, ["/conv1/Conv", "/Conv2"]);
        assert!(cut);
        let (got, cut) = select(names, "zz", 2);
        assert!(got.is_empty() && !cut);
    }

    #[test]
    fn select_stops_early_when_full() {
        let names: Vec<String> = (0..10_000).map(|i| format!("/n{i}")).collect();
        let (got, cut) = select(names.iter().map(String::as_str), "", 5);
        assert_eq!(got.len(), 5);
        assert!(cut);
    }
}
