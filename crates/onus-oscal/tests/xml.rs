//! OSCAL's XML syntax, read into the same model as its JSON: NIST's own
//! XML publication of the SP 800-53 Rev. 5 LOW baseline profile (the same
//! commit as the JSON one beside it) and NIST's example component
//! definition in XML.

mod common;

use common::shared;
use onus_oscal::load::{import_file, read_document, read_profile, resolve_file, HrefMap};
use onus_oscal::{Document, Error};

const LOW_XML: &str = "nist-800-53-rev5/NIST_SP-800-53_rev5_LOW-baseline_profile.xml";
const LOW_JSON: &str = "nist-800-53-rev5/NIST_SP-800-53_rev5_LOW-baseline_profile.json";

#[test]
fn nist_low_profile_in_xml_is_the_same_profile_as_in_json() {
    let xml = read_profile(&shared(LOW_XML)).unwrap();
    let json = read_profile(&shared(LOW_JSON)).unwrap();
    assert_eq!(xml.imports.len(), 1);
    assert_eq!(xml, json);
}

#[test]
fn nist_low_profile_in_xml_resolves_to_the_same_catalog_as_in_json() {
    // The XML profile's import (`NIST_SP-800-53_rev5_catalog.xml`) is not
    // in the repository: the JSON catalog beside it is read.
    let from_xml = resolve_file(&shared(LOW_XML), &HrefMap::new()).unwrap();
    let from_json = resolve_file(&shared(LOW_JSON), &HrefMap::new()).unwrap();
    assert_eq!(from_xml.len(), 149);
    let (mut xml, mut json) = (from_xml.into_catalog(), from_json.into_catalog());
    // Each names the profile file it was resolved from, and nothing else differs.
    let source = |c: &mut onus_oscal::Catalog| {
        let link = c.metadata.links.pop().unwrap();
        assert_eq!(link.rel.as_deref(), Some("resolution-source"));
        link.href
    };
    assert_eq!(
        source(&mut xml),
        "NIST_SP-800-53_rev5_LOW-baseline_profile.xml"
    );
    assert_eq!(
        source(&mut json),
        "NIST_SP-800-53_rev5_LOW-baseline_profile.json"
    );
    assert_eq!(xml, json);
}

#[test]
fn a_profile_imports_an_xml_catalog_by_its_href() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = r#"<?xml version="1.0" encoding="UTF-8"?>
<catalog xmlns="http://csrc.nist.gov/ns/oscal/1.0" uuid="74c8ba1e-5cd4-4ad1-bbfd-d888e2f6c724">
  <metadata><title>Small</title><last-modified>2024-01-01T00:00:00Z</last-modified>
    <version>1</version><oscal-version>1.1.2</oscal-version></metadata>
  <group id="ac"><title>Access Control</title>
    <control id="ac-1"><title>Policy</title>
      <param id="ac-1_prm_1"><label>frequency</label></param>
      <part id="ac-1_smt" name="statement">
        <p>Review the policy <insert type="param" id-ref="ac-1_prm_1"/>.</p>
      </part>
    </control>
    <control id="ac-2"><title>Account Management</title></control>
  </group>
</catalog>"#;
    std::fs::write(dir.path().join("cat.xml"), catalog).unwrap();
    // A JSON file beside it is not read: the file named comes first.
    std::fs::write(dir.path().join("cat.json"), "not json").unwrap();
    let profile = r#"<profile xmlns="http://csrc.nist.gov/ns/oscal/1.0" uuid="p">
  <metadata><title>P</title></metadata>
  <import href="cat.xml"><include-controls><with-id>ac-1</with-id></include-controls></import>
  <modify><set-parameter param-id="ac-1_prm_1"><value>yearly</value></set-parameter></modify>
</profile>"#;
    std::fs::write(dir.path().join("p.xml"), profile).unwrap();
    let resolved = resolve_file(&dir.path().join("p.xml"), &HrefMap::new()).unwrap();
    let ids: Vec<&str> = resolved.controls().map(|c| c.id()).collect();
    assert_eq!(ids, ["ac-1"]);
    let control = resolved.control("ac-1").unwrap();
    assert_eq!(
        control.control.parts[0].prose.as_deref(),
        Some("Review the policy {{ insert: param, ac-1_prm_1 }}.")
    );
    assert_eq!(control.params()[0].values, ["yearly"]);
}

#[test]
fn malformed_xml_names_the_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.xml");
    std::fs::write(
        &path,
        "<catalog uuid=\"c\">\n  <metadata>\n    <title>T</titel>\n",
    )
    .unwrap();
    let err = read_document(&path).unwrap_err();
    assert!(matches!(err, Error::Xml { .. }), "{err:?}");
    let message = err.to_string();
    assert!(
        message.starts_with(&format!(
            "{} is not a valid OSCAL XML document",
            path.display()
        )) && message.ends_with("at line 3 column 13"),
        "{message}"
    );
    // A model that is neither catalog nor profile is named.
    std::fs::write(&path, "<system-security-plan uuid=\"s\"/>").unwrap();
    let err = read_document(&path).unwrap_err();
    assert!(
        matches!(&err, Error::WrongDocument { found, .. } if found == "system-security-plan"),
        "{err:?}"
    );
    let _ = Document::from_xml("<catalog/>").unwrap_err();
}

#[test]
fn nist_example_component_definition_in_xml_is_imported() {
    let (imported, _) = import_file(&shared("examples/xml/example-component.xml")).unwrap();
    let yaml = &imported.yaml;
    assert!(yaml.contains("Test Vendor"), "{yaml}");
    assert!(yaml.contains("test component 1"), "{yaml}");
    assert!(
        yaml.contains("Inactive accounts are automatically disabled based on the duration"),
        "{yaml}"
    );
    assert!(
        yaml.contains("AC-2(3)") || yaml.contains("ac-2.3"),
        "{yaml}"
    );
}

#[test]
fn nist_low_profile_validates_in_xml_as_in_json() {
    use onus_core::source::FileId;
    use onus_core::syntax::Syntax;
    use onus_oscal::validate::{validate, validate_xml};

    let xml = std::fs::read_to_string(shared(LOW_XML)).unwrap();
    let json = std::fs::read_to_string(shared(LOW_JSON)).unwrap();
    let from_xml = validate_xml(FileId(0), &xml).unwrap();
    let from_json = validate(FileId(0), &json, Syntax::Json).unwrap();
    assert_eq!(from_xml.model, "profile");
    let pointers = |r: &onus_oscal::validate::Report| {
        r.errors
            .iter()
            .map(|e| (e.pointer.clone(), e.message.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(pointers(&from_xml), pointers(&from_json));
}

/// NIST's example catalog in XML (OSCAL 1.0.0-rc2): its prose markup reads
/// as the Markdown NIST's JSON example (a later revision of the same
/// catalog) carries, and its controls are the same ones.
#[test]
fn nist_basic_catalog_in_xml_reads_as_markdown() {
    use onus_oscal::load::read_catalog;

    let xml = read_catalog(&shared("examples/xml/basic-catalog.xml")).unwrap();
    let json = read_catalog(&shared("examples/basic-catalog.json")).unwrap();
    assert_eq!(xml.metadata.title, json.metadata.title);
    let remarks = |c: &onus_oscal::Catalog| c.metadata.extra.get("remarks").cloned();
    assert!(remarks(&xml).is_some());
    assert_eq!(remarks(&xml), remarks(&json));
    let ids = |c: &onus_oscal::Catalog| {
        c.controls()
            .map(|c| (c.control.id.clone(), c.control.title.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&xml).len(), 4);
    assert_eq!(ids(&xml), ids(&json));

    let control = xml.controls().next().unwrap().control;
    assert_eq!(
        control.params[0].select,
        json.controls().next().unwrap().control.params[0].select
    );
    let statement = control
        .parts
        .iter()
        .find(|p| p.name == "statement")
        .unwrap();
    assert_eq!(
        statement.prose.as_deref(),
        Some(
            "All information security responsibilities should be defined and allocated.\n\n\
             A value has been assigned to {{ insert: param, s1.1.1-prm11 }}.\n\n\
             A cross link has been established with a choppy syntax: [(choppy)](#s1.2)."
        )
    );
    let guidance = control.parts.iter().find(|p| p.name == "guidance").unwrap();
    let item = guidance.parts[2].prose.as_deref().unwrap();
    assert!(
        item.starts_with(
            "Areas for which individuals are responsible should be stated. In particular the following should take place:\n\n\
             1. the assets and information security processes should be identified and defined;\n\
             2. the entity responsible"
        ),
        "{item}"
    );
    assert!(item.ends_with("\n5. coordination and oversight of information security aspects of supplier relationships should be identified and documented."));
}
