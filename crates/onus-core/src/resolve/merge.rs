//! Folding what one holder does into a cell's list of holders: a party
//! named twice (its own holding and an inherited one, or two inherited
//! areas) is one holder with the union of its duties, references and scopes.

use super::matrix::{Duties, ResolvedHolder};
use crate::model::{Duty, Holding};
use crate::source::Spanned;
use crate::text::{Text, Texts};

/// Adds what a holding written in this model says to a resolved holder.
pub(super) fn annotate(h: &mut ResolvedHolder, holding: &Holding) {
    if let Some(scope) = &holding.scope {
        h.scopes = Texts::from(vec![scope.value.clone()]);
    }
    add_duties(&mut h.duties, &holding.duties);
    add_written(h.how.ids_mut(), &holding.how);
    add_written(h.evidence.ids_mut(), &holding.evidence);
    if let Some(note) = &holding.note {
        h.note = Some(note.clone());
    }
}

/// [`add_written`] for duties, with their ids.
fn add_duties(list: &mut Duties, items: &[Duty]) {
    if items.is_empty() {
        return;
    }
    let texts: Texts = items.iter().map(|d| d.text.value.clone()).collect();
    let ids = items.iter().any(|d| d.id.is_some()).then(|| {
        items
            .iter()
            .map(|d| d.id.as_ref().map(|id| id.value.clone()).unwrap_or_default())
            .collect()
    });
    let written = Duties::from_parts(texts, ids);
    let distinct = |d: &Duties| (1..d.len()).all(|i| !d[..i].contains(&d[i]));
    if list.is_empty() && distinct(&written) {
        *list = written;
    } else {
        extend_duties(list, &written);
    }
}

/// [`extend_unique`] for a list written in the model, whose strings it
/// shares: made in one allocation when `list` is empty and the items are
/// distinct, as they nearly always are.
fn add_written(list: &mut Texts, items: &[Spanned<Text>]) {
    let text = |s: &Spanned<Text>| s.value.clone();
    let distinct =
        || (1..items.len()).all(|i| items[..i].iter().all(|b| b.value != items[i].value));
    if list.is_empty() && distinct() {
        *list = items.iter().map(text).collect();
    } else {
        extend_unique(list, items.iter().map(text));
    }
}

/// Appends the duties whose text `list` does not have yet, in order, each
/// with its id (a text that comes twice keeps its first id).
fn extend_duties(list: &mut Duties, items: &Duties) {
    if !items.has_ids() {
        if let Some(texts) = list.texts_mut() {
            extend_unique(texts, items.iter().cloned());
            return;
        }
    }
    let mut texts: Vec<Text> = list.texts().to_vec();
    let mut ids: Vec<Text> = (0..texts.len())
        .map(|i| list.id(i).cloned().unwrap_or_default())
        .collect();
    for (text, id) in items.with_ids() {
        if !texts.contains(text) {
            texts.push(text.clone());
            ids.push(id.cloned().unwrap_or_default());
        }
    }
    *list = Duties::from_parts(texts.into(), Some(ids.into()));
}

/// Adds a holder, or folds it into the entry the same party already has.
/// A scope written for the party in this model (`own`) wins over inherited
/// ones; two inherited parts with different scopes (the area stands for
/// several upstream areas) keep both.
pub(super) fn merge(holders: &mut Vec<ResolvedHolder>, new: ResolvedHolder, own: bool) {
    let Some(existing) = holders.iter_mut().find(|h| h.party == new.party) else {
        holders.push(new);
        return;
    };
    if own && !new.scopes.is_empty() {
        existing.scopes = new.scopes;
    } else {
        merge_list(&mut existing.scopes, new.scopes);
    }
    if existing.duties.is_empty() {
        existing.duties = new.duties;
    } else {
        extend_duties(&mut existing.duties, &new.duties);
    }
    merge_list(existing.how.ids_mut(), new.how.ids().clone());
    merge_list(existing.evidence.ids_mut(), new.evidence.ids().clone());
    if existing.note.is_none() {
        existing.note = new.note;
    }
}

/// [`extend_unique`] for a resolved list, which has no duplicates: shared
/// rather than copied when `list` is empty.
fn merge_list(list: &mut Texts, items: Texts) {
    if list.is_empty() {
        *list = items;
    } else {
        extend_unique(list, items.iter().cloned());
    }
}

/// Appends the items `list` does not have yet, in order; `list` is
/// copied only when something is added.
fn extend_unique(list: &mut Texts, items: impl IntoIterator<Item = Text>) {
    let items = items.into_iter();
    let room = list.len() + items.size_hint().0;
    let mut grown: Option<Vec<Text>> = None;
    for item in items {
        let current = grown.as_deref().unwrap_or(list);
        if !current.contains(&item) {
            grown
                .get_or_insert_with(|| {
                    let mut copy = Vec::with_capacity(room);
                    copy.extend_from_slice(list);
                    copy
                })
                .push(item);
        }
    }
    if let Some(grown) = grown {
        *list = grown.into();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{RefKind, Role};
    use crate::resolve::RefIds;

    fn holder(party: &str, scopes: &[&str], duties: &[&str]) -> ResolvedHolder {
        let texts = |l: &[&str]| l.iter().map(|s| Text::from(*s)).collect::<Texts>();
        ResolvedHolder {
            party: Text::from(party),
            name: Text::from(party),
            role: Role::Provider,
            scopes: texts(scopes),
            duties: texts(duties).into(),
            how: RefIds::none(RefKind::Practice),
            evidence: RefIds::none(RefKind::Evidence),
            note: None,
            via: Texts::default(),
        }
    }

    #[test]
    fn inherited_scopes_are_kept_each_once_and_an_own_scope_wins() {
        let mut list = vec![holder("a", &["tenant"], &["Run"])];
        merge(
            &mut list,
            holder("a", &["platform", "tenant"], &["Run", "Patch"]),
            false,
        );
        merge(&mut list, holder("b", &[], &[]), false);
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].scopes[..], ["tenant", "platform"]);
        assert_eq!(list[0].scope().as_deref(), Some("tenant; platform"));
        assert_eq!(list[0].duties[..], ["Run", "Patch"]);
        merge(&mut list, holder("a", &["own"], &[]), true);
        assert_eq!(list[0].scope().as_deref(), Some("own"));
        // An own holding with no scope keeps the inherited one.
        merge(&mut list, holder("a", &[], &[]), true);
        assert_eq!(list[0].scope().as_deref(), Some("own"));
        assert_eq!(list[1].scope(), None);
    }
}
