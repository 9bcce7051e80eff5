//! `GET /api/v1/tickets`, Zammad's ticket index: the tickets the caller may see, by id, one
//! page at a time, as plain attribute objects (no `expand`, no `full`). Clients that list
//! tickets use it, and so does `capture --all`. Which ticket a caller may see, and how a page
//! is chosen, is the release's.

use crate::auth::Caller;
use crate::links::Cast;
use crate::model::ModelKind;
use crate::refusal::DomainError;
use crate::release::Paging;
use crate::render;
use crate::state::AppState;

/// `GET /api/v1/tickets`.
#[derive(Debug, Clone)]
pub struct ListTickets {
    /// `page`.
    pub page: Cast<i64>,
    /// `per_page`.
    pub per_page: Cast<i64>,
}

/// The page of tickets `request` asks for, as a JSON array of ticket attributes.
///
/// # Errors
/// A parameter's refusal.
pub fn list(
    state: &AppState,
    request: &ListTickets,
    caller: &Caller,
) -> Result<String, DomainError> {
    let release = state.release();
    let page = Page::of(
        request.page.clone()?,
        request.per_page.clone()?,
        release.room().tickets.index_paging,
    );
    // Zammad selects with `Ticket.access_condition(user, 'read')`; the mock uses the same
    // `TicketPolicy#show?` rule as the links filter, so that the index and the links list
    // never disagree about a ticket (they differ in Zammad only for an owner without group
    // access).
    let view = state.view();
    let mut out = String::from("[");
    let visible = view
        .records()
        .all_of(ModelKind::Ticket)
        .into_iter()
        .filter(|ticket| release.may_show_ticket(caller, view.records(), ticket))
        .skip(page.offset)
        .take(page.limit);
    for (n, ticket) in visible.enumerate() {
        if n > 0 {
            out.push(',');
        }
        // As `GET /api/v1/tickets/:id` renders it: the table columns only.
        out.push_str(&render::ticket(&ticket));
    }
    out.push(']');
    Ok(out)
}

/// Which slice of the visible tickets a request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Page {
    offset: usize,
    limit: usize,
}

impl Page {
    /// `TicketsController#index`: with `paging.both_or_none`, `page` and `per_page` count
    /// only when both are given (each through Ruby's `to_i`); then offset = (page − 1) ×
    /// per_page; per_page is cut to the release's most. Zammad hands a negative offset or
    /// limit to PostgreSQL, which refuses it (an unrescued error); the mock answers those pages as
    /// empty instead (a choice of the mock).
    fn of(page: Option<i64>, per_page: Option<i64>, paging: Paging) -> Self {
        let (page, per_page) = match (page, per_page) {
            (Some(page), Some(per_page)) => (page, per_page),
            (page, per_page) if !paging.both_or_none => (
                page.unwrap_or(1),
                per_page.unwrap_or(paging.default_per_page),
            ),
            _ => (1, paging.default_per_page),
        };
        let per_page = per_page.min(paging.max_per_page);
        let offset = page.saturating_sub(1).saturating_mul(per_page);
        if per_page < 0 || offset < 0 {
            return Self {
                offset: 0,
                limit: 0,
            };
        }
        Self {
            offset: usize::try_from(offset).unwrap_or(usize::MAX),
            limit: usize::try_from(per_page).unwrap_or(0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::Params;
    use crate::release::ZammadVersion;

    fn page(query: &str) -> Page {
        let params = Params::from_parts("", b"", query).unwrap();
        let paging = ZammadVersion::V5_0.room().tickets.index_paging;
        Page::of(
            params.integer("page").unwrap(),
            params.integer("per_page").unwrap(),
            paging,
        )
    }

    #[test]
    fn without_both_paging_parameters_the_first_hundred_are_given() {
        assert_eq!(
            page(""),
            Page {
                offset: 0,
                limit: 100
            }
        );
        assert_eq!(
            page("page=3"),
            Page {
                offset: 0,
                limit: 100
            }
        );
        assert_eq!(
            page("per_page=5"),
            Page {
                offset: 0,
                limit: 100
            }
        );
    }

    #[test]
    fn page_and_per_page_give_offset_and_limit_like_zammad() {
        assert_eq!(
            page("page=3&per_page=20"),
            Page {
                offset: 40,
                limit: 20
            }
        );
        assert_eq!(
            page("page=2&per_page=500"),
            Page {
                offset: 100,
                limit: 100
            }
        );
        // Ruby's to_i: "2abc" is 2.
        assert_eq!(
            page("page=2abc&per_page=10"),
            Page {
                offset: 10,
                limit: 10
            }
        );
    }

    #[test]
    fn a_page_before_the_first_is_empty() {
        assert_eq!(
            page("page=0&per_page=10"),
            Page {
                offset: 0,
                limit: 0
            }
        );
        assert_eq!(
            page("page=1&per_page=-1"),
            Page {
                offset: 0,
                limit: 0
            }
        );
    }
}
