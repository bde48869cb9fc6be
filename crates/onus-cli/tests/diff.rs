//! End-to-end tests of `onus diff`: exit codes, the JSON shape, and
//! `REV:PATH` in a temporary git repository.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

/// Runs `onus` in `dir`, with no colours and no git settings from outside.
fn onus(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_onus"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

/// A folder with copies of the examples (`aws`, `outsystems`, ...) under `models/`.
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let models = dir.path().join("models");
    std::fs::create_dir(&models).unwrap();
    for entry in std::fs::read_dir(examples()).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, models.join(path.file_name().unwrap())).unwrap();
    }
    dir
}

/// Replaces `find` (which must occur exactly once) in `path`.
fn edit(path: &Path, find: &str, replace: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert_eq!(text.matches(find).count(), 1, "{find:?} in {path:?}");
    std::fs::write(path, text.replace(find, replace)).unwrap();
}

/// `models/new.onus.yaml`: the OutSystems model with the operating systems,
/// network & firewall area moved to the customer in ODC (breaking).
fn breaking_edit(dir: &Path) {
    let new = dir.join("models/new.onus.yaml");
    std::fs::copy(dir.join("models/outsystems.onus.yaml"), &new).unwrap();
    edit(
        &new,
        "  operating-systems-network-firewall-configuration:\n    o11-self-managed: customer\n",
        "  operating-systems-network-firewall-configuration:\n    o11-self-managed: customer\n    odc: customer\n",
    );
}

/// `models/new.onus.yaml`: the OutSystems model with an area renamed (cosmetic).
fn cosmetic_edit(dir: &Path) {
    let new = dir.join("models/new.onus.yaml");
    std::fs::copy(dir.join("models/outsystems.onus.yaml"), &new).unwrap();
    edit(
        &new,
        "    name: Encryption\n",
        "    name: Encryption of data\n",
    );
}

const OLD: &str = "models/outsystems.onus.yaml";
const NEW: &str = "models/new.onus.yaml";

#[test]
fn a_model_against_itself_has_no_changes_and_passes_every_gate() {
    let dir = workspace();
    let o = onus(dir.path(), &["diff", OLD, OLD, "--fail-on", "any"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "models/outsystems.onus.yaml -> models/outsystems.onus.yaml: no changes\n"
    );
}

#[test]
fn a_breaking_change_trips_both_gates_and_only_when_asked() {
    let dir = workspace();
    breaking_edit(dir.path());
    let o = onus(dir.path(), &["diff", OLD, NEW]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "models/outsystems.onus.yaml -> models/new.onus.yaml: 1 breaking, 0 notable, 0 cosmetic\n\
         \n\
         odc / operating-systems-network-firewall-configuration\n  \
         breaking  moved from OutSystems to Customer\n"
    );
    for gate in ["breaking", "any"] {
        let o = onus(dir.path(), &["diff", OLD, NEW, "--fail-on", gate]);
        assert_eq!(o.status.code(), Some(1), "--fail-on {gate}");
        assert!(stderr(&o).contains("(--fail-on"), "{}", stderr(&o));
    }
}

#[test]
fn a_cosmetic_change_trips_only_fail_on_any() {
    let dir = workspace();
    cosmetic_edit(dir.path());
    let o = onus(dir.path(), &["diff", OLD, NEW, "--fail-on", "breaking"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("0 breaking, 0 notable, 1 cosmetic"));
    let o = onus(dir.path(), &["diff", OLD, NEW, "--fail-on", "any"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stderr(&o), "error: 1 change (--fail-on any)\n");
}

#[test]
fn json_output_has_the_documented_shape() {
    let dir = workspace();
    breaking_edit(dir.path());
    let o = onus(dir.path(), &["diff", OLD, NEW, "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let json: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "old": { "source": OLD, "model": "outsystems", "version": null },
            "new": { "source": NEW, "model": "outsystems", "version": null },
            "summary": { "breaking": 1, "notable": 0, "cosmetic": 0 },
            "changes": [{
                "class": "breaking",
                "kind": "responsibility-moved",
                "offering": "odc",
                "area": "operating-systems-network-firewall-configuration",
                "party": null,
                "reference": null,
                "field": null,
                "before": "outsystems",
                "after": "customer",
                "message": "moved from OutSystems to Customer",
            }],
        })
    );
}

#[test]
fn markdown_is_a_changelog_by_class() {
    let dir = workspace();
    breaking_edit(dir.path());
    edit(
        &dir.path().join(NEW),
        "    name: Encryption\n",
        "    name: Encryption of data\n",
    );
    let o = onus(dir.path(), &["diff", OLD, NEW, "--format", "markdown"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let md = stdout(&o);
    assert!(md.starts_with("# Changes to OutSystems Cloud shared responsibility model\n"));
    let breaking = md.find("## Breaking changes").unwrap();
    let cosmetic = md.find("## Cosmetic changes").unwrap();
    assert!(breaking < cosmetic && !md.contains("## Notable changes"));
    assert!(md.contains(
        "- **OutSystems Developer Cloud — Operating systems, network & firewall configuration**: \
         moved from OutSystems to Customer.\n"
    ));
    assert!(md.contains(
        "- **Encryption of data (all offerings)**: area name changed from \"Encryption\" to \"Encryption of data\".\n"
    ));
}

#[test]
fn a_side_with_model_errors_is_reported_and_exits_1() {
    let dir = workspace();
    let new = dir.path().join(NEW);
    std::fs::copy(dir.path().join(OLD), &new).unwrap();
    edit(
        &new,
        "  vulnerability-mitigation:\n    customer:\n",
        "  vulnerability-mitigation:\n    custmer:\n",
    );
    let o = onus(dir.path(), &["diff", OLD, NEW]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).is_empty());
    let err = stderr(&o);
    assert!(err.contains("error["), "{err}");
    assert!(err.contains("models/new.onus.yaml has 1 error"), "{err}");
}

#[test]
fn a_missing_file_exits_2() {
    let dir = workspace();
    let o = onus(dir.path(), &["diff", OLD, "models/nope.onus.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("cannot read models/nope.onus.yaml"),
        "{}",
        stderr(&o)
    );
}

fn git(dir: &Path, args: &[&str]) {
    let o = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .output()
        .unwrap();
    assert!(o.status.success(), "git {args:?}: {}", stderr(&o));
}

/// A repository with the examples committed under `models/`.
fn repository() -> tempfile::TempDir {
    let dir = workspace();
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["config", "user.name", "onus tests"]);
    git(
        dir.path(),
        &["config", "user.email", "onus@example.invalid"],
    );
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "Examples"]);
    dir
}

#[test]
fn rev_path_reads_the_model_and_its_upstreams_at_the_revision() {
    let dir = repository();
    // Only the upstream changes in the working tree: AWS states a duty for
    // compute, which lands in both OutSystems offerings that run on AWS.
    edit(
        &dir.path().join("models/aws.onus.yaml"),
        "  compute: amazon\n",
        "  compute:\n    amazon:\n      duties: [Runs and patches the compute fleet]\n",
    );
    let expected = |o: &Output| {
        assert_eq!(o.status.code(), Some(0), "{}", stderr(o));
        let json: Value = serde_json::from_str(&stdout(o)).unwrap();
        let changes: Vec<(String, String, String, String)> = json["changes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                let s = |k: &str| c[k].as_str().unwrap_or("-").to_string();
                (s("class"), s("kind"), s("offering"), s("party"))
            })
            .collect();
        let one = |offering: &str| {
            (
                "notable".to_string(),
                "duty-added".to_string(),
                offering.to_string(),
                "aws/amazon".to_string(),
            )
        };
        assert_eq!(changes, [one("odc"), one("o11-cloud")]);
    };
    let o = onus(
        dir.path(),
        &[
            "diff",
            "HEAD:models/outsystems.onus.yaml",
            OLD,
            "--format",
            "json",
        ],
    );
    expected(&o);
    assert_eq!(
        serde_json::from_str::<Value>(&stdout(&o)).unwrap()["old"]["source"],
        "HEAD:models/outsystems.onus.yaml"
    );
    // From a subfolder, paths are relative to it, as on disk.
    let models = dir.path().join("models");
    let o = onus(
        &models,
        &[
            "diff",
            "HEAD:outsystems.onus.yaml",
            "outsystems.onus.yaml",
            "--format",
            "json",
        ],
    );
    expected(&o);

    // Committed, the same change is between HEAD~1 and HEAD.
    git(
        dir.path(),
        &["commit", "-q", "-am", "AWS states its compute duty"],
    );
    let o = onus(
        dir.path(),
        &[
            "diff",
            "HEAD~1:models/outsystems.onus.yaml",
            "HEAD:models/outsystems.onus.yaml",
            "--format",
            "json",
        ],
    );
    expected(&o);
}

#[test]
fn a_path_on_disk_wins_over_a_rev_path_reading() {
    let dir = repository();
    let odd = dir.path().join("v1:models");
    std::fs::create_dir(&odd).unwrap();
    std::fs::copy(dir.path().join(OLD), odd.join("outsystems.onus.yaml")).unwrap();
    std::fs::copy(
        dir.path().join("models/aws.onus.yaml"),
        odd.join("aws.onus.yaml"),
    )
    .unwrap();
    let o = onus(dir.path(), &["diff", "v1:models/outsystems.onus.yaml", OLD]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).ends_with(": no changes\n"));
}

#[test]
fn git_problems_are_usage_errors() {
    let dir = repository();
    let o = onus(
        dir.path(),
        &["diff", "no-such-rev:models/outsystems.onus.yaml", OLD],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("git knows no revision `no-such-rev`"),
        "{}",
        stderr(&o)
    );

    let o = onus(dir.path(), &["diff", "HEAD:models/gone.onus.yaml", OLD]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("cannot read HEAD:models/gone.onus.yaml: no file models/gone.onus.yaml at revision HEAD"),
        "{}",
        stderr(&o)
    );

    let outside = workspace();
    let o = onus(
        outside.path(),
        &["diff", "HEAD:models/outsystems.onus.yaml", OLD],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("is not inside a git repository"),
        "{}",
        stderr(&o)
    );
}
