//! The bodies of a search (spec §7.2), in the shapes the running line answers:
//! 5.0's `TicketsController#search` (`expand`, else `{tickets, tickets_count, assets}`), or
//! `model_search_render` from 6.5 on (`only_total_count`, `full`, `expand`, `term`/`label`,
//! the records; `with_total_count` wrapping the last three where the line reads it).
//! `full` is asked before `expand`. Assets are the links' assets of the listed tickets,
//! walked in list order (`ticket.assets(assets)` in a loop).

use std::sync::Arc;

use crate::expand;
use crate::params::Params;
use crate::records::{RecordStore, Stored};
use crate::release::{SearchAnswer, ZammadVersion};
use crate::render::{self, Viewer};

/// Which shapes a search asked for, each flag read as the line reads a boolean.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Asked {
    expand: bool,
    full: bool,
    with_total_count: bool,
    only_total_count: bool,
    /// `params[:label] || params[:term]`: present and not null.
    label: bool,
}

impl Asked {
    /// The flags of `params`, as `release` reads them.
    pub(super) fn of(params: &Params<'_>, release: ZammadVersion) -> Self {
        let booleans = release.room().booleans;
        let present = |key: &str| params.value(key).is_some_and(|v| !v.is_null());
        Self {
            expand: params.is_true("expand", booleans),
            full: params.is_true("full", booleans),
            with_total_count: params.is_true("with_total_count", booleans),
            only_total_count: params.is_true("only_total_count", booleans),
            label: present("label") || present("term"),
        }
    }
}

/// What a search found: the entries of the page (a ticket once per entry) and how many
/// tickets matched in all.
#[derive(Debug, Default)]
pub(super) struct Found {
    pub(super) listed: Vec<Arc<Stored>>,
    pub(super) total: usize,
}

/// The body of `found` in the shape `asked` for, as `release` answers it to `viewer`.
pub(super) fn body(
    found: &Found,
    asked: Asked,
    records: &RecordStore,
    release: ZammadVersion,
    viewer: Viewer,
) -> String {
    let rules = &release.room().search;
    let with_total_count = match rules.answer {
        SearchAnswer::Tickets => {
            if asked.expand {
                return list(found, |t| expand::ticket(t, records, release));
            }
            return tickets(found, records, release, viewer);
        }
        SearchAnswer::Models { with_total_count } => with_total_count && asked.with_total_count,
    };
    if asked.only_total_count {
        return format!("{{\"total_count\":{}}}", found.total);
    }
    if asked.full {
        let ids = ids(&found.listed);
        let assets = render::assets_of(&unique(&found.listed), records, release, viewer);
        return format!(
            "{{\"record_ids\":[{ids}],\"assets\":{assets},\"total_count\":{}}}",
            found.total
        );
    }
    let listed = if asked.expand {
        list(found, |t| expand::ticket(t, records, release))
    } else if asked.label && rules.term {
        // `model_search_render_result_label`: a ticket has no `fullname`, `name` or
        // `email`, so its id stands for both.
        list(found, |t| {
            format!("{{\"id\":{0},\"label\":{0},\"value\":{0}}}", t.id)
        })
    } else {
        // `attributes_with_association_ids`: the record as assets hold it.
        list(found, |t| t.json().to_owned())
    };
    if with_total_count {
        format!("{{\"records\":{listed},\"total_count\":{}}}", found.total)
    } else {
        listed
    }
}

/// 5.0's `{"tickets": [ids], "tickets_count": <entries on the page>, "assets": {…}}`.
fn tickets(found: &Found, records: &RecordStore, release: ZammadVersion, viewer: Viewer) -> String {
    let assets = render::assets_of(&unique(&found.listed), records, release, viewer);
    format!(
        "{{\"tickets\":[{}],\"tickets_count\":{},\"assets\":{assets}}}",
        ids(&found.listed),
        found.listed.len()
    )
}

/// The entries, each as `one` writes it, as a JSON array.
fn list(found: &Found, one: impl Fn(&Stored) -> String) -> String {
    let mut out = String::from("[");
    for (n, ticket) in found.listed.iter().enumerate() {
        if n > 0 {
            out.push(',');
        }
        out.push_str(&one(ticket));
    }
    out.push(']');
    out
}

/// The entries' ids, comma-separated.
fn ids(listed: &[Arc<Stored>]) -> String {
    let mut out = String::new();
    let mut buffer = itoa::Buffer::new();
    for (n, ticket) in listed.iter().enumerate() {
        if n > 0 {
            out.push(',');
        }
        out.push_str(buffer.format(ticket.id));
    }
    out
}

/// The entries with a ticket listed twice (5.0's one entry per article) kept once, first
/// place first: the assets take each record once anyway.
fn unique(listed: &[Arc<Stored>]) -> Vec<Arc<Stored>> {
    let mut out: Vec<Arc<Stored>> = Vec::with_capacity(listed.len());
    for ticket in listed {
        if !out.iter().any(|t| t.id == ticket.id) {
            out.push(Arc::clone(ticket));
        }
    }
    out
}
