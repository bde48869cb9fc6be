//! `unknown-upstream-offering`, `unknown-upstream-area`: what a model names
//! inside an upstream exists there.

use crate::check::Context;
use crate::diagnostic::{suggest, Code, Diagnostic};

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    for offering in m.offerings.values() {
        for (upstream, runs_on) in &offering.runs_on {
            let Some(up) = cx.upstreams.get(upstream.as_str()) else {
                continue;
            };
            let id = &runs_on.offering;
            if !up.model.offerings.contains_key(&id.value) {
                let known = up.model.offerings.keys().map(String::as_str);
                out.push(
                    Diagnostic::new(
                        Code::UnknownUpstreamOffering,
                        id.span,
                        format!("upstream `{upstream}` has no offering `{}`", id.value),
                    )
                    .with_help(
                        suggest(&id.value, known.clone()).unwrap_or_else(|| {
                            format!(
                                "its offerings are: {}",
                                known.collect::<Vec<_>>().join(", ")
                            )
                        }),
                    ),
                );
            }
        }
    }
    for area in m.areas.values() {
        for (upstream, list) in &area.upstream {
            let Some(up) = cx.upstreams.get(upstream.as_str()) else {
                continue;
            };
            for id in list
                .iter()
                .filter(|a| !up.model.areas.contains_key(&a.value))
            {
                let known = up.model.areas.keys().map(String::as_str);
                out.push(
                    Diagnostic::new(
                        Code::UnknownUpstreamArea,
                        id.span,
                        format!("upstream `{upstream}` has no area `{}`", id.value),
                    )
                    .with_help(
                        suggest(&id.value, known)
                            .unwrap_or_else(|| "use one of the upstream model's area ids".into()),
                    ),
                );
            }
        }
    }
}
