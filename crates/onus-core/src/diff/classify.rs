//! The classification rules: what a change means for the customer.
//!
//! "The customer" is the model's customer-role party ([`Matrix::customer`]).
//! A rule sees only the facts it needs, so each can be read (and tested)
//! alone; `docs/diff.md` states the same rules in prose.
//!
//! - **Breaking**: the customer must act or loses something it relied on: a
//!   new duty for the customer, or a customer duty reworded beyond a typo
//!   (onus cannot tell a wider duty from a clearer one, so it asks for a
//!   review); the customer's scope widened or changed; an area moving to the
//!   customer (the customer added as a holder, or left holding it alone);
//!   an offering or an area removed; evidence withdrawn from a provider's
//!   holding, or made harder to get (public to on-request or NDA).
//! - **Notable**: worth reading, nothing to do: the provider (or a third
//!   party) takes more on or less on, new or removed practices, new
//!   evidence, new offerings and areas that leave the customer nothing,
//!   upstream and control-mapping changes, links that moved.
//! - **Cosmetic**: names, descriptions, notes, order, the model's version,
//!   and rewordings that only fix case, punctuation or a typo.
//!
//! [`Matrix::customer`]: crate::resolve::Matrix::customer

use super::Class;
use crate::model::Access;

/// A new offering: it changes nothing for existing customers.
pub fn offering_added() -> Class {
    Class::Notable
}

/// An offering removed: its customers lose it.
pub fn offering_removed() -> Class {
    Class::Breaking
}

/// A new area: breaking when the customer holds part of it.
pub fn area_added(customer_holds: bool) -> Class {
    if customer_holds {
        Class::Breaking
    } else {
        Class::Notable
    }
}

/// An area removed: nobody declares it any more.
pub fn area_removed() -> Class {
    Class::Breaking
}

/// A party now holds (part of) an area: breaking when it is the customer.
pub fn holder_added(is_customer: bool) -> Class {
    if is_customer {
        Class::Breaking
    } else {
        Class::Notable
    }
}

/// A party no longer holds an area. The customer leaving is the provider
/// taking more on; another party leaving is breaking when the customer is
/// left holding the area alone (the area moved to the customer).
pub fn holder_removed(is_customer: bool, customer_alone_after: bool) -> Class {
    if !is_customer && customer_alone_after {
        Class::Breaking
    } else {
        Class::Notable
    }
}

/// A holder's scope changed. For the customer, losing its scope (it now
/// holds the whole area) or a changed scope is breaking, a scope appearing
/// (narrowing what it holds) notable.
pub fn scope_changed(
    is_customer: bool,
    before: Option<&str>,
    after: Option<&str>,
    trivial: bool,
) -> Class {
    if trivial {
        return Class::Cosmetic;
    }
    match (is_customer, before, after) {
        (true, Some(_), None) | (true, Some(_), Some(_)) => Class::Breaking,
        _ => Class::Notable,
    }
}

/// A new duty: breaking for the customer.
pub fn duty_added(is_customer: bool) -> Class {
    holder_added(is_customer)
}

/// A duty removed: the customer has less to do, or the provider commits
/// to less; worth reading either way.
pub fn duty_removed() -> Class {
    Class::Notable
}

/// A duty reworded: cosmetic when trivial; otherwise breaking for the
/// customer (it must re-read what it has to do), notable for others.
pub fn duty_reworded(is_customer: bool, trivial: bool) -> Class {
    match (trivial, is_customer) {
        (true, _) => Class::Cosmetic,
        (false, true) => Class::Breaking,
        (false, false) => Class::Notable,
    }
}

/// A practice added to or removed from a holding.
pub fn practice_listed() -> Class {
    Class::Notable
}

/// Evidence added to a holding.
pub fn evidence_added() -> Class {
    Class::Notable
}

/// Evidence removed from a holding: withdrawn, breaking when it backed a
/// party other than the customer.
pub fn evidence_removed(is_customer: bool) -> Class {
    if is_customer {
        Class::Notable
    } else {
        Class::Breaking
    }
}

/// The access level of a practice or evidence changed: evidence made
/// harder to get is breaking; everything else notable.
pub fn access_changed(is_evidence: bool, before: Access, after: Access) -> Class {
    if is_evidence && rank(after) > rank(before) {
        Class::Breaking
    } else {
        Class::Notable
    }
}

fn rank(access: Access) -> u8 {
    match access {
        Access::Public => 0,
        Access::OnRequest => 1,
        Access::Nda => 2,
    }
}

/// Other changes, by what they touch.
pub fn by_field(field: &str) -> Class {
    match field {
        // What the customer links to, maps controls with, or consumes.
        "url" | "controls" | "runs-on" | "publisher" | "role" => Class::Notable,
        _ => Class::Cosmetic,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_area_moving_to_the_customer_is_breaking() {
        assert_eq!(holder_added(true), Class::Breaking);
        assert_eq!(holder_removed(false, true), Class::Breaking);
        assert_eq!(holder_removed(false, false), Class::Notable);
        assert_eq!(holder_removed(true, false), Class::Notable);
    }

    #[test]
    fn the_customer_scope_widening_is_breaking() {
        assert_eq!(
            scope_changed(true, Some("tenant"), None, false),
            Class::Breaking
        );
        assert_eq!(
            scope_changed(true, None, Some("tenant"), false),
            Class::Notable
        );
        assert_eq!(
            scope_changed(false, Some("a"), Some("b"), false),
            Class::Notable
        );
        assert_eq!(
            scope_changed(true, Some("a"), Some("A"), true),
            Class::Cosmetic
        );
    }

    #[test]
    fn evidence_put_behind_nda_is_breaking() {
        assert_eq!(
            access_changed(true, Access::Public, Access::Nda),
            Class::Breaking
        );
        assert_eq!(
            access_changed(true, Access::Nda, Access::Public),
            Class::Notable
        );
        assert_eq!(
            access_changed(false, Access::Public, Access::Nda),
            Class::Notable
        );
    }
}
