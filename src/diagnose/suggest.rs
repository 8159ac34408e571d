//! "Did you mean" for names: service accounts, roles, `:sub` values. A typo in any of them
//! silently breaks the chain (field guide A8, D19), so naming the near miss is half the fix.

/// The candidates close to `wanted`, best first: small edit distance, or one name containing
/// the other (Helm release prefixes such as `enbuild-enbuild-ai` vs `enbuild-ai`).
pub fn near<'c>(wanted: &str, candidates: impl IntoIterator<Item = &'c str>) -> Vec<&'c str> {
    let mut scored: Vec<(usize, &str)> = candidates
        .into_iter()
        .filter(|c| *c != wanted)
        .filter_map(|c| {
            let d = strsim::levenshtein(wanted, c);
            let limit = (wanted.len().max(c.len()) / 4).clamp(1, 4);
            let contains =
                wanted.len() >= 3 && c.len() >= 3 && (c.contains(wanted) || wanted.contains(c));
            (d <= limit || contains).then_some((d, c))
        })
        .collect();
    scored.sort();
    scored.dedup_by(|a, b| a.1 == b.1);
    scored.into_iter().map(|(_, c)| c).take(3).collect()
}

/// Where two strings first differ, for messages like "`defult-viewer` vs `default-viewer`".
pub fn describe_difference(expected: &str, found: &str) -> String {
    let prefix = expected
        .chars()
        .zip(found.chars())
        .take_while(|(a, b)| a == b)
        .count();
    if prefix == 0 {
        return format!("`{found}` instead of `{expected}`");
    }
    format!(
        "`{found}` instead of `{expected}` (they differ from character {})",
        prefix + 1
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_typos_and_prefixes() {
        assert_eq!(
            near("default-viewer", ["defult-viewer", "admin"]),
            vec!["defult-viewer"]
        );
        assert_eq!(
            near("enbuild-enbuild-ai", ["enbuild-ai", "other"]),
            vec!["enbuild-ai"]
        );
        assert!(near("search", ["checkout", "payments"]).is_empty());
    }
}
