//! Pairing the duties of one holder across two versions, so that a
//! reworded duty is one finding rather than a removal and an addition.
//!
//! Two duties of the same `id:` are one duty, kept or reworded whatever
//! their texts (the id is its identity: [`crate::identity`]). Then duties
//! that are identical on both sides are kept. The rest are paired, most
//! similar first, when their [`similarity`] reaches [`PAIR_THRESHOLD`] —
//! except two duties with different ids, which are two duties; what stays
//! unpaired was removed or added.

/// Two duties at least this similar are one duty, reworded.
pub const PAIR_THRESHOLD: f64 = 0.5;

/// Words that say little about what a duty is: left out of the word overlap.
const STOPWORDS: &[&str] = &[
    "a", "an", "and", "as", "at", "by", "for", "from", "in", "into", "is", "it", "its", "of", "on",
    "or", "such", "that", "the", "their", "them", "to", "with",
];

/// How the duties of one holder correspond across versions, by index.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Pairing {
    /// Identical on both sides: (old, new).
    pub kept: Vec<(usize, usize)>,
    /// Reworded: (old, new), in the new order.
    pub reworded: Vec<(usize, usize)>,
    /// Only in the old version, in the old order.
    pub removed: Vec<usize>,
    /// Only in the new version, in the new order.
    pub added: Vec<usize>,
}

impl Pairing {
    /// Whether the duties found on both sides are listed in another order.
    pub fn reordered(&self) -> bool {
        let mut pairs: Vec<(usize, usize)> =
            self.kept.iter().chain(&self.reworded).copied().collect();
        pairs.sort_unstable();
        pairs.windows(2).any(|w| w[0].1 > w[1].1)
    }
}

/// Pairs `old` and `new` duties: identical ones first, then the most
/// similar remaining pairs, greedily (ties go to the earlier duties, so the
/// result is deterministic).
pub fn pair<S: AsRef<str>>(old: &[S], new: &[S]) -> Pairing {
    pair_identified(old, &[], new, &[])
}

/// [`pair`] for duties that may have ids: `old_ids[i]` is the id of
/// `old[i]` (an empty slice: no duty has one). Duties of the same id are
/// paired first, kept when their texts are equal and reworded otherwise,
/// however different; two duties of different ids are never paired.
pub fn pair_identified<S: AsRef<str>>(
    old: &[S],
    old_ids: &[Option<&str>],
    new: &[S],
    new_ids: &[Option<&str>],
) -> Pairing {
    let old_id = |i: usize| old_ids.get(i).copied().flatten();
    let new_id = |j: usize| new_ids.get(j).copied().flatten();
    let mut out = Pairing::default();
    let mut old_used = vec![false; old.len()];
    let mut new_used = vec![false; new.len()];
    if !old_ids.is_empty() && !new_ids.is_empty() {
        for j in 0..new.len() {
            let Some(id) = new_id(j) else { continue };
            if let Some(i) = (0..old.len()).find(|&i| !old_used[i] && old_id(i) == Some(id)) {
                old_used[i] = true;
                new_used[j] = true;
                if old[i].as_ref() == new[j].as_ref() {
                    out.kept.push((i, j));
                } else {
                    out.reworded.push((i, j));
                }
            }
        }
    }
    for j in 0..new.len() {
        if new_used[j] {
            continue;
        }
        if let Some(i) =
            (0..old.len()).find(|&i| !old_used[i] && old[i].as_ref() == new[j].as_ref())
        {
            old_used[i] = true;
            new_used[j] = true;
            out.kept.push((i, j));
        }
    }
    let mut candidates = Vec::new();
    for (i, o) in old.iter().enumerate().filter(|(i, _)| !old_used[*i]) {
        for (j, n) in new.iter().enumerate().filter(|(j, _)| !new_used[*j]) {
            if old_id(i).is_some() && new_id(j).is_some() {
                continue;
            }
            let score = similarity(o.as_ref(), n.as_ref());
            if score >= PAIR_THRESHOLD {
                candidates.push((score, i, j));
            }
        }
    }
    candidates.sort_by(|a, b| b.0.total_cmp(&a.0).then((a.1, a.2).cmp(&(b.1, b.2))));
    for (_, i, j) in candidates {
        if !old_used[i] && !new_used[j] {
            old_used[i] = true;
            new_used[j] = true;
            out.reworded.push((i, j));
        }
    }
    out.kept.sort_by_key(|&(_, j)| j);
    out.reworded.sort_by_key(|&(_, j)| j);
    out.removed = (0..old.len()).filter(|&i| !old_used[i]).collect();
    out.added = (0..new.len()).filter(|&j| !new_used[j]).collect();
    out
}

/// How alike two texts are, from 0 to 1: the better of the character edit
/// similarity and the overlap of their significant words (Sørensen–Dice),
/// both on the normalized texts (`normalize`).
pub fn similarity(a: &str, b: &str) -> f64 {
    let (a, b) = (normalize(a), normalize(b));
    let chars = strsim::normalized_levenshtein(&a, &b);
    let words = |s: &str| -> std::collections::BTreeSet<String> {
        s.split(' ')
            .filter(|w| !w.is_empty() && !STOPWORDS.contains(w))
            .map(str::to_string)
            .collect()
    };
    let (wa, wb) = (words(&a), words(&b));
    let overlap = if wa.is_empty() && wb.is_empty() {
        1.0
    } else {
        2.0 * wa.intersection(&wb).count() as f64 / (wa.len() + wb.len()) as f64
    };
    chars.max(overlap)
}

/// Whether a change of wording is trivial: the texts differ only in case,
/// punctuation and spacing, or by at most two character edits (a typo).
pub fn is_trivial(a: &str, b: &str) -> bool {
    let (a, b) = (normalize(a), normalize(b));
    a == b || strsim::damerau_levenshtein(&a, &b) <= 2
}

/// Lowercase, every run of non-alphanumeric characters one space, trimmed.
fn normalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().flat_map(char::to_lowercase));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn identical_duties_are_kept_whatever_their_order() {
        let p = pair(&strings(&["a b c", "d e f"]), &strings(&["d e f", "a b c"]));
        assert_eq!(p.kept, [(1, 0), (0, 1)]);
        assert!(p.reworded.is_empty() && p.removed.is_empty() && p.added.is_empty());
        assert!(p.reordered());
    }

    #[test]
    fn a_reworded_duty_is_paired_with_its_closest_new_wording() {
        let old = strings(&[
            "Patches the operating system of the hosts",
            "Reviews access logs weekly",
        ]);
        let new = strings(&[
            "Reviews the access logs every day",
            "Trains its staff",
            "Patches the operating systems of all hosts",
        ]);
        let p = pair(&old, &new);
        assert_eq!(p.reworded, [(1, 0), (0, 2)]);
        assert_eq!(p.added, [1]);
        assert!(p.removed.is_empty());
        assert!(p.reordered());
    }

    #[test]
    fn unrelated_duties_are_not_paired() {
        let p = pair(
            &strings(&["Encrypts data at rest"]),
            &strings(&["Runs annual disaster recovery tests"]),
        );
        assert_eq!((p.removed, p.added), (vec![0], vec![0]));
    }

    #[test]
    fn duties_of_one_id_are_one_duty_whatever_their_texts() {
        let old = strings(&["Encrypts data at rest", "Patches the hosts", "Runs backups"]);
        let new = strings(&[
            "Runs backups",
            "Rotates the encryption keys yearly",
            "Patches the hosts",
        ]);
        // Without ids: a removal and an addition (too unlike to pair), the rest kept.
        let p = pair(&old, &new);
        assert_eq!((p.removed.clone(), p.added.clone()), (vec![0], vec![1]));
        // With ids: the same duty, reworded.
        let p = pair_identified(
            &old,
            &[Some("encryption"), None, Some("backup")],
            &new,
            &[Some("backup"), Some("encryption"), None],
        );
        assert_eq!(p.reworded, [(0, 1)]);
        assert_eq!(p.kept, [(2, 0), (1, 2)]);
        assert!(p.removed.is_empty() && p.added.is_empty());
        // Two different ids are two duties, however alike their texts.
        let p = pair_identified(
            &strings(&["Patches the hosts weekly"]),
            &[Some("patch")],
            &strings(&["Patches the hosts monthly"]),
            &[Some("patch-monthly")],
        );
        assert_eq!((p.removed, p.added), (vec![0], vec![0]));
        // An id written where there was none: paired by text as before.
        let p = pair_identified(
            &strings(&["Patches the hosts weekly"]),
            &[],
            &strings(&["Patches the hosts every week"]),
            &[Some("patch")],
        );
        assert_eq!(p.reworded, [(0, 0)]);
    }

    #[test]
    fn trivial_means_case_punctuation_spacing_or_a_typo() {
        assert!(is_trivial("Patches the OS.", "patches  the os"));
        assert!(is_trivial(
            "Identity and Access ManagementAM tools",
            "Identity and Access Management tools"
        ));
        assert!(!is_trivial(
            "Does encrypt backups",
            "Does not encrypt backups"
        ));
        assert!(!is_trivial("Patches monthly", "Patches weekly"));
    }
}
