//! `unclaimed-upstream-part`: for each offering that runs on an upstream,
//! every upstream area whose cell gives a part to the upstream's customer
//! is stood for by some area of this model.

use std::collections::HashMap;

use indexmap::IndexMap;

use crate::check::Context;
use crate::diagnostic::{Code, Diagnostic};
use crate::source::Span;
use crate::text::Text;

/// An upstream area nobody claims, gathered over the offerings.
struct Unclaimed<'a> {
    /// The first `runs-on` that consumes it.
    span: Span,
    offerings: Vec<&'a str>,
    duties: Vec<Text>,
}

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    let mut unclaimed: IndexMap<(&str, &str), Unclaimed> = IndexMap::new();
    // Upstream -> whether some area of this model stands for each of its
    // areas (by index: the upstream offering's areas are in the same order).
    let mut claimed: HashMap<&str, Vec<bool>> = HashMap::new();
    for (oid, offering) in &m.offerings {
        for (upstream, runs_on) in &offering.runs_on {
            let Some(up) = cx.upstreams.get(upstream.as_str()) else {
                continue;
            };
            if cx.mapping_broken(upstream) {
                continue;
            }
            let Some(up_offering) = up.matrix.offering_of(up.model, &runs_on.offering.value) else {
                continue;
            };
            let claimed = claimed.entry(upstream).or_insert_with(|| {
                let mut claimed = vec![false; up.model.areas.len()];
                let ids = m.areas.keys().flat_map(|a| m.stands_for(a, upstream));
                for i in ids.filter_map(|id| up.model.areas.get_index_of(id)) {
                    claimed[i] = true;
                }
                claimed
            });
            for (i, up_area) in up_offering.areas.iter().enumerate() {
                if up_area.customer_part().next().is_none() {
                    continue;
                }
                if !claimed.get(i).copied().unwrap_or(false) {
                    let entry = unclaimed
                        .entry((upstream.as_str(), up_area.id.as_str()))
                        .or_insert(Unclaimed {
                            span: runs_on.offering.span,
                            offerings: Vec::new(),
                            duties: Vec::new(),
                        });
                    entry.offerings.push(oid);
                    for h in up_area.customer_part() {
                        for d in &h.duties {
                            if !entry.duties.contains(d) {
                                entry.duties.push(d.clone());
                            }
                        }
                    }
                }
            }
        }
    }
    for (
        (upstream, area),
        Unclaimed {
            span,
            offerings,
            duties,
        },
    ) in unclaimed
    {
        let offerings = offerings
            .iter()
            .map(|o| format!("`{o}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let left = if duties.is_empty() {
            String::new()
        } else {
            format!("; duties left over: {}", duties.join("; "))
        };
        out.push(
            Diagnostic::new(
                Code::UnclaimedUpstreamPart,
                span,
                format!("`{upstream}` leaves its customer a part of `{area}` that no area of this model claims (in {offerings}){left}"),
            )
            .with_help(format!("add an area `{area}`, or list it in an area's `upstream: {{ {upstream}: [{area}] }}`")),
        );
    }
}
