//! "Did you mean …?" for names a user types: environments, saved requests, commands.

/// The candidate closest to `typed`, when it is close enough to be a typo (the measure clap
/// uses for flags: Jaro-Winkler similarity above 0.8), or when `typed` differs only in case.
pub fn closest<'a>(typed: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| {
            let score = if c.eq_ignore_ascii_case(typed) {
                1.0
            } else {
                strsim::jaro_winkler(typed, c)
            };
            (score, c)
        })
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// ` (did you mean "x"?)`, or nothing.
pub fn did_you_mean<'a>(typed: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    closest(typed, candidates)
        .map(|c| format!(" (did you mean {c:?}?)"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_find_their_name_and_strangers_nothing() {
        let names = ["staging", "production", "dev"];
        assert_eq!(closest("stagin", names), Some("staging"));
        assert_eq!(closest("Staging", names), Some("staging"));
        assert_eq!(closest("prodution", names), Some("production"));
        assert_eq!(closest("zzz", names), None);
        assert_eq!(did_you_mean("zzz", names), "");
        assert_eq!(
            did_you_mean("stagng", names),
            " (did you mean \"staging\"?)"
        );
    }
}
