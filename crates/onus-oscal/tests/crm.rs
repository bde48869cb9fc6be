//! The Customer Responsibility Matrix of the examples against NIST SP
//! 800-53 Rev. 5 HIGH (370 controls and enhancements).

mod common;

use common::{example, high, Example};
use onus_oscal::crm::{self, Class, Counts, Crm, Origination};
use onus_oscal::{Baseline, Error};

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
    let baseline: Vec<&str> = high().controls.iter().map(|c| c.id.as_str()).collect();
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

/// A model with two offerings mapping its areas to `controls`.
fn mapped(frameworks: &str, data: &str, os: &str) -> Example {
    let yaml = format!(
        "onus: 1
model: {{ id: acme, name: Acme, publisher: acme }}
parties:
  acme: {{ name: Acme, role: provider }}
  customer: {{ name: Customer, role: customer }}
offerings:
  app: {{ name: App }}
areas:
  data: {{ name: Data, controls: [{data}] }}
  os: {{ name: Operating system, controls: [{os}] }}
frameworks:
{frameworks}
responsibilities:
  data: [acme, customer]
  os: acme
"
    );
    let (example, found) = common::from_text(&yaml);
    example.unwrap_or_else(|| panic!("{found:#?}"))
}

const NIST: &str = "  nist-800-53-rev5: { name: NIST SP 800-53 Rev. 5 }";
const TWO: &str = "  nist-800-53-rev5: { name: NIST SP 800-53 Rev. 5 }
  ccm: { name: CSA CCM v4 }";

#[test]
fn choosing_the_framework() {
    let codat = example("codat");
    assert_eq!(
        crm::choose_framework(&codat.matrix, None).unwrap(),
        "nist-800-53-rev5"
    );
    let err = crm::choose_framework(&codat.matrix, Some("nist-800-53-rev4")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "model `codat` maps no area to framework `nist-800-53-rev4`; did you mean `nist-800-53-rev5`?"
    );
    let two = mapped(TWO, "nist-800-53-rev5:ac-2", "ccm:IVS-01");
    let err = crm::choose_framework(&two.matrix, None).unwrap_err();
    assert!(
        matches!(&err, Error::SeveralFrameworks { used, .. } if used == &["nist-800-53-rev5", "ccm"]),
        "{err:?}"
    );
    assert_eq!(
        crm::choose_framework(&two.matrix, Some("ccm")).unwrap(),
        "ccm"
    );
    let err = crm::choose_framework(&two.matrix, Some("iso")).unwrap_err();
    assert!(
        err.to_string().ends_with("known: nist-800-53-rev5, ccm"),
        "{err}"
    );
}

/// A model mapped to CCM, run against NIST HIGH, would list 370 controls
/// unassigned: it is refused, saying why.
#[test]
fn a_baseline_of_another_catalog_is_refused() {
    let ccm = mapped(
        "  ccm: { name: CSA CCM v4 }",
        "ccm:DSP-01, ccm:DSP-07",
        "ccm:IVS-01",
    );
    let err = crm::ensure_matches(&ccm.matrix, high(), "ccm").unwrap_err();
    let Error::FrameworkMismatch(mismatch) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(mismatch.mapped, ["DSP-01", "DSP-07", "IVS-01"]);
    let message = err.to_string();
    assert!(
        message.starts_with("model `acme` maps areas to 3 control(s) of framework `ccm` (DSP-01, DSP-07, IVS-01), but none of them is a control of `NIST Special Publication 800-53 Revision 5 HIGH IMPACT BASELINE` or of its families (ac-1, ac-2, ac-2.1, ac-2.2, ...)"),
        "{message}"
    );
    // Codat's mappings are NIST's.
    let codat = example("codat");
    crm::ensure_matches(&codat.matrix, high(), "nist-800-53-rev5").unwrap();
    // Controls of the catalog that this baseline leaves out are not a
    // mismatch: they are listed as outside the baseline.
    let outside = mapped(NIST, "nist-800-53-rev5:ac-2.8", "nist-800-53-rev5:SC-7.24");
    let low = Baseline::builtin("nist-800-53-rev5-low").unwrap();
    crm::ensure_matches(&outside.matrix, &low, "nist-800-53-rev5").unwrap();
    let offering = &outside.matrix.offerings[0];
    let crm = crm::build(&outside.matrix, offering, &low, "nist-800-53-rev5");
    assert_eq!(crm.not_in_baseline.len(), 2);
    assert_eq!(crm.counts.unassigned, 149);
}

/// A built-in baseline gives the same CRM as the profile resolved from
/// files, where they are the same baseline (the 5.1.1 HIGH built-in and
/// the 5.1.1 resolved HIGH read here).
#[test]
fn builtin_and_file_baselines_give_the_same_crm() {
    let codat = example("codat");
    let offering = &codat.matrix.offerings[0];
    let builtin = Baseline::builtin("nist-800-53-rev5-high").unwrap();
    let file = Baseline::of_catalog(
        &onus_oscal::load::read_catalog(&common::shared(
            "nist-800-53-rev5-5.1.1/NIST_SP-800-53_rev5_HIGH-baseline-resolved-profile_catalog-min.json",
        ))
        .unwrap(),
    );
    let a = crm::build(&codat.matrix, offering, &builtin, "nist-800-53-rev5");
    let b = crm::build(&codat.matrix, offering, &file, "nist-800-53-rev5");
    assert_eq!(a, b);
    assert_eq!(a.rows.len(), 370);
    assert_eq!(a.rows[1].label, "AC-2");
}

/// An unassigned enhancement says what its parent is, when someone holds
/// the parent; never for a held control or an unheld parent.
#[test]
fn an_unassigned_enhancement_names_its_held_parent() {
    let codat = crm_of("codat", "platform");
    let ia28 = row(&codat, "ia-2.8");
    assert_eq!(ia28.class, Class::Unassigned);
    let parent = row(&codat, "ia-2");
    assert_ne!(parent.class, Class::Unassigned);
    assert_eq!(
        ia28.responsibility(),
        format!("unassigned, parent IA-2 is {}", parent.class.label())
    );
    let mut named = 0;
    for r in &codat.rows {
        match &r.parent {
            Some((label, class)) => {
                named += 1;
                assert_eq!(r.class, Class::Unassigned, "{}", r.control);
                assert_ne!(*class, Class::Unassigned, "{}", r.control);
                assert!(r.control.contains('.'), "{}", r.control);
                assert_eq!(
                    *label,
                    crm::control_label(r.control.split('.').next().unwrap())
                );
            }
            None if r.class == Class::Unassigned => assert_eq!(r.responsibility(), "unassigned"),
            None => assert_eq!(r.responsibility(), r.class.label()),
        }
    }
    assert!(named > 0);
}

/// `ac-2+`: an area maps a control with its enhancements. Codat's
/// "Accounts and identities" mapped to `ia-2+` holds every enhancement of
/// IA-2 that FedRAMP LOW selects; `onus check` accepts it; the export
/// implements it as `ia-2`, schema-valid.
#[test]
fn a_control_with_its_enhancements_covers_those_in_the_baseline() {
    use onus_core::diagnostic::{Code, Diagnostic};
    use onus_core::load::ModelSet;

    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(common::root().join("examples")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "yaml") {
            std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
        }
    }
    let codat = dir.path().join("codat.onus.yaml");
    let text = std::fs::read_to_string(&codat).unwrap();
    let line = "controls: [nist-800-53-rev5:ac-2, nist-800-53-rev5:ac-2.3, nist-800-53-rev5:ia-2, ";
    assert!(text.contains(line));
    let text = text.replacen(line, &line.replace("ia-2, ", "ia-2+, "), 1);
    std::fs::write(&codat, text).unwrap();
    let set = ModelSet::load(&[codat], &onus_fs::OsFiles).unwrap();
    let found = onus_core::check::check(&set);
    let found: Vec<Diagnostic> = found
        .into_iter()
        .chain(onus_oscal::control_id::check(&set))
        .collect();
    assert!(!found.iter().any(Diagnostic::is_error), "{found:#?}");
    assert!(
        !found.iter().any(|d| d.code == Code::UnknownControl),
        "{found:#?}"
    );
    let matrix = onus_core::resolve::resolve(&set, set.roots[0]).unwrap();
    let low = Baseline::builtin("fedramp-rev5-low").unwrap();
    let before = crm::build(
        &example("codat").matrix,
        &example("codat").matrix.offerings[0],
        &low,
        "nist-800-53-rev5",
    );
    let after = crm::build(&matrix, &matrix.offerings[0], &low, "nist-800-53-rev5");
    let enhancements: Vec<&str> = low
        .controls
        .iter()
        .filter(|c| c.parent.as_deref() == Some("ia-2"))
        .map(|c| c.id.as_str())
        .collect();
    assert!(enhancements.contains(&"ia-2.8"), "{enhancements:?}");
    assert_eq!(row(&before, "ia-2.8").class, Class::Unassigned);
    for id in &enhancements {
        let r = row(&after, id);
        assert!(
            r.areas.iter().any(|a| a == "accounts-and-identities"),
            "{id}"
        );
        assert_ne!(r.class, Class::Unassigned, "{id}");
    }
    // Nothing else moved, and `ia-2+` is not "outside the baseline".
    for (b, a) in before.rows.iter().zip(&after.rows) {
        if !a.control.starts_with("ia-2")
            || a.control.starts_with("ia-2.") && !enhancements.contains(&a.control.as_str())
        {
            assert_eq!(b.class, a.class, "{}", a.control);
        }
    }
    assert!(!after
        .not_in_baseline
        .iter()
        .any(|u| u.control.contains('+')));

    let doc =
        onus_oscal::export::component_definition::export(onus_oscal::export::Input::new(&matrix));
    let text = doc.to_string();
    // The control-ids are plain; the area's `onus:control` prop keeps the
    // form written, so the model reads back.
    assert!(
        !text.contains("\"control-id\":\"ia-2+\""),
        "a control-id with `+`"
    );
    assert!(text.contains("nist-800-53-rev5:ia-2+"));
    assert!(text.contains("\"control-id\":\"ia-2\""));
    let errors = common::schema_errors(&common::validator("oscal_component_schema.json"), &doc);
    assert!(errors.is_empty(), "{errors:#?}");
}
