//! `onus init [FILE] [--force]`: a commented starter model that passes `onus check`.

use std::path::PathBuf;

use crate::error::CliError;
use crate::output::{self, Written};

/// The starter model; its header names `model.onus.yaml`, replaced by the
/// file actually written (see [`starter`]).
pub const STARTER: &str = include_str!("../starter.onus.yaml");

/// The name the starter's header uses for itself.
const STARTER_NAME: &str = "model.onus.yaml";

#[derive(clap::Args)]
pub struct Args {
    /// Where to write it (`-` for standard output).
    #[arg(default_value = "model.onus.yaml")]
    file: PathBuf,
    /// Replace the file if it exists.
    #[arg(long)]
    force: bool,
}

pub fn run(args: Args) -> Result<(), CliError> {
    let to_stdout = args.file.as_os_str() == "-";
    output::refuse_overwrite(Some(&args.file), Written::Source, args.force)?;
    let text = if to_stdout {
        STARTER.to_string()
    } else {
        starter(&args.file.display().to_string())
    };
    output::emit(Some(&args.file), text.as_bytes())?;
    if !to_stdout {
        eprintln!(
            "wrote {}; next: onus check {}",
            args.file.display(),
            args.file.display()
        );
    }
    Ok(())
}

/// The starter whose header comment names `file` (a name that would break
/// the comment, with a line break in it, is shown with those replaced).
fn starter(file: &str) -> String {
    let file: String = file
        .chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    let (header, body) = STARTER
        .split_once("\nonus: 1\n")
        .expect("the starter has `onus: 1` after its header");
    format!("{}\nonus: 1\n{body}", header.replace(STARTER_NAME, &file))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_names_the_file_written() {
        let text = starter("models/acme.onus.yaml");
        let header: Vec<&str> = text.lines().take_while(|l| l.starts_with('#')).collect();
        assert!(
            header[0].starts_with("# models/acme.onus.yaml: "),
            "{header:?}"
        );
        assert!(header
            .iter()
            .any(|l| l.contains("onus check models/acme.onus.yaml")));
        assert!(!header.join("\n").contains(STARTER_NAME));
        assert!(text.ends_with(STARTER.split_once("\nonus: 1\n").unwrap().1));
        assert!(starter("a\nb.onus.yaml").starts_with("# a?b.onus.yaml: "));
    }
}
