//! Synthetic models for benchmarks: `areas` areas x `offerings` offerings in
//! each of `models` models, `model-0` running on `model-1` running on ... the
//! last one. Every model checks with no findings at all.
//!
//! Area `i` of model `k` has a cell of kind `(i + k) % 6`:
//!
//! | kind | form | cell |
//! |------|------|------|
//! | 0 | 1 | the model's provider |
//! | 1 | 3 | shared: provider and customer, each with scope, duties, how, evidence |
//! | 2 | 5 | inherited from the upstream alone (there its kind is 3: no customer part) |
//! | 3 | 5 | inherited, with the provider covering the upstream's customer part |
//! | 4 | 4 | per offering: `o-0` the customer, `o-1` inherited with the provider, `default` the provider |
//! | 5 | 1 | the customer |
//!
//! The last model has no upstream: there kind 2 is the provider, kind 3 the
//! provider with duties, and `o-1` of kind 4 the provider.
//!
//! The `inherit` shape (`2000x20x5/inherit`) is the worst case for holders
//! piling up along the chain: every cell of a model with an upstream is of
//! kind 3, and every cell of the last model of kind 1 (area 0 the other way
//! round), so each cell of the root has one holder per model.
//! Areas keep the same ids all along the chain, so each stands for the
//! upstream area of the same id and every upstream customer part is claimed;
//! offering `o-j` runs on the upstream's `o-j`.

use std::collections::HashMap;
use std::fmt::Write;
use std::path::PathBuf;

/// The size of a synthetic chain.
#[derive(Clone, Copy, Debug)]
pub struct Size {
    pub areas: usize,
    pub offerings: usize,
    pub models: usize,
    /// Every cell inherits (the `inherit` shape).
    pub inherit: bool,
}

impl std::fmt::Display for Size {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}x{}x{}", self.areas, self.offerings, self.models)?;
        if self.inherit {
            write!(f, "/inherit")?;
        }
        Ok(())
    }
}

impl Size {
    /// Cells over the whole chain: areas x offerings x models.
    pub fn cells(self) -> usize {
        self.areas * self.offerings * self.models
    }

    /// `2000x20x5`, or `2000x20x5/inherit`.
    pub fn parse(text: &str) -> Option<Size> {
        let (dims, inherit) = match text.split_once('/') {
            Some((dims, "inherit")) => (dims, true),
            Some(_) => return None,
            None => (text, false),
        };
        let mut parts = dims.split('x').map(|p| p.trim().parse::<usize>().ok());
        let size = Size {
            areas: parts.next()??,
            offerings: parts.next()??,
            models: parts.next()??,
            inherit,
        };
        (parts.next().is_none() && size.areas > 0 && size.offerings >= 3 && size.models > 0)
            .then_some(size)
    }
}

/// The file name of model `k`.
pub fn file_name(k: usize) -> String {
    format!("model-{k}.onus.yaml")
}

/// Every model of the chain, by file name; `model-0.onus.yaml` is the root.
pub fn generate(size: Size) -> HashMap<PathBuf, String> {
    (0..size.models)
        .map(|k| (PathBuf::from(file_name(k)), model(size, k)))
        .collect()
}

/// The YAML text of model `k`.
pub fn model(size: Size, k: usize) -> String {
    let has_upstream = k + 1 < size.models;
    let provider = format!("prov-{k}");
    let mut out = String::with_capacity(size.areas * 200 + size.offerings * 80);
    let w = &mut out;
    let _ = write!(
        w,
        "# Synthetic model {k} of {models}: {areas} areas x {offerings} offerings.\n\
         onus: 1\n\
         model:\n  id: synthetic-{k}\n  name: Synthetic provider {k}\n  title: Shared responsibility model\n  \
         version: \"2024-06\"\n  publisher: {provider}\n\n\
         parties:\n  {provider}: {{ name: Provider {k}, role: provider }}\n  \
         customer: {{ name: Customer, role: customer }}\n\n",
        models = size.models,
        areas = size.areas,
        offerings = size.offerings,
    );
    if has_upstream {
        let _ = write!(w, "upstreams:\n  up: {{ model: {} }}\n\n", file_name(k + 1));
    }
    w.push_str("offerings:\n");
    for j in 0..size.offerings {
        let _ = write!(w, "  o-{j}:\n    name: Offering {j}\n");
        if has_upstream {
            let _ = writeln!(w, "    runs-on: {{ up: o-{j} }}");
        }
    }
    w.push_str("\nareas:\n");
    for i in 0..size.areas {
        let _ = write!(
            w,
            "  area-{i}:\n    name: Area {i}\n    group: Group {}\n",
            i / 50
        );
        if i % 4 == 0 {
            let _ = writeln!(
                w,
                "    controls: [nist:ac-{}, nist:sc-{}]",
                i % 25 + 1,
                i % 50 + 1
            );
        }
    }
    w.push_str(
        "\npractices:\n  \
         policy: { name: Information security policy, kind: policy, url: https://example.com/policy }\n  \
         mfa: { name: Multi-factor authentication, kind: control }\n  \
         runbook: { name: Operations runbook, kind: document, access: nda }\n\
         evidence:\n  \
         soc2: { name: SOC 2 Type II report, kind: attestation, access: nda }\n  \
         iso27001: { name: ISO/IEC 27001 certificate, kind: certification }\n\
         frameworks:\n  nist: { name: NIST SP 800-53 Rev. 5 }\n\n\
         responsibilities:\n",
    );
    for i in 0..size.areas {
        let kind = match (i + k) % 6 {
            // Area 0 the other way round, so every practice and evidence is used.
            _ if size.inherit => {
                if (i == 0) == has_upstream {
                    1
                } else {
                    3
                }
            }
            2 if !has_upstream => 0,
            kind => kind,
        };
        let _ = write!(w, "  area-{i}:");
        let _ = match kind {
            0 => writeln!(w, " {provider}"),
            1 => write!(
                w,
                "\n    {provider}:\n      scope: platform\n      \
                 duties: [Operate area {i} of the platform, Patch area {i}]\n      \
                 how: [policy, runbook]\n      evidence: [soc2]\n    \
                 customer:\n      scope: tenant\n      \
                 duties: [Configure area {i} for the tenant]\n      how: [mfa]\n"
            ),
            2 => writeln!(w, " up"),
            3 if has_upstream => writeln!(
                w,
                " {{ up: ~, {provider}: {{ duties: [Cover the upstream customer part of area {i}], evidence: [iso27001] }} }}"
            ),
            3 => writeln!(
                w,
                " {{ {provider}: {{ duties: [Run area {i}], evidence: [iso27001] }} }}"
            ),
            4 => write!(
                w,
                "\n    o-0: customer\n    \
                 o-1: {}\n    default: {provider}\n",
                if has_upstream {
                    format!("{{ up: ~, {provider}: {{ scope: inherited platform }} }}")
                } else {
                    format!("{{ {provider}: {{ scope: platform }} }}")
                }
            ),
            _ => writeln!(w, " customer"),
        };
    }
    out
}
