//! `GET /api/v1/tickets`, Zammad's ticket index (`TicketsController#index`): the tickets in
//! the caller's read scope, by id, one page at a time, as plain records, with association
//! names (`expand`) or as `{record_ids, assets}` (`full`). Clients that list tickets use it,
//! and so does `capture --all`. Which tickets a caller may list, and how a page is chosen,
//! is the release's.

use crate::auth::Caller;
use crate::expand;
use crate::links::Cast;
use crate::model::ModelKind;
use crate::refusal::DomainError;
use crate::release::Paging;
use crate::render::{self, Viewer};
use crate::state::AppState;

use super::Asked;

/// `GET /api/v1/tickets`.
#[derive(Debug, Clone)]
pub struct ListTickets {
    /// `page`, as Ruby's `to_i` reads it.
    pub page: Cast<i64>,
    /// `per_page`, else `limit`, as Ruby's `to_i` reads them.
    pub per_page: Cast<i64>,
    /// The shapes asked for (`expand` first, then `full`).
    pub asked: Asked,
}

/// The page of tickets `request` asks for, in the shape it asks for.
///
/// # Errors
/// A parameter's refusal.
pub fn list(
    state: &AppState,
    request: &ListTickets,
    caller: &Caller,
) -> Result<String, DomainError> {
    let release = state.release();
    let rules = &release.room().tickets;
    let page = Page::of(
        request.page.clone()?,
        request.per_page.clone()?,
        rules.index_paging,
    );
    let view = state.view();
    let records = view.records();
    let tickets: Vec<_> = records
        .all_of(ModelKind::Ticket)
        .into_iter()
        .filter(|ticket| (rules.index_scope)(caller, records, ticket))
        .skip(page.offset)
        .take(page.limit)
        .collect();
    if request.asked.expand {
        let list: Vec<String> = tickets
            .iter()
            .map(|ticket| expand::ticket(ticket, records, release))
            .collect();
        return Ok(format!("[{}]", list.join(",")));
    }
    if request.asked.full {
        let ids: Vec<String> = tickets.iter().map(|t| t.id.to_string()).collect();
        let assets = render::assets_of(&tickets, records, release, Viewer::of(caller));
        return Ok(format!(
            "{{\"record_ids\":[{}],\"assets\":{assets}}}",
            ids.join(",")
        ));
    }
    let mut out = String::from("[");
    for (n, ticket) in tickets.iter().enumerate() {
        if n > 0 {
            out.push(',');
        }
        // `render json: tickets`: the table columns only.
        out.push_str(&render::ticket(ticket));
    }
    out.push(']');
    Ok(out)
}

/// Which slice of the listed tickets a request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Page {
    /// How many entries come before the page.
    pub(super) offset: usize,
    /// How many entries the page holds at most.
    pub(super) limit: usize,
}

impl Page {
    /// `CanPaginate::Pagination`: `limit` = `per_page` (else `limit`, else the default)
    /// cut to the most, `page` defaults to 1, offset = (page − 1) × limit; each counts on
    /// its own. Zammad hands a negative offset or limit to PostgreSQL, which refuses it (an
    /// unrescued error); the mock answers those pages as empty instead (a choice of the mock).
    pub(super) fn of(page: Option<i64>, per_page: Option<i64>, paging: Paging) -> Self {
        let limit = per_page
            .unwrap_or(paging.default_per_page)
            .min(paging.max_per_page);
        let offset = page.unwrap_or(1).saturating_sub(1).saturating_mul(limit);
        if limit < 0 || offset < 0 {
            return Self {
                offset: 0,
                limit: 0,
            };
        }
        Self {
            offset: usize::try_from(offset).unwrap_or(usize::MAX),
            limit: usize::try_from(limit).unwrap_or(0),
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
        let per_page = match params.to_i("per_page").unwrap() {
            Some(n) => Some(n),
            None => params.to_i("limit").unwrap(),
        };
        Page::of(params.to_i("page").unwrap(), per_page, paging)
    }

    fn at(offset: usize, limit: usize) -> Page {
        Page { offset, limit }
    }

    #[test]
    fn page_and_per_page_count_each_on_their_own() {
        assert_eq!(page(""), at(0, 100));
        assert_eq!(page("page=3"), at(200, 100));
        assert_eq!(page("per_page=5"), at(0, 5));
        assert_eq!(page("limit=5"), at(0, 5));
        assert_eq!(page("per_page=5&limit=7"), at(0, 5));
    }

    #[test]
    fn page_and_per_page_give_offset_and_limit_like_zammad() {
        assert_eq!(page("page=3&per_page=20"), at(40, 20));
        assert_eq!(page("page=2&per_page=500"), at(100, 100));
        // Ruby's to_i: "2abc" is 2, "abc" and "" are 0.
        assert_eq!(page("page=2abc&per_page=10"), at(10, 10));
        assert_eq!(page("per_page=abc"), at(0, 0));
        assert_eq!(page("per_page="), at(0, 0));
    }

    #[test]
    fn a_page_before_the_first_is_empty() {
        assert_eq!(page("page=0&per_page=10"), at(0, 0));
        assert_eq!(page("page=1&per_page=-1"), at(0, 0));
    }
}
