//! `GET /api/v1/tickets`, Zammad 5.0's ticket index: the tickets the caller may see, by id,
//! one page at a time, as plain attribute objects (no `expand`, no `full`). Clients that list
//! tickets use it, and so does `capture --all`. Authentication and rendering helpers are
//! `api`'s; which ticket a caller may see is `auth`'s.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};

use super::extract::{params, state, Body};
use super::{json_success, ApiError};
use crate::auth::Caller;
use crate::model::ModelKind;
use crate::params::Params;
use crate::render;

/// Tickets per page when the client does not page (`TicketsController#index`, Zammad 5.0).
pub(super) const DEFAULT_PER_PAGE: i64 = 100;
/// The largest page Zammad 5.0 hands out, whatever `per_page` asks for.
pub(super) const MAX_PER_PAGE: i64 = 100;

/// `GET /api/v1/tickets`: 200 with a JSON array of ticket attributes.
pub(super) async fn list_tickets(
    req: HttpRequest,
    body: Body,
    caller: Result<Caller, ApiError>,
) -> Result<HttpResponse, ApiError> {
    let caller = caller?;
    let state = state(&req)?;
    let params = params(&req, &body)?;
    let page = Page::from_params(&params)?;
    // Zammad 5.0 selects with `Ticket.access_condition(user, 'read')`; the mock uses the same
    // `TicketPolicy#show?` rule as the links filter, so that the index and the links list
    // never disagree about a ticket (they differ in Zammad only for an owner without group
    // access).
    let may_show = state.profile().may_show_ticket;
    let view = state.view();
    let mut out = String::from("[");
    let visible = view
        .records()
        .all_of(ModelKind::Ticket)
        .into_iter()
        .filter(|ticket| may_show(&caller, view.records(), ticket))
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
    Ok(json_success(StatusCode::OK, out))
}

/// Which slice of the visible tickets a request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Page {
    offset: usize,
    limit: usize,
}

impl Page {
    /// `TicketsController#index` (Zammad 5.0): `page` and `per_page` count only when both are
    /// given (each through Ruby's `to_i`); then offset = (page − 1) × per_page; per_page is cut
    /// to 100. Zammad hands a negative offset or limit to PostgreSQL, which refuses it with a
    /// 500; the mock answers those pages as empty instead (a choice of the mock).
    fn from_params(params: &Params<'_>) -> Result<Self, ApiError> {
        let (page, per_page) = match (params.integer("page")?, params.integer("per_page")?) {
            (Some(page), Some(per_page)) => (page, per_page),
            _ => (1, DEFAULT_PER_PAGE),
        };
        let per_page = per_page.min(MAX_PER_PAGE);
        let offset = page.saturating_sub(1).saturating_mul(per_page);
        if per_page < 0 || offset < 0 {
            return Ok(Self {
                offset: 0,
                limit: 0,
            });
        }
        Ok(Self {
            offset: usize::try_from(offset).unwrap_or(usize::MAX),
            limit: usize::try_from(per_page).unwrap_or(0),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(query: &str) -> Page {
        Page::from_params(&Params::from_parts("", b"", query).unwrap()).unwrap()
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
