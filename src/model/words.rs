//! Counts in words, as people write them: `1 pod`, `3 pods`, `1 policy`, never `pod(s)`.
//!
//! To count a new noun, pass its singular and plural to [`count`].

/// `n` followed by the singular or the plural.
pub fn count(n: usize, singular: &str, plural: &str) -> String {
    if n == 1 {
        format!("1 {singular}")
    } else {
        format!("{n} {plural}")
    }
}

/// The singular or the plural alone, for `3/4 pods` and the like.
pub fn noun<'w>(n: usize, singular: &'w str, plural: &'w str) -> &'w str {
    if n == 1 { singular } else { plural }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_and_many() {
        assert_eq!(count(0, "pod", "pods"), "0 pods");
        assert_eq!(count(1, "pod", "pods"), "1 pod");
        assert_eq!(count(2, "policy", "policies"), "2 policies");
        assert_eq!(noun(1, "pod", "pods"), "pod");
        assert_eq!(noun(4, "pod", "pods"), "pods");
    }
}
