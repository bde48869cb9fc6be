//! Errors a user can cause, each with the right variant and a message that
//! says where and what to do.

use std::path::{Path, PathBuf};

use onus_oscal::load::{read_catalog, read_profile, resolve_file, HrefMap};
use onus_oscal::{resolve_against, Error, Profile, UnknownId};

const DATA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../data/oscal/nist-800-53-rev5"
);

fn data(file: &str) -> PathBuf {
    Path::new(DATA).join(file)
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn profile_importing(href: &str, ids: &[&str]) -> String {
    serde_json::json!({"profile": {
        "uuid": "5f2e0c3a-1c1e-4a8e-9d7e-2f0b8f6f9a10",
        "metadata": {"title": "Test baseline"},
        "imports": [{"href": href, "include-controls": [{"with-ids": ids}]}],
        "merge": {"as-is": true}
    }})
    .to_string()
}

#[test]
fn missing_import_names_the_href_and_the_paths_tried() {
    let dir = tempfile::tempdir().unwrap();
    let profile = write(
        dir.path(),
        "p.json",
        &profile_importing("catalog.xml", &["ac-1"]),
    );
    let err = resolve_file(&profile, &HrefMap::new()).unwrap_err();
    let Error::ImportNotFound { href, tried } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(href, "catalog.xml");
    assert_eq!(
        tried,
        &[
            dir.path().join("catalog.xml"),
            dir.path().join("catalog.json"),
            dir.path().join("catalog.yaml")
        ]
    );
    let message = err.to_string();
    assert!(
        message.contains("`catalog.xml`") && message.contains("--href-map 'catalog.xml=PATH'"),
        "{message}"
    );
}

#[test]
fn a_missing_import_is_fine_mapped_or_with_a_fallback_catalog() {
    let dir = tempfile::tempdir().unwrap();
    let profile = write(
        dir.path(),
        "p.json",
        &profile_importing("catalog.xml", &["ac-1", "ac-2"]),
    );
    let catalog = data("NIST_SP-800-53_rev5_catalog.json");
    let mut map = HrefMap::new();
    map.insert_arg(&format!("catalog.xml={}", catalog.display()))
        .unwrap();
    assert_eq!(resolve_file(&profile, &map).unwrap().len(), 2);
    let fallback = HrefMap::new().with_fallback(Some(catalog));
    assert_eq!(resolve_file(&profile, &fallback).unwrap().len(), 2);
    for bad in ["catalog.xml", "=x.json", "catalog.xml="] {
        let err = HrefMap::new().insert_arg(bad).unwrap_err();
        assert!(matches!(err, Error::BadHrefMap { .. }), "{bad}: {err:?}");
        assert!(err.to_string().contains("is not `FROM=TO`"), "{err}");
    }
}

#[test]
fn network_imports_are_refused_with_advice() {
    let dir = tempfile::tempdir().unwrap();
    let href = "https://raw.githubusercontent.com/usnistgov/oscal-content/main/catalog.json";
    let profile = write(dir.path(), "p.json", &profile_importing(href, &["ac-1"]));
    let err = resolve_file(&profile, &HrefMap::new()).unwrap_err();
    assert!(
        matches!(&err, Error::RemoteImport { href: h } if h == href),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .contains(&format!("--href-map '{href}=PATH'")),
        "{err}"
    );
    // Mapped to a local copy, it resolves.
    let mut map = HrefMap::new();
    map.insert(href, data("NIST_SP-800-53_rev5_catalog.json"));
    assert_eq!(resolve_file(&profile, &map).unwrap().len(), 1);
}

#[test]
fn unknown_control_id_in_with_ids_says_which() {
    let catalog = read_catalog(&data("NIST_SP-800-53_rev5_catalog.json")).unwrap();
    let profile = Profile::from_json(&profile_importing(
        "catalog.json",
        &["ac-2", "ac-2.99", "ac-3"],
    ))
    .unwrap();
    let err = resolve_against(&profile, &catalog).unwrap_err();
    let Error::UnknownControls { href, unknown } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(href, "catalog.json");
    assert_eq!(
        unknown,
        &[UnknownId {
            id: "ac-2.99".into(),
            excluded: false,
            suggestion: Some("ac-2.9".into())
        }]
    );
    assert_eq!(
        err.to_string(),
        "the import of `catalog.json` includes `ac-2.99` (did you mean `ac-2.9`?): \
         a control that catalog does not have; check the ids against the catalog"
    );
}

#[test]
fn malformed_json_names_the_file_and_position() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(data("NIST_SP-800-53_rev5_catalog.json")).unwrap();
    let truncated = write(dir.path(), "truncated.json", &text[..10_000]);
    let err = read_catalog(&truncated).unwrap_err();
    assert!(
        matches!(&err, Error::Json { path: Some(p), .. } if *p == truncated),
        "{err:?}"
    );
    let message = err.to_string();
    assert!(
        message.contains("truncated.json") && message.contains("line"),
        "{message}"
    );

    let not_json = write(dir.path(), "p.json", "profile: yes");
    let err = resolve_file(&not_json, &HrefMap::new()).unwrap_err();
    assert!(matches!(err, Error::Json { .. }), "{err:?}");
}

#[test]
fn a_profile_is_not_a_catalog() {
    let path = data("NIST_SP-800-53_rev5_LOW-baseline_profile.json");
    let err = read_catalog(&path).unwrap_err();
    assert!(
        matches!(&err, Error::WrongDocument { expected: "catalog", found, .. } if found == "profile"),
        "{err:?}"
    );
    let err = read_profile(&data("NIST_SP-800-53_rev5_catalog.json")).unwrap_err();
    assert!(
        matches!(
            err,
            Error::WrongDocument {
                expected: "profile",
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn an_unreadable_file_is_an_io_error_naming_it() {
    let err = read_catalog(Path::new("/nonexistent/catalog.json")).unwrap_err();
    assert!(matches!(err, Error::Io { .. }), "{err:?}");
    assert!(
        err.to_string().contains("/nonexistent/catalog.json"),
        "{err}"
    );
}
