//! The rules of `GET|POST /api/v1/tickets/search` as a Zammad without Elasticsearch answers
//! it (`zammad-ticket-workflow.md` §7, §11.6): [`SearchRules`], one value per line in the
//! line's file. The domain (`tickets::search`) asks these; it never names a release.

use super::room::TicketCheck;
use super::Paging;

/// What a ticket search of one line does its own way.
#[derive(Debug)]
pub(crate) struct SearchRules {
    /// Which tickets a search may list (5.0's `Ticket.access_condition` / `TicketPolicy::BaseScope`,
    /// 6.5+'s `TicketPolicy::ReadScope` as `Ticket.search_params_pre` sets it).
    pub scope: TicketCheck,
    /// Whether a caller without `ticket.agent` and `ticket.customer` gets an empty result
    /// before anything else is read (6.5+'s `Ticket.search_preferences` answers false, and
    /// `CanSearch.search` returns before it checks the sort parameters).
    pub needs_ticket_permission: bool,
    /// How the query is compared with the title, number and article fields.
    pub text: TextMatch,
    /// Whether the result has one entry per matching article row (5.0's join without a
    /// grouping) rather than one per ticket.
    pub per_article_row: bool,
    /// Whether an empty (or `*`-only) query still joins the articles: 5.0 branches on
    /// `if query` (an empty string is true in Ruby); 6.5+ skip the query for a blank one.
    pub blank_query_joins_articles: bool,
    /// Whether a query makes the search ignore `condition` (5.0: the query branch has no
    /// `selector2sql`).
    pub query_drops_condition: bool,
    /// Whether `term` stands in for `query` and, with `label`, turns the answer into the
    /// label list (`ApplicationController::RendersModels#model_search_render`).
    pub term: bool,
    /// The shapes of the answer.
    pub answer: SearchAnswer,
    /// `paginate_with(max: 200, default: 50)`.
    pub paging: Paging,
}

/// How a search's text is compared (the SQL fallback's `LIKE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TextMatch {
    /// `LIKE` (5.0) rather than `ILIKE` (`where_or_cis`, 6.5+).
    pub case_sensitive: bool,
    /// Whether `%`, `_` and `\` in the text keep their `LIKE` meaning (5.0 puts the query
    /// into the pattern as it is); 6.5+ quote them (`SqlHelper.quote_like`).
    pub wildcards: bool,
}

/// The shapes a line's search answers in (spec §7.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SearchAnswer {
    /// 5.0's `TicketsController#search`: `expand` gives the records with names, anything
    /// else `{"tickets": [ids], "tickets_count": <entries>, "assets": {…}}`.
    Tickets,
    /// `model_search_render`: `only_total_count`, then `full`, then `expand`, then
    /// `term`/`label`, else the records; `with_total_count` wraps the last three in
    /// `{"records": …, "total_count": N}` where the line reads it.
    Models {
        /// Whether `with_total_count` is read (7.0+, Zammad issue #5687).
        with_total_count: bool,
    },
}
