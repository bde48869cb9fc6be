//! `not-running-on-upstream`, `unbacked-inheritance`,
//! `inherited-customer-part`: a cell that inherits from an upstream does so
//! in an offering that runs on it, for an area that stands for something
//! there, and never leaves the upstream's customer part unnamed.

use indexmap::IndexMap;

use crate::check::Context;
use crate::diagnostic::{Code, Diagnostic};
use crate::source::Span;

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    // (holder span, upstream) -> offerings where it is inherited without runs-on
    let mut not_running: IndexMap<(Span, &str), Vec<&str>> = IndexMap::new();
    let mut unbacked: IndexMap<Span, (&str, &str)> = IndexMap::new();
    let mut alone: IndexMap<Span, (&str, Vec<String>)> = IndexMap::new();

    for (area, cell) in &m.responsibilities {
        let Some(area_def) = m.areas.get(area) else {
            continue;
        };
        let inherits = cell
            .body
            .all_holders()
            .any(|h| h.list.iter().any(|h| m.upstreams.contains_key(&h.id.value)));
        if !inherits {
            continue;
        }
        // Upstream -> whether this area stands for something there.
        let mut backed_by: Vec<(&str, bool)> = Vec::new();
        for (oid, offering) in &m.offerings {
            let Some(holders) = cell.body.for_offering(oid) else {
                continue;
            };
            let only_upstreams = holders
                .list
                .iter()
                .all(|h| m.upstreams.contains_key(&h.id.value));
            for holder in &holders.list {
                let upstream = holder.id.value.as_str();
                if !m.upstreams.contains_key(upstream) {
                    continue;
                }
                let Some(runs_on) = offering.runs_on.get(upstream) else {
                    not_running
                        .entry((holder.id.span, upstream))
                        .or_default()
                        .push(oid);
                    continue;
                };
                let Some(up) = cx.upstreams.get(upstream) else {
                    continue;
                };
                let backed = match backed_by.iter().find(|(u, _)| *u == upstream) {
                    Some(&(_, backed)) => backed,
                    None => {
                        let backed = match area_def.upstream.get(upstream) {
                            Some(list) => !list.is_empty(),
                            None => up.model.areas.contains_key(area),
                        };
                        backed_by.push((upstream, backed));
                        backed
                    }
                };
                if !backed && !cx.mapping_broken(upstream) {
                    unbacked.insert(holder.id.span, (area, upstream));
                    continue;
                }
                if !only_upstreams {
                    continue;
                }
                let Some(up_offering) = up.matrix.offering_of(up.model, &runs_on.offering.value)
                else {
                    continue;
                };
                for up_area in m.stands_for(area, upstream) {
                    let Some(resolved) = up_offering.area_of(up.model, up_area) else {
                        continue;
                    };
                    if let Some(part) = resolved.customer_part().next() {
                        let duties = &part.duties;
                        let entry = alone
                            .entry(holder.id.span)
                            .or_insert((upstream, Vec::new()));
                        let what = if duties.is_empty() {
                            format!("`{up_area}` in `{oid}`")
                        } else {
                            format!("`{up_area}` in `{oid}` ({})", duties.join("; "))
                        };
                        if !entry.1.contains(&what) {
                            entry.1.push(what);
                        }
                    }
                }
            }
        }
    }

    for ((span, upstream), offerings) in not_running {
        let list = offerings
            .iter()
            .map(|o| format!("`{o}`"))
            .collect::<Vec<_>>()
            .join(", ");
        out.push(
            Diagnostic::new(
                Code::NotRunningOnUpstream,
                span,
                format!("inherits from `{upstream}` in {list}, which does not run on `{upstream}`"),
            )
            .with_help(format!(
                "add `runs-on: {{ {upstream}: OFFERING }}` to {list}, or name a party for it in a per-offering cell"
            )),
        );
    }
    for (span, (area, upstream)) in unbacked {
        out.push(
            Diagnostic::new(
                Code::UnbackedInheritance,
                span,
                format!("area `{area}` inherits from `{upstream}`, but stands for none of its areas"),
            )
            .with_help(format!("say which of its areas this stands for: `upstream: {{ {upstream}: [AREA] }}` on area `{area}`")),
        );
    }
    for (span, (upstream, parts)) in alone {
        let as_party = m.as_party(upstream);
        out.push(
            Diagnostic::new(
                Code::InheritedCustomerPart,
                span,
                format!(
                    "inherited from `{upstream}` alone, but `{upstream}` leaves part of it to its customer: {}",
                    parts.join(", ")
                ),
            )
            .with_help(format!(
                "name who covers that part: `{{ {upstream}: ~, {as_party}: {{ duties: [...] }} }}`"
            )),
        );
    }
}
