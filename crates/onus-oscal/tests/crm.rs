//! The Customer Responsibility Matrix of the examples against NIST SP
//! 800-53 Rev. 5 HIGH (370 controls and enhancements).

mod common;

use common::{example, high};
use onus_oscal::crm::{self, Class, Counts, Crm, Origination};

fn crm_of(name: &str, offering: &str) -> Crm {
    let e = example(name);
    let o = e.matrix.offering(offering).unwrap();
    crm::build(&e.matrix, o, high(), "nist-800-53-rev5")
}

fn row<'c>(crm: &'c Crm, id: &str) -> &'c crm::Row {
    crm.rows.iter().find(|r| r.control == id).unwrap()
}

#[test]
fn every_control_of_the_baseline_in_catalog_order() {
    let c = crm_of("codat", "platform");
    assert_eq!(c.rows.len(), 370);
    let ids: Vec<&str> = c.rows.iter().map(|r| r.control.as_str()).collect();
    let baseline: Vec<&str> = high().controls().map(|c| c.id()).collect();
    assert_eq!(ids, baseline);
    assert_eq!(c.counts.total(), 370);
    assert_eq!(
        c.baseline,
        "NIST Special Publication 800-53 Revision 5 HIGH IMPACT BASELINE"
    );
}

/// Codat on Azure PaaS: Codat holds its six areas (with Microsoft's part
/// inherited in three), Microsoft holds the four below, and the customer
/// holds nothing of Codat's model.
#[test]
fn codat_high() {
    let c = crm_of("codat", "platform");
    assert_eq!(
        c.counts,
        Counts {
            provider: 40,
            customer: 0,
            shared: 0,
            inherited: 23,
            unassigned: 307,
        }
    );
    assert!(c.not_in_baseline.is_empty());

    // Mapped only to the physical datacenter, which Codat inherits from Azure.
    let pe3 = row(&c, "pe-3");
    assert_eq!(
        pe3.class,
        Class::Inherited {
            upstream: "azure".into()
        }
    );
    assert_eq!(pe3.origination, [Origination::Inherited]);
    assert_eq!(pe3.areas, ["physical-datacenter"]);
    assert_eq!(pe3.coverage[0].holder.party, "azure/microsoft");
    assert_eq!(pe3.label, "PE-3");
    assert_eq!(
        pe3.family.as_deref(),
        Some("Physical and Environmental Protection")
    );

    // Two areas: Codat's accounts, and the directory shared with Microsoft.
    let ac2 = row(&c, "ac-2");
    assert_eq!(ac2.class, Class::Provider);
    assert_eq!(
        ac2.origination,
        [Origination::SpSystem, Origination::Inherited]
    );
    assert_eq!(
        ac2.areas,
        [
            "accounts-and-identities",
            "identity-and-directory-infrastructure"
        ]
    );

    // A policy control: corporate.
    let ac1 = row(&c, "ac-1");
    assert_eq!(ac1.class, Class::Provider);
    assert_eq!(ac1.origination, [Origination::SpCorporate]);

    // Mapped nowhere: a gap.
    let ir4 = row(&c, "ir-4");
    assert_eq!(ir4.class, Class::Unassigned);
    assert!(ir4.origination.is_empty() && ir4.coverage.is_empty());

    // Enhancements count only when mapped: AC-2(1) is, AC-2(2) is not.
    assert_eq!(row(&c, "ac-2.1").class, Class::Provider);
    assert_eq!(row(&c, "ac-2.2").class, Class::Unassigned);
}

/// OutSystems on AWS: the customer holds its five areas in every offering,
/// OutSystems the platform's in the cloud offerings; self-managed moves
/// most of those to the customer.
#[test]
fn outsystems_high() {
    for offering in ["odc", "o11-cloud"] {
        let c = crm_of("outsystems", offering);
        assert_eq!(
            c.counts,
            Counts {
                provider: 22,
                customer: 9,
                shared: 7,
                inherited: 0,
                unassigned: 332,
            },
            "{offering}"
        );
    }
    let c = crm_of("outsystems", "odc");
    // Mapped only to a customer area.
    let ca8 = row(&c, "ca-8");
    assert_eq!(ca8.class, Class::Customer);
    assert_eq!(ca8.origination, [Origination::CustomerProvided]);
    // The customer's data management and OutSystems's platform security.
    let ac3 = row(&c, "ac-3");
    assert_eq!(ac3.class, Class::Shared);
    assert_eq!(
        ac3.origination,
        [Origination::SpSystem, Origination::CustomerConfigured]
    );
    // Compute, storage ...: OutSystems with AWS's part inherited.
    let cm8 = row(&c, "cm-8");
    assert_eq!(cm8.class, Class::Provider);
    assert_eq!(
        cm8.origination,
        [Origination::SpSystem, Origination::Inherited]
    );
    assert!(cm8
        .coverage
        .iter()
        .any(|cv| cv.holder.party == "aws/amazon"));
    // SA-11(4) is not in the HIGH baseline: listed, not dropped.
    assert_eq!(c.not_in_baseline.len(), 1);
    assert_eq!(c.not_in_baseline[0].control, "sa-11.4");
    assert_eq!(c.not_in_baseline[0].areas, ["secure-development"]);

    let c = crm_of("outsystems", "o11-self-managed");
    assert_eq!(
        c.counts,
        Counts {
            provider: 0,
            customer: 27,
            shared: 11,
            inherited: 0,
            unassigned: 332,
        }
    );
    assert_eq!(row(&c, "cm-8").class, Class::Customer);
}

#[test]
fn coherent_high() {
    let c = crm_of("coherent", "spark");
    assert_eq!(
        c.counts,
        Counts {
            provider: 10,
            customer: 0,
            shared: 20,
            inherited: 0,
            unassigned: 340,
        }
    );
    assert_eq!(c.not_in_baseline[0].control, "ac-2.6");
}

#[test]
fn frameworks_in_order_of_use() {
    assert_eq!(
        crm::frameworks(&example("codat").matrix),
        ["nist-800-53-rev5"]
    );
}
