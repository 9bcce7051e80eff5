//! `GET|POST /api/v1/tickets/search` as a Zammad without Elasticsearch answers it
//! (`zammad-ticket-workflow.md` §7, §11.6): the SQL fallback of `app/models/ticket/search.rb`
//! (5.0) and `app/models/concerns/can_search.rb` (6.5+), in one pass over the tickets in
//! the caller's scope.
//!
//! A ticket matches a query when its title or number, or the body, `from`, `to` or subject
//! of one of its articles, contains it (the SQL joins the articles, so a ticket without
//! any never matches; an id in `article_ids` without a record counts as an article row
//! that matches only through the ticket, spec §11.2). Field syntax (`number:34147470`) is
//! Elasticsearch's and is matched literally. What differs between lines — the scope, the
//! comparison, one entry per article row, the shapes — is the release's (`SearchRules`);
//! the text comparison is `text`'s, `condition` is `condition`'s, the order `order`'s, the
//! bodies `answer`'s, and `raw` reads the stored records without parsing them.
//!
//! Cost: linear in the records (one scan collects the tickets, each in scope is read once,
//! its articles only when its title and number do not match), sorting only the matches;
//! nothing is allocated per ticket once the scratch buffers have grown.

mod answer;
mod condition;
mod order;
mod raw;
mod text;

use std::ops::Range;
use std::sync::Arc;

use condition::{Condition, Test};
use order::{compare_raw, Columns, Order};
use text::{Pattern, Scratch};

use super::index::Page;
use crate::auth::Caller;
use crate::model::ModelKind;
use crate::params::Params;
use crate::records::{RecordStore, Stored};
use crate::refusal::DomainError;
use crate::release::SearchRules;
use crate::render::Viewer;
use crate::state::AppState;

/// `GET|POST /api/v1/tickets/search`: its merged parameters (`query`, `term`, `label`,
/// `condition`, `sort_by`, `order_by`, `page`, `per_page`, `limit`, `expand`, `full`,
/// `with_total_count`, `only_total_count`).
#[derive(Debug, Clone, Copy)]
pub struct SearchTickets<'a> {
    /// The request's parameters.
    pub params: &'a Params<'a>,
}

/// `TicketsController#search`: the page of matching tickets in the shape asked for.
///
/// # Errors
/// A parameter's refusal, an invalid sort column or direction, a condition Zammad cannot
/// read or the mock does not evaluate.
pub fn search(
    state: &AppState,
    request: &SearchTickets<'_>,
    caller: &Caller,
) -> Result<String, DomainError> {
    let release = state.release();
    let rules = &release.room().search;
    let params = request.params;
    let asked = answer::Asked::of(params, release);
    let viewer = Viewer::of(caller);
    let view = state.view();
    let records = view.records();
    // `CanSearch.search` returns before it reads any parameter when `search_preferences`
    // says no (6.5+); the controller answers an empty result.
    if rules.needs_ticket_permission && !caller.is_ticket_agent() && !caller.is_ticket_customer() {
        return Ok(answer::body(
            &answer::Found::default(),
            asked,
            records,
            release,
            viewer,
        ));
    }
    let page = Page::of(
        params.to_i("page")?,
        match params.to_i("per_page")? {
            None => params.to_i("limit")?,
            given => given,
        },
        rules.paging,
    );
    let tickets = records.unordered_of(ModelKind::Ticket);
    let sample = tickets.iter().min_by_key(|t| t.id);
    let columns = Columns::of(release, sample.map(|s| s.record()));
    let detailed = caller.is_admin();
    let order = Order::from_params(params, &columns, detailed)?;
    let query = query(params, rules);
    let condition = if rules.query_drops_condition && query.is_some() {
        // 5.0: the query's branch of the SQL fallback has no `selector2sql`.
        Condition::Everything
    } else {
        Condition::parse(
            params.value("condition").as_deref(),
            &columns,
            caller,
            rules.text,
            detailed,
        )?
    };
    let pattern = query
        .filter(|q| !q.is_empty() || rules.blank_query_joins_articles)
        .map(|q| Pattern::new(&q, rules.text));
    let search = Search {
        records,
        caller,
        rules,
        pattern: pattern.as_ref(),
        condition: &condition,
        order: &order,
    };
    let found = search.run(&tickets, page);
    Ok(answer::body(&found, asked, records, release, viewer))
}

/// The query (`query`, else `term` where the line reads it), `*` removed; `None` when
/// neither was sent (or null, or a structure: `Hash#delete('*')` gives nil in 6.5+).
fn query(params: &Params<'_>, rules: &SearchRules) -> Option<String> {
    let text = params
        .string("query")
        .or_else(|| rules.term.then(|| params.string("term")).flatten())?;
    Some(text.replace('*', ""))
}

/// One search's rules and inputs.
struct Search<'s> {
    records: &'s RecordStore,
    caller: &'s Caller,
    rules: &'s SearchRules,
    pattern: Option<&'s Pattern>,
    condition: &'s Condition,
    order: &'s Order,
}

/// A matching ticket: its record, how many entries it makes (5.0: its matching article
/// rows), and where its sort keys start in the kept spans.
struct Hit {
    ticket: Arc<Stored>,
    entries: usize,
    keys: usize,
}

/// The keys read from a ticket before its sort columns and its condition's columns.
const TITLE: usize = 0;
const ARTICLE_IDS: usize = 1;
const FIXED: usize = 2;

/// The article fields a query is compared with.
const ARTICLE_FIELDS: [&str; 4] = ["body", "from", "to", "subject"];

impl Search<'_> {
    /// The matches, ordered, and the entries of `page`.
    fn run(&self, tickets: &[Arc<Stored>], page: Page) -> answer::Found {
        if matches!(self.condition, Condition::Nothing) {
            return answer::Found::default();
        }
        let sorts = self.order.keys.len();
        let tests: Vec<&Test> = match self.condition {
            Condition::All(tests) => tests.iter().collect(),
            Condition::Everything | Condition::Nothing => Vec::new(),
        };
        let mut wanted: Vec<&str> = vec!["title", "article_ids"];
        wanted.extend(self.order.keys.iter().map(|(column, _)| column.as_str()));
        wanted.extend(self.condition.columns());
        // With a query and no condition, a ticket is read only as far as its title and, from
        // the end, its article ids; its sort keys once it matched.
        let read_all = self.pattern.is_none() || !tests.is_empty();
        let mut spans: Vec<Option<Range<usize>>> = vec![None; wanted.len()];
        let mut kept: Vec<Option<Range<usize>>> = Vec::new();
        let mut hits: Vec<Hit> = Vec::new();
        let mut scratch = Scratch::default();
        let mut decoded = String::new();
        for ticket in tickets {
            if !(self.rules.scope)(self.caller, self.records, ticket) {
                continue;
            }
            let json = ticket.json();
            spans.fill(None);
            if read_all {
                raw::fields(json, &wanted, &mut spans);
            } else {
                spans[ARTICLE_IDS] = raw::list_near_end(json, "article_ids").or_else(|| {
                    let mut ids = [None];
                    raw::fields(json, &wanted[ARTICLE_IDS..=ARTICLE_IDS], &mut ids);
                    ids[0].clone()
                });
            }
            let passes = tests.iter().enumerate().all(|(n, test)| {
                let value = spans[FIXED + sorts + n].clone().map(|r| &json[r]);
                let value = value.and_then(|v| raw::text(v, &mut decoded));
                test.holds(value, &mut scratch)
            });
            if !passes {
                continue;
            }
            let entries = match self.pattern {
                None => 1,
                Some(pattern) => self.entries(ticket, &spans, pattern, &mut scratch, &mut decoded),
            };
            if entries == 0 {
                continue;
            }
            if !read_all && sorts > 0 {
                raw::fields(json, &wanted, &mut spans);
            }
            hits.push(Hit {
                ticket: Arc::clone(ticket),
                entries,
                keys: kept.len(),
            });
            kept.extend_from_slice(&spans[FIXED..FIXED + sorts]);
        }
        self.sort(&mut hits, &kept);
        let total = hits.len();
        answer::Found {
            listed: entries_of(&hits, page),
            total,
        }
    }

    /// How many entries `ticket` makes for `pattern`: 0 without a matching article row;
    /// else 1, or (5.0) one per matching article row — every row when the ticket's own
    /// title or number matches.
    fn entries(
        &self,
        ticket: &Stored,
        spans: &[Option<Range<usize>>],
        pattern: &Pattern,
        scratch: &mut Scratch,
        decoded: &mut String,
    ) -> usize {
        let json = ticket.json();
        let ids = spans[ARTICLE_IDS].clone().map_or("[]", |r| &json[r]);
        let rows = raw::ids(ids).count();
        if rows == 0 {
            return 0;
        }
        let per_row = self.rules.per_article_row;
        if !pattern.absent_from(json) {
            let title = spans[TITLE].clone().or_else(|| {
                let mut title = [None];
                raw::fields(json, &["title"], &mut title);
                title[0].clone()
            });
            let title_matches = title
                .and_then(|r| raw::text(&json[r], decoded))
                .is_some_and(|t| pattern.matches(t, scratch));
            let mut number_matches = || {
                ticket
                    .fields
                    .number
                    .as_deref()
                    .is_some_and(|n| pattern.matches(n, scratch))
            };
            if title_matches || number_matches() {
                return if per_row { rows } else { 1 };
            }
        }
        let mut found = [None, None, None, None];
        let mut matching = 0;
        for id in raw::ids(ids) {
            // An id without a record (the data set's) matches only through the ticket.
            let Some(article) = self.records.get(ModelKind::TicketArticle, id) else {
                continue;
            };
            let text = article.json();
            if pattern.absent_from(text) {
                continue;
            }
            found.fill(None);
            raw::fields(text, &ARTICLE_FIELDS, &mut found);
            let hit = found.iter().any(|span| {
                span.clone()
                    .and_then(|r| raw::text(&text[r], decoded))
                    .is_some_and(|t| pattern.matches(t, scratch))
            });
            if hit {
                matching += 1;
                if !per_row {
                    break;
                }
            }
        }
        matching
    }

    /// Orders `hits` by the order's columns, NULL as PostgreSQL orders it, ties by id (a
    /// choice: PostgreSQL leaves ties in no particular order).
    fn sort(&self, hits: &mut [Hit], kept: &[Option<Range<usize>>]) {
        fn value<'h>(hit: &'h Hit, kept: &[Option<Range<usize>>], n: usize) -> Option<&'h str> {
            kept[hit.keys + n].clone().map(|r| &hit.ticket.json()[r])
        }
        let keys = &self.order.keys;
        hits.sort_by(|a, b| {
            for (n, (_, descending)) in keys.iter().enumerate() {
                let ordering = compare_raw(value(a, kept, n), value(b, kept, n));
                let ordering = if *descending {
                    ordering.reverse()
                } else {
                    ordering
                };
                if ordering.is_ne() {
                    return ordering;
                }
            }
            a.ticket.id.cmp(&b.ticket.id)
        });
    }
}

/// The entries of `page` (`offset`, `limit`), each hit making its number of entries.
fn entries_of(hits: &[Hit], page: Page) -> Vec<Arc<Stored>> {
    let mut skip = page.offset;
    let mut left = page.limit;
    let mut out = Vec::with_capacity(left.min(hits.len()));
    for hit in hits {
        if left == 0 {
            break;
        }
        if skip >= hit.entries {
            skip -= hit.entries;
            continue;
        }
        let take = (hit.entries - skip).min(left);
        skip = 0;
        left -= take;
        out.extend(std::iter::repeat_n(&hit.ticket, take).cloned());
    }
    out
}
