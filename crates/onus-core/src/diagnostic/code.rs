//! The registry of diagnostic codes: each code's stable name, default
//! severity and documentation. `docs/diagnostics.md` is generated from this
//! table (`onus explain --all`), and a test keeps the two equal.

use super::Severity;

/// Documentation of one code, in the shape of a linter rule page.
#[derive(Debug, Clone, Copy)]
pub struct CodeDoc {
    pub summary: &'static str,
    pub why: &'static str,
    pub example: &'static str,
    pub fix: &'static str,
}

macro_rules! codes {
    ($( $variant:ident = $name:literal, $sev:ident, {
        summary: $summary:literal, why: $why:literal, example: $example:literal, fix: $fix:literal $(,)?
    } )*) => {
        /// A stable, kebab-case diagnostic code.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code { $( $variant, )* }

        impl Code {
            /// Every code, in documentation order.
            pub const ALL: &'static [Code] = &[ $( Code::$variant, )* ];

            /// The stable name printed in `error[name]` and in JSON/SARIF.
            pub fn name(self) -> &'static str {
                match self { $( Code::$variant => $name, )* }
            }

            /// The severity findings of this code have.
            pub fn severity(self) -> Severity {
                match self { $( Code::$variant => Severity::$sev, )* }
            }

            pub fn doc(self) -> CodeDoc {
                match self { $( Code::$variant => CodeDoc {
                    summary: $summary, why: $why, example: $example, fix: $fix,
                }, )* }
            }

            pub fn from_name(name: &str) -> Option<Code> {
                Code::ALL.iter().copied().find(|c| c.name() == name)
            }
        }
    };
}

codes! {
    Syntax = "syntax", Error, {
        summary: "The file cannot be read as text (not UTF-8, unreadable), is not valid YAML or JSON, holds no document, or nests or repeats (through aliases) too much.",
        why: "Nothing else can be checked until the file parses.",
        example: "parties:\n  codat: { name: Codat, role: provider",
        fix: "Close the bracket or quote the message points at. YAML files hold exactly one document.",
    }
    DuplicateKey = "duplicate-key", Error, {
        summary: "A map has the same key twice.",
        why: "Most YAML tools silently keep the last one; a model must never lose a line that way.",
        example: "areas:\n  devices: { name: Devices }\n  devices: { name: Mobile devices }",
        fix: "Remove or rename one of the two keys.",
    }
    UnknownKey = "unknown-key", Error, {
        summary: "A key the format does not define.",
        why: "A misspelt key (`dutys:`) would otherwise be ignored and its content lost.",
        example: "customer: { scope: tenant, dutys: [Manage users] }",
        fix: "Use the key suggested by the help line, or remove it.",
    }
    MissingKey = "missing-key", Error, {
        summary: "A required key is absent, or a required section (parties, offerings, areas) declares nothing.",
        why: "The format requires it: for example every party needs a `role`, every model a `publisher`.",
        example: "parties:\n  codat: { name: Codat }",
        fix: "Add the key named in the message.",
    }
    InvalidType = "invalid-type", Error, {
        summary: "A value has the wrong shape (a list where a map is expected, a map where text is expected...).",
        why: "The meaning of a value depends on its shape; a wrong shape cannot be read.",
        example: "duties: Manage users   # a list is expected",
        fix: "Write the value in the shape the message names.",
    }
    InvalidId = "invalid-id", Error, {
        summary: "An id is not lowercase kebab case (`[a-z0-9][a-z0-9-]*`).",
        why: "Ids are used in references, file names, URLs and qualified party ids such as `azure/microsoft`.",
        example: "parties:\n  Codat_Ltd: { name: Codat, role: provider }",
        fix: "Use lowercase letters, digits and dashes: `codat-ltd`.",
    }
    InvalidValue = "invalid-value", Error, {
        summary: "A value outside the allowed set (a role, kind, access level or control reference).",
        why: "These values have fixed meanings that every output relies on.",
        example: "auditor: { name: Auditor, role: thirdparty }",
        fix: "Use one of the values listed in the message (here `third-party`).",
    }
    NotAModel = "not-a-model", Error, {
        summary: "The file is an OSCAL document (catalog, profile, component definition, SSP...), not an onus model.",
        why: "OSCAL files and onus models are both JSON; one given for the other would otherwise give a finding per missing key.",
        example: "{ \"system-security-plan\": { \"uuid\": \"...\" } }",
        fix: "Import it (`onus oscal import FILE -o MODEL.onus.yaml`), or pass it where OSCAL goes (`onus crm --profile`).",
    }
    UnsupportedVersion = "unsupported-version", Error, {
        summary: "The `onus:` format version is not 1.",
        why: "This version of onus reads format version 1 only.",
        example: "onus: 2",
        fix: "Write `onus: 1`, or use the onus release that reads the newer format.",
    }
    DuplicateId = "duplicate-id", Error, {
        summary: "The same id names a party, an upstream or an offering twice.",
        why: "Parties, upstreams and offerings share one namespace, so a key in a cell can always be told apart.",
        example: "parties:\n  azure: { name: Azure team, role: third-party }\nupstreams:\n  azure: { model: azure.onus.yaml }",
        fix: "Rename one of them.",
    }
    CustomerPartyCount = "customer-party-count", Error, {
        summary: "The model does not have exactly one party with the role `customer`.",
        why: "The customer-role party is who consumes the offerings, and who an upstream's customer part turns into downstream.",
        example: "parties:\n  codat: { name: Codat, role: provider }",
        fix: "Declare exactly one party with `role: customer`.",
    }
    MissingProvider = "missing-provider", Error, {
        summary: "No party has the role `provider`.",
        why: "A shared responsibility model is published by a provider.",
        example: "parties:\n  customer: { name: Customer, role: customer }",
        fix: "Declare the publisher as a party with `role: provider`.",
    }
    InvalidPublisher = "invalid-publisher", Error, {
        summary: "`model.publisher` names a party whose role is not `provider`.",
        why: "The publisher is the provider the model speaks for.",
        example: "model: { id: x, name: X, publisher: customer }",
        fix: "Name a party with `role: provider`.",
    }
    UnknownParty = "unknown-party", Error, {
        summary: "A reference to a party (or upstream) that the model does not declare.",
        why: "A typo in a holder would silently give a responsibility to nobody.",
        example: "incident-response: [coherent, custmer]",
        fix: "Use a declared party or upstream id (see the help line), or declare it under `parties:`.",
    }
    UnknownOffering = "unknown-offering", Error, {
        summary: "A reference to an offering that the model does not declare.",
        why: "A per-offering cell for an offering that does not exist assigns nothing.",
        example: "network-controls: { sass: microsoft, default: customer }",
        fix: "Use a declared offering id, or `default`.",
    }
    UnknownArea = "unknown-area", Error, {
        summary: "A cell under `responsibilities:` for an area that is not declared.",
        why: "Every cell must say who holds a declared area; a typo would leave the real area unheld.",
        example: "responsibilities:\n  aplications: codat",
        fix: "Use a declared area id, or declare the area under `areas:`.",
    }
    UnknownUpstream = "unknown-upstream", Error, {
        summary: "A reference to an upstream that the model does not declare (in `runs-on` or an area's `upstream`).",
        why: "The chain cannot be followed through an upstream that does not exist.",
        example: "offerings:\n  platform: { name: Platform, runs-on: { azur: paas } }",
        fix: "Use a declared upstream id, or declare it under `upstreams:`.",
    }
    UnknownPractice = "unknown-practice", Error, {
        summary: "`how:` names a practice that is not declared.",
        why: "A practice is how a party does its part; a dangling one is a broken promise.",
        example: "codat: { how: [encryption-polcy] }",
        fix: "Use a declared practice id, or declare it under `practices:`.",
    }
    UnknownEvidence = "unknown-evidence", Error, {
        summary: "`evidence:` names evidence that is not declared.",
        why: "Evidence is what proves a part is done; a dangling reference proves nothing.",
        example: "outsystems: { evidence: [soc-2] }",
        fix: "Use a declared evidence id, or declare it under `evidence:`.",
    }
    UnknownFramework = "unknown-framework", Error, {
        summary: "A control reference `FRAMEWORK:CONTROL` names a framework that is not declared.",
        why: "Controls are only meaningful within a declared framework (catalog).",
        example: "controls: [nist-800-53:ac-2]",
        fix: "Declare the framework under `frameworks:` or fix its id.",
    }
    UnknownControl = "unknown-control", Error, {
        summary: "A control reference names a control its framework's catalog does not have.",
        why: "A CRM or an OSCAL export would carry a control no auditor can find; checked where onus knows the catalog (`nist-800-53-rev5` is bundled).",
        example: "controls: [nist-800-53-rev5:ac-2.99]",
        fix: "Use the catalog's control id (the help line suggests the nearest), e.g. `nist-800-53-rev5:ac-2.1`.",
    }
    WithdrawnControl = "withdrawn-control", Warning, {
        summary: "A control reference names a control its catalog has withdrawn.",
        why: "A withdrawn control is in no baseline: the mapping counts for nothing, and its content lives in other controls now.",
        example: "controls: [nist-800-53-rev5:ac-3.1]",
        fix: "Map the controls the help line names (where the catalog says its content went) instead.",
    }
    ControlIdForm = "control-id-form", Warning, {
        summary: "A control id is written in another form than its catalog's (`AC-2(1)`, `ac-02.01`).",
        why: "Exports and the CRM match ids exactly: `AC-2(1)` would not match the catalog's `ac-2.1`.",
        example: "controls: [nist-800-53-rev5:AC-2(1)]",
        fix: "Write the catalog's id, which the help line gives: `nist-800-53-rev5:ac-2.1`.",
    }
    UnknownUpstreamOffering = "unknown-upstream-offering", Error, {
        summary: "`runs-on` names an offering that the upstream model does not have.",
        why: "Inherited cells are read from the upstream's consumed offering.",
        example: "runs-on: { azure: pass }",
        fix: "Use one of the upstream model's offering ids.",
    }
    UnknownUpstreamArea = "unknown-upstream-area", Error, {
        summary: "An area's `upstream:` names an area that the upstream model does not have.",
        why: "The area would stand for nothing upstream, and coverage could not be checked.",
        example: "upstream: { azure: [operating-sytem] }",
        fix: "Use one of the upstream model's area ids.",
    }
    MixedCellKeys = "mixed-cell-keys", Error, {
        summary: "A cell map mixes holder keys (parties, upstreams) with offering keys.",
        why: "A cell is either per holder or per offering; a mix has no single meaning.",
        example: "network-controls: { saas: microsoft, customer: ~ }",
        fix: "Use offering keys (and `default`) at the top and holders inside each offering's value.",
    }
    DuplicateHolder = "duplicate-holder", Error, {
        summary: "The same holder is listed twice in one cell.",
        why: "A holder appears once per cell; twice usually means one of them was meant to be someone else.",
        example: "incident-response: [coherent, coherent]",
        fix: "Remove the repeat, or name the party you meant.",
    }
    DuplicateDutyId = "duplicate-duty-id", Error, {
        summary: "A duty id names two different duties of the model (two texts), or comes twice in one holding.",
        why: "A duty's id is its identity: its OSCAL uuids and each tenant's checklist item are keyed on it, and `onus diff` pairs its old and new text by it. One id on two texts would make two duties one, and a text reworded in one place only would go unnoticed.",
        example: "data:\n  acme: { duties: [{ id: backup, text: Backs up the database }] }\nhosts:\n  acme: { duties: [{ id: backup, text: Backs up the hosts }] }",
        fix: "Give each duty its own id (`backup-database`, `backup-hosts`), or, where it is the same duty (in another offering or area), write the same text.",
    }
    MissingHolder = "missing-holder", Error, {
        summary: "An area has no holder in some offering (no cell, an empty cell, or a per-offering cell that misses the offering and has no `default`).",
        why: "An area nobody holds is the gap a shared responsibility model exists to close.",
        example: "network-controls: { saas: microsoft }   # paas and iaas have no holder",
        fix: "Give the offering a holder, or add `default:`.",
    }
    UnusedDefault = "unused-default", Warning, {
        summary: "A per-offering cell has a `default` that no offering falls to.",
        why: "Every offering is listed explicitly, so the default never applies and may mislead a reader.",
        example: "logging: { saas: microsoft, paas: customer, default: customer }   # only saas and paas exist",
        fix: "Remove the `default`.",
    }
    NotRunningOnUpstream = "not-running-on-upstream", Error, {
        summary: "A cell inherits from an upstream in an offering that does not run on that upstream.",
        why: "Inheriting means taking the upstream's cell in the offering we consume; without `runs-on` there is none.",
        example: "offerings:\n  self-managed: { name: Self-managed }\nresponsibilities:\n  compute: aws",
        fix: "Add `runs-on: { aws: ... }` to the offering, or use a per-offering cell that names a party for it.",
    }
    InheritedCustomerPart = "inherited-customer-part", Error, {
        summary: "An area is inherited from an upstream alone, but the upstream gives part of it to its customer.",
        why: "The upstream's customer part falls to this model: someone here must be named as covering it.",
        example: "applications: azure   # Azure PaaS shares applications with its customer",
        fix: "Add at least one party of this model to the cell: `applications: { azure: ~, codat: { duties: [...] } }`.",
    }
    UnclaimedUpstreamPart = "unclaimed-upstream-part", Error, {
        summary: "An upstream area gives a part to its customer, and no area of this model stands for it.",
        why: "That part falls to this model's `as` party, yet the model never says who does it: an unclaimed responsibility.",
        example: "# Azure PaaS leaves devices to its customer, and the model has no `devices` area",
        fix: "Add an area with the upstream area's id, or list it in an area's `upstream: { UPSTREAM: [AREA] }`.",
    }
    UnbackedInheritance = "unbacked-inheritance", Error, {
        summary: "A cell inherits from an upstream, but the area stands for no area of that upstream.",
        why: "There is nothing upstream to inherit: the responsibility would silently be held by nobody.",
        example: "responsibilities:\n  tenant-isolation: azure   # azure has no tenant-isolation area",
        fix: "Map the area with `upstream: { azure: [AREA] }`, or name a party of this model.",
    }
    UpstreamMissing = "upstream-missing", Error, {
        summary: "An upstream model file cannot be read, or may not be: outside the model's folder or git repository, not a regular file, over the size cap, or one model too deep (chains stop at 64).",
        why: "The chain cannot be resolved without it.",
        example: "upstreams:\n  azure: { model: azrue.onus.yaml }",
        fix: "Fix the path; it is relative to the file that names it. A model that runs on a file elsewhere on disk needs `--allow-outside-root`.",
    }
    UpstreamBroken = "upstream-broken", Error, {
        summary: "An upstream model has errors of its own (they are shown with its own path).",
        why: "A downstream model cannot be trusted to resolve through a broken upstream.",
        example: "upstreams:\n  azure: { model: azure.onus.yaml }   # azure.onus.yaml has errors",
        fix: "Fix the upstream's errors first.",
    }
    UpstreamCycle = "upstream-cycle", Error, {
        summary: "Following upstreams leads back to a model already in the chain.",
        why: "A model cannot run on itself; resolution would never end.",
        example: "# a.onus.yaml runs on b.onus.yaml, which runs on a.onus.yaml",
        fix: "Remove one of the upstream references.",
    }
    SharedWithoutSplit = "shared-without-split", Warning, {
        summary: "A cell is shared, and its holders have neither a scope nor duties.",
        why: "\"Shared\" without saying who does what is the most common defect of published models.",
        example: "incident-response: [coherent, customer]",
        fix: "Give each holder a `scope` or `duties`: `{ coherent: { scope: platform }, customer: { scope: tenant } }`.",
    }
    UnsafeUrl = "unsafe-url", Error, {
        summary: "A `url` whose scheme is not http, https or mailto (say `javascript:` or `data:`), or that names another host without a scheme (`//host`) or holds control characters.",
        why: "Pages, spreadsheets, JSON views and OSCAL exports carry these links to readers: a script or data link is an attack, a `file:` link a leak. The model's own `url` is also the base that relative links are joined onto. A model with such a link is not rendered or exported.",
        example: "practices:\n  policy: { name: Policy, url: \"javascript:alert(1)\" }",
        fix: "Use an http(s) or mailto address, or a path relative to the published page.",
    }
    UnusedPractice = "unused-practice", Warning, {
        summary: "A practice that no cell names in `how:`.",
        why: "It is either dead or a cell forgot to reference it.",
        example: "practices:\n  password-policy: { name: Password Policy }",
        fix: "Reference it from the holding it describes, or remove it.",
    }
    UnusedEvidence = "unused-evidence", Warning, {
        summary: "Evidence that no cell names in `evidence:`.",
        why: "It is either dead or a cell forgot to reference it.",
        example: "evidence:\n  soc3: { name: SOC 3 report }",
        fix: "Reference it from the holding it proves, or remove it.",
    }
    UnusedFramework = "unused-framework", Warning, {
        summary: "A framework that no area's `controls:` refers to.",
        why: "It is either dead or the mapping was forgotten.",
        example: "frameworks:\n  iso-27001: { name: ISO/IEC 27001 }",
        fix: "Map areas to its controls, or remove it.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_kebab_case() {
        let mut seen = std::collections::HashSet::new();
        for code in Code::ALL {
            let name = code.name();
            assert!(seen.insert(name), "duplicate code {name}");
            assert!(name.chars().all(|c| c.is_ascii_lowercase() || c == '-'));
            assert_eq!(Code::from_name(name), Some(*code));
        }
    }
}
