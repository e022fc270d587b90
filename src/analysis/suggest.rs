//! Did-you-mean: the candidate closest to what the user wrote.
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
    let trimmed = input.trim();
    let lower = trimmed.to_lowercase();
    let max_distance = (trimmed.chars().count() / 3).clamp(1, 6);
    let mut scored: Vec<(usize, &'a str)> = Vec::new();
    for candidate in candidates {
        if candidate == input {
            continue;
        }
        let score = if candidate == trimmed {
            0
        } else if candidate.to_lowercase() == lower {
            1
        } else {
            // Cheap length filter before the quadratic distance.
            let len_gap = candidate.len().abs_diff(trimmed.len());
            if len_gap > max_distance * 4 {
                continue;
            }
            let distance = strsim::levenshtein(&candidate.to_lowercase(), &lower);
            if distance > max_distance {
                continue;
            }
            2 + distance
        };
        scored.push((score, candidate));
    }
    scored.sort();
    scored.dedup_by_key(|(_, c)| *c);
    scored.into_iter().take(limit).map(|(_, c)| c).collect()
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
    fn limits_and_orders() {
        let names = ["/a/Conv", "/a/Conv_1", "/a/Conv_2", "/b/Relu"];
        assert_eq!(closest("/a/Conv_3", names, 3).len(), 3);
        assert_eq!(closest("/a/conv_1", names, 3)[0], "/a/Conv_1");
    }
}
