//! The example models, embedded in the binary: what `onus serve` publishes
//! when no `--models` folder is given, so it works from any folder.

use std::collections::HashMap;
use std::path::PathBuf;

/// Where the bundled files appear to live (no such folder is read).
pub const ROOT: &str = "/bundled";

/// (file name, text) of every bundled model.
pub const MODELS: &[(&str, &str)] = &[
    (
        "aws.onus.yaml",
        include_str!("../../../examples/aws.onus.yaml"),
    ),
    (
        "azure.onus.yaml",
        include_str!("../../../examples/azure.onus.yaml"),
    ),
    (
        "codat.onus.yaml",
        include_str!("../../../examples/codat.onus.yaml"),
    ),
    (
        "coherent.onus.yaml",
        include_str!("../../../examples/coherent.onus.yaml"),
    ),
    (
        "outsystems.onus.yaml",
        include_str!("../../../examples/outsystems.onus.yaml"),
    ),
];

/// The bundled files, as the loader reads them.
pub fn files() -> HashMap<PathBuf, String> {
    MODELS
        .iter()
        .map(|(name, text)| (PathBuf::from(ROOT).join(name), (*text).to_string()))
        .collect()
}

/// The path of each bundled model, in name order.
pub fn paths() -> Vec<PathBuf> {
    MODELS
        .iter()
        .map(|(name, _)| PathBuf::from(ROOT).join(name))
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_example_is_bundled() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".onus.yaml"))
            .collect();
        on_disk.sort();
        let bundled: Vec<&str> = super::MODELS.iter().map(|(n, _)| *n).collect();
        assert_eq!(on_disk, bundled, "add the new example to bundled::MODELS");
    }
}
