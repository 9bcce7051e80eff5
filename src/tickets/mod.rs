//! Zammad's ticket rules around the links (spec §7): `GET /api/v1/tickets/:id` in the shapes
//! a client asks for (the plain record, `expand=true`, `full=true`, `all=true` with its
//! `links`), the ticket index (`index`), and `GET /api/v1/users/me`. Clients fetch a ticket
//! to learn its number before linking it, and `capture --all` walks the index. The tickets
//! an integration links are created (`create`, with `links`: `create_links`), changed
//! (`update`), merged (`merge`, its links in `merge_links`) and deleted (`delete`) here
//! too, with their articles (`articles`); the
//! attributes' cleaning, the customer, a new record's shape, the ticket policy and the
//! numbers each have a room (`attributes`, `customer`, `shape`, `policy`, `numbers`). The
//! ticket search, as a Zammad without Elasticsearch answers it, is a room of its own
//! (`search`).
//!
//! Like `links`, each call takes a typed request and the caller, and answers a body or a
//! reason ([`Refusal`]); what differs between releases (the policy, the order of the shapes,
//! paging) is the release's. HTTP is `api`'s; bodies are written by `render` and `expand`.

mod articles;
mod attributes;
mod create;
mod create_links;
mod customer;
mod delete;
mod index;
mod merge;
mod merge_links;
pub(crate) mod numbers;
mod policy;
mod search;
mod shape;
mod update;

use std::sync::Arc;

pub use articles::{list as list_articles, ListArticles};
pub use create::{create, CreateTicket};
pub use delete::delete;
pub use index::{list, ListTickets};
pub use merge::{is_merged, merge, MergeTickets};
pub use search::{search, SearchTickets};
pub use update::{update, UpdateTicket};

use crate::auth::Caller;
use crate::expand;
use crate::links;
use crate::model::ModelKind;
use crate::params::Params;
use crate::records::Stored;
use crate::refusal::{DomainError, Refusal};
use crate::release::{Shape, ZammadVersion};
use crate::render::{self, Viewer};
use crate::state::{AppState, View};

/// Which shapes a request asked for, each flag read as the release reads a boolean.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Asked {
    /// `expand`.
    pub expand: bool,
    /// `full`.
    pub full: bool,
    /// `all`.
    pub all: bool,
}

impl Asked {
    /// The flags of `params`, as `release` reads them.
    pub fn from_params(params: &Params<'_>, release: ZammadVersion) -> Self {
        let booleans = release.room().booleans;
        Self {
            expand: params.is_true("expand", booleans),
            full: params.is_true("full", booleans),
            all: params.is_true("all", booleans),
        }
    }

    fn has(self, shape: Shape) -> bool {
        match shape {
            Shape::Expand => self.expand,
            Shape::Full => self.full,
            Shape::All => self.all,
        }
    }

    /// The shape answered: the first asked for in the release's order, if any.
    fn shape(self, release: ZammadVersion) -> Option<Shape> {
        release
            .room()
            .tickets
            .show_order
            .into_iter()
            .find(|shape| self.has(*shape))
    }
}

/// `GET /api/v1/tickets/:id`.
#[derive(Debug, Clone, Copy)]
pub struct ShowTicket<'a> {
    /// The id as the path gave it (`Ticket.find` reads it as an integer).
    pub id: &'a str,
    /// The shapes asked for.
    pub asked: Asked,
}

/// `GET /api/v1/tickets/:id`, as `TicketsController#show`: find (`TicketNotFound`),
/// `authorize!(ticket, :show?)` (`NotAuthorized`), then the first shape asked for in the
/// release's order, or the plain record.
///
/// # Errors
/// [`Refusal::TicketNotFound`], [`Refusal::NotAuthorized`], or a database failure when the
/// links of `all=true` had to create the name `Ticket`.
pub async fn show(
    state: &AppState,
    request: &ShowTicket<'_>,
    caller: &Caller,
) -> Result<String, DomainError> {
    let release = state.release();
    let viewer = Viewer::of(caller);
    let find = |view: &View<'_>| -> Result<Arc<Stored>, Refusal> {
        let record = request
            .id
            .parse::<i64>()
            .ok()
            .and_then(|id| view.records().get(ModelKind::Ticket, id))
            .ok_or_else(|| Refusal::TicketNotFound {
                id: request.id.to_owned(),
            })?;
        if !release.may_show_ticket(caller, view.records(), &record) {
            return Err(Refusal::NotAuthorized);
        }
        Ok(record)
    };
    let shape = request.asked.shape(release);
    if shape != Some(Shape::All) {
        let view = state.view();
        let record = find(&view)?;
        return Ok(match shape {
            Some(Shape::Expand) => expand::ticket(&record, view.records(), release),
            Some(Shape::Full) => render::full(&record, view.records(), release, viewer),
            Some(Shape::All) | None => render::ticket(&record),
        });
    }
    // The ticket is found again in the view its links are read in, so that both come from
    // the same state.
    let id = find(&state.view())?.id;
    links::list_visible(state, Some("Ticket"), Some(id), caller, |list, view| {
        let record = find(view)?;
        Ok::<_, DomainError>(render::ticket_all(
            &record,
            list,
            view.records(),
            release,
            viewer,
        ))
    })
    .await?
}

/// The answer of a create or an update (spec §2.10): the first shape asked for in the
/// release's order, else the ticket's record exactly as assets show it (its columns and
/// `*_ids`, `attributes_with_association_ids`).
async fn answer(
    state: &AppState,
    id: i64,
    asked: Asked,
    caller: &Caller,
) -> Result<String, DomainError> {
    let release = state.release();
    let viewer = Viewer::of(caller);
    let find = |view: &View<'_>| {
        view.records()
            .get(ModelKind::Ticket, id)
            .ok_or_else(|| Refusal::TicketNotFound { id: id.to_string() })
    };
    let shape = asked.shape(release);
    if shape != Some(Shape::All) {
        let view = state.view();
        let record = find(&view)?;
        return Ok(match shape {
            Some(Shape::Expand) => expand::ticket(&record, view.records(), release),
            Some(Shape::Full) => render::full(&record, view.records(), release, viewer),
            Some(Shape::All) | None => record.json().to_owned(),
        });
    }
    links::list_visible(state, Some("Ticket"), Some(id), caller, |list, view| {
        let record = find(view)?;
        Ok::<_, DomainError>(render::ticket_all(
            &record,
            list,
            view.records(),
            release,
            viewer,
        ))
    })
    .await?
}

/// The core workflow's checks of a screen (`CoreWorkflow::Attributes`, spec §2.9, §4.4):
/// `state_id` must be one of the states the screen offers (`allowed`, by name) or the
/// ticket's `current` one, and a pending state needs a `pending_time`.
fn core_workflow(
    tx: &crate::state::WriteTx<'_>,
    release: ZammadVersion,
    caller: &Caller,
    attrs: &serde_json::Map<String, serde_json::Value>,
    allowed: &[&str],
    current: Option<i64>,
) -> Result<(), DomainError> {
    let state = attrs.get("state_id").and_then(serde_json::Value::as_i64);
    let name = state
        .and_then(|id| crate::seeds::Lookup::State.name(tx.records(), release.room().seeds, id))
        .unwrap_or_default();
    let detailed = caller.is_admin();
    if state != current && !allowed.contains(&name.as_str()) {
        return Err(crate::refusal::TicketRefusal::CoreWorkflowInvalid {
            field: "state_id",
            value: state.map_or_else(String::new, |id| id.to_string()),
            detailed,
        }
        .into());
    }
    let pending_time = attrs.get("pending_time").filter(|t| !t.is_null());
    if name.starts_with("pending") && pending_time.is_none() {
        return Err(crate::refusal::TicketRefusal::CoreWorkflowMissing {
            field: "pending_time",
            detailed,
        }
        .into());
    }
    Ok(())
}

/// `GET /api/v1/users/me` (`UsersController#me`): with `expand` the association names, with
/// `full` `{id, assets}` (`User.full`), else the caller's own attributes; never the password.
pub fn me(state: &AppState, asked: Asked, caller: &Caller) -> String {
    let release = state.release();
    let view = state.view();
    if asked.expand {
        expand::user(&caller.user, view.records(), release)
    } else if asked.full {
        render::full(&caller.user, view.records(), release, Viewer::of(caller))
    } else {
        caller.user.json().to_string()
    }
}

/// A ticket record's `state_id` (update's follow-up check and merge's "already merged" read
/// it without parsing the whole record).
fn state_id(ticket: &crate::records::Record) -> Option<i64> {
    #[derive(serde::Deserialize)]
    struct State {
        state_id: Option<i64>,
    }
    serde_json::from_str::<State>(ticket.json())
        .ok()
        .and_then(|s| s.state_id)
}
