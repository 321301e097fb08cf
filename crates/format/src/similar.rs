//! "Did you mean …?" for misspelled variable names.

/// Candidates close to `wanted`, best first, at most `limit`: first those equal but for
/// case, then those within a small edit distance (about one edit per four characters), then
/// those containing `wanted` (ignoring a leading `$` and case). Names longer than 64
/// characters (and shorter than 3) are only compared by case and containment, to keep this
/// cheap and useful.
pub(crate) fn close_matches<'c>(
    wanted: &str,
    candidates: impl IntoIterator<Item = &'c str>,
    limit: usize,
) -> Vec<&'c str> {
    let wanted_lower = wanted.to_lowercase();
    let wanted_chars: Vec<char> = wanted_lower.chars().collect();
    let bare = wanted_lower.trim_start_matches('$');
    let threshold = (wanted_chars.len() / 4).max(1);
    let mut scored: Vec<(u8, usize, &'c str)> = Vec::new();
    for candidate in candidates {
        if candidate == wanted || scored.iter().any(|(_, _, c)| *c == candidate) {
            continue;
        }
        let lower = candidate.to_lowercase();
        if lower == wanted_lower {
            scored.push((0, 0, candidate));
            continue;
        }
        // One- and two-character names are a single edit away from every other short name.
        if (3..=64).contains(&wanted_chars.len()) && lower.chars().count() <= 64 {
            let d = edit_distance(&wanted_chars, &lower.chars().collect::<Vec<_>>());
            if d <= threshold {
                scored.push((1, d, candidate));
                continue;
            }
        }
        if bare.chars().count() >= 3 && lower.contains(bare) {
            scored.push((2, lower.len(), candidate));
        }
    }
    scored.sort_by(|a, b| (a.0, a.1, a.2).cmp(&(b.0, b.1, b.2)));
    scored.into_iter().take(limit).map(|(_, _, c)| c).collect()
}

/// Edit distance counting insertions, deletions, substitutions and swaps of two adjacent
/// characters (optimal string alignment), so `hots` is one edit from `host`.
fn edit_distance(a: &[char], b: &[char]) -> usize {
    let width = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * width];
    for (i, row) in d.chunks_mut(width).enumerate() {
        row[0] = i;
    }
    for (j, cell) in d.iter_mut().take(width).enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[(i - 1) * width + j] + 1)
                .min(d[i * width + j - 1] + 1)
                .min(d[(i - 1) * width + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[(i - 2) * width + j - 2] + 1);
            }
            d[i * width + j] = best;
        }
    }
    d[a.len() * width + b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_case_then_distance_then_substring() {
        let names = ["$randomIPV6", "$randomIP", "$guid", "host", "hostname"];
        assert_eq!(
            close_matches("$randomIp", names, 5),
            vec!["$randomIP", "$randomIPV6"]
        );
        assert_eq!(close_matches("hots", names, 5), vec!["host"]);
        assert_eq!(close_matches("ost", names, 5), vec!["host", "hostname"]);
        assert!(close_matches("zzzzzz", names, 5).is_empty());
        assert_eq!(close_matches("host", names, 5), vec!["hostname"]);
    }

    #[test]
    fn distance() {
        let d = |a: &str, b: &str| {
            edit_distance(
                &a.chars().collect::<Vec<_>>(),
                &b.chars().collect::<Vec<_>>(),
            )
        };
        assert_eq!(d("kitten", "sitting"), 3);
        assert_eq!(d("", "abc"), 3);
        assert_eq!(d("abc", "abc"), 0);
        assert_eq!(d("hots", "host"), 1);
    }
}
