//! Random edits for the property tests: insert, delete or replace at a position picked from a
//! random number, always on character boundaries.

use proptest::prelude::*;
use qcls::text::TextRange;

#[derive(Clone, Debug)]
pub enum Edit {
    Insert(usize, String),
    Delete(usize, usize),
    Replace(usize, usize, String),
}

/// Edits inserting `fragment`s and deleting or replacing up to `max_len - 1` characters.
pub fn edit(
    fragment: impl Strategy<Value = String> + Clone,
    max_len: usize,
) -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), fragment.clone()).prop_map(|(at, s)| Edit::Insert(at, s)),
        (any::<usize>(), 1..max_len).prop_map(|(at, n)| Edit::Delete(at, n)),
        (any::<usize>(), 1..max_len, fragment).prop_map(|(at, n, s)| Edit::Replace(at, n, s)),
    ]
}

/// Applies an edit; gives the bytes of the old text it replaced and the length of what
/// replaced them.
pub fn apply(text: &mut String, edit: &Edit) -> (TextRange, usize) {
    let boundaries: Vec<usize> = text
        .char_indices()
        .map(|(i, _)| i)
        .chain([text.len()])
        .collect();
    let pick = |n: usize| boundaries[n % boundaries.len()];
    let (start, end, with) = match edit {
        Edit::Insert(at, s) => (pick(*at), pick(*at), s.as_str()),
        Edit::Delete(at, n) | Edit::Replace(at, n, _) => {
            let start = pick(*at);
            let index = boundaries.iter().position(|&b| b == start).unwrap_or(0) + n;
            let end = boundaries[index.min(boundaries.len() - 1)];
            let with = match edit {
                Edit::Replace(_, _, s) => s.as_str(),
                _ => "",
            };
            (start, end, with)
        }
    };
    text.replace_range(start..end, with);
    (TextRange::new(start, end), with.len())
}
