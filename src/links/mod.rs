//! Zammad's link rules: list, add and remove as `LinksController` and the `Link` model do
//! them, over typed requests that name every parameter a call reads.
//!
//! A request carries each parameter already cast to its column type (`Cast`); a cast that
//! failed is reported at the point where Zammad reads that parameter, so refusals come in
//! Zammad's order (permission first, then the parameters in the order the action reads them).
//! Refusals are reasons ([`Refusal`]); what differs between Zammad releases comes from the
//! state's release (`release::LinkRules`). HTTP is `api`'s; writing is one transaction of
//! `state`.

mod rules;

use std::borrow::Cow;
use std::sync::Arc;

use smallvec::SmallVec;

use crate::auth::Caller;
use crate::catalog::{inverse_type_name, Names};
use crate::graph::Edge;
use crate::model::{LinkObjectId, LinkRow, LinkTypeId, Millis, ModelKind, ObjectRef};
use crate::params::ParamsError;
use crate::records::Stored;
use crate::refusal::{DomainError, Refusal};
use crate::release::{Duplicates, ZammadVersion};
use crate::state::{AppState, View};

pub use rules::LinkEnds;
use rules::PolicyEnd;

/// A parameter cast to its column type: absent (`Ok(None)`), a value, or a cast that failed.
pub type Cast<T> = Result<Option<T>, ParamsError>;

/// `GET /api/v1/links`.
#[derive(Debug)]
pub struct ListLinks<'a> {
    /// `link_object`: the object's name (`Ticket`).
    pub object: Option<Cow<'a, str>>,
    /// `link_object_value`: the record id.
    pub value: Cast<i64>,
}

/// `POST /api/v1/links/add`.
#[derive(Debug)]
pub struct AddLink<'a> {
    /// `link_type`.
    pub link_type: Option<Cow<'a, str>>,
    /// `link_object_source`: the source object's name.
    pub source_object: Option<Cow<'a, str>>,
    /// `link_object_source_number` as text: a ticket's *number*.
    pub source_number: Option<Cow<'a, str>>,
    /// `link_object_source_number` as an integer: a knowledge-base translation's id.
    pub source_id: Cast<i64>,
    /// `link_object_target`: the target object's name.
    pub target_object: Option<Cow<'a, str>>,
    /// `link_object_target_value`: the target's id.
    pub target_value: Cast<i64>,
    /// The target as the links policy's pattern match sees it, `[name, id, nil]` inspected
    /// as Ruby shows what was sent (the message of its refusal).
    pub target_shown: String,
    /// The source likewise, `[name, nil, number]`.
    pub source_shown: String,
}

/// A link end's object or type in `DELETE /api/v1/links/remove`: by name when the name's
/// key was sent at all (even as null), else by the raw id column (`link_object_source_id`,
/// `link_type_id`, …), since `Link.remove` receives the whole `params`.
#[derive(Debug)]
pub enum NameOrId<'a> {
    /// The name's key was sent.
    Name(Option<Cow<'a, str>>),
    /// Only the id column, if at all.
    Id(Cast<i64>),
}

/// `DELETE /api/v1/links/remove`.
#[derive(Debug)]
pub struct RemoveLink<'a> {
    /// The link type.
    pub link_type: NameOrId<'a>,
    /// The source's object.
    pub source_object: NameOrId<'a>,
    /// `link_object_source_value`.
    pub source_value: Cast<i64>,
    /// The target's object.
    pub target_object: NameOrId<'a>,
    /// `link_object_target_value`.
    pub target_value: Cast<i64>,
    /// The target as the links policy's pattern match sees it (see [`AddLink`]).
    pub target_shown: String,
}

/// What an add answers: the stored row, or, where the release's controller answers a row
/// its validator refused, that row unsaved (no id, no timestamps; nothing stored).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Added {
    /// The new row.
    Stored(LinkRow),
    /// The refused row as the controller renders it.
    Unsaved {
        /// `link_type_id`.
        link_type: LinkTypeId,
        /// `link_object_source_id` and `link_object_source_value`.
        source: ObjectRef,
        /// `link_object_target_id` and `link_object_target_value`.
        target: ObjectRef,
    },
}

/// The links of one object, filtered for the caller, with the records they point at.
#[derive(Debug)]
pub struct LinkList {
    /// The name tables the entries refer to.
    pub names: Arc<Names>,
    /// Each entry with its linked record, when that exists. (Most objects have a handful of
    /// links: up to eight are kept without an allocation.)
    pub entries: SmallVec<[(Edge, Option<Arc<Stored>>); 8]>,
}

/// `GET /api/v1/links`: the links of the object that the caller may see (`Link.list` with
/// `user:`), handed to `answer` with the view they were read in, so that the answer is built
/// from the same state as the list.
///
/// # Errors
/// [`Refusal::NotAuthorized`], a parameter's refusal, or a database failure when an unknown
/// object name had to be created.
pub async fn list<T>(
    state: &AppState,
    request: &ListLinks<'_>,
    caller: &Caller,
    answer: impl FnOnce(&LinkList, &View<'_>) -> T,
) -> Result<T, DomainError> {
    if !rules::may_use_links(caller) {
        return Err(Refusal::NotAuthorized.into());
    }
    let value = request.value.clone()?;
    let links = &state.release().room().links;
    if links.policy.as_ref().is_some_and(|p| p.index.is_some()) {
        // Only a line that checks the list takes a view for it.
        rules::authorize_list(
            links,
            caller,
            state.view().records(),
            request.object.as_deref(),
            value,
        )?;
    }
    list_visible(state, request.object.as_deref(), value, caller, answer).await
}

/// The links of (`object`, `value`) that `caller` may see, with no permission gate of its
/// own (`Link.list` with `user:`, also used by `GET /api/v1/tickets/:id?all=true`), handed
/// to `answer` with the view they were read in.
///
/// # Errors
/// A database failure when an unknown object name had to be created.
pub async fn list_visible<T>(
    state: &AppState,
    object: Option<&str>,
    value: Option<i64>,
    caller: &Caller,
    answer: impl FnOnce(&LinkList, &View<'_>) -> T,
) -> Result<T, DomainError> {
    let mut view = state.view();
    let mut names = view.names();
    if let Some(name) = object.filter(|name| names.object_id(name).is_none()) {
        // `Link.link_object_get` creates an unknown name even when only listing. (The view
        // is let go first: the write waits for every view to close.)
        drop(view);
        // Boxed: the rare path's flush future would otherwise make every list's future (and
        // so the per-request allocation actix makes for it) larger.
        Box::pin(create_object_name(state, name)).await?;
        view = state.view();
        names = view.names();
    }
    let list = visible_links(&view, names, object, value, caller, state.release());
    Ok(answer(&list, &view))
}

/// Creates link object `name` (`Link.link_object_get`), durable once it returns.
async fn create_object_name(state: &AppState, name: &str) -> Result<(), DomainError> {
    state
        .write(|tx| tx.ensure_object(name).map_err(DomainError::from))?
        .durable()
        .await?;
    Ok(())
}

fn visible_links(
    view: &View<'_>,
    names: Arc<Names>,
    object: Option<&str>,
    value: Option<i64>,
    caller: &Caller,
    release: ZammadVersion,
) -> LinkList {
    let object_id = object.and_then(|name| names.object_id(name));
    let (Some(object_id), Some(value)) = (object_id, value) else {
        return LinkList {
            names,
            entries: SmallVec::new(),
        };
    };
    let records = view.records();
    // Read in place under the view: no write changes the graph while a view is open.
    let entries = view
        .graph()
        .read_edges(ObjectRef::new(object_id, value), |edges| {
            edges
                .iter()
                .filter_map(|edge| {
                    let record = names
                        .object_model(edge.other_object)
                        .and_then(|kind| records.get(kind, edge.other_value));
                    // Entries whose record doesn't exist stay; existing tickets are checked with
                    // `TicketPolicy#show?` (`Link.list`).
                    let visible = match &record {
                        Some(r) if r.kind == ModelKind::Ticket => {
                            release.may_show_ticket(caller, records, r)
                        }
                        _ => true,
                    };
                    visible.then_some((*edge, record))
                })
                .collect()
        });
    LinkList { names, entries }
}

/// `POST /api/v1/links/add`, as `LinksController#add` and `Link.add` do it. On success, the
/// new row (or the unsaved one, see [`Added`]). Both ends are touched before the row is
/// created, so a refused duplicate has touched them too.
///
/// # Errors
/// [`DomainError`] with Zammad's reason.
pub async fn add(
    state: &AppState,
    request: &AddLink<'_>,
    caller: &Caller,
) -> Result<Added, DomainError> {
    if !rules::may_use_links(caller) {
        return Err(Refusal::NotAuthorized.into());
    }
    let rules = &state.release().room().links;
    let now = Millis::now();
    let outcome = state.write(|tx| {
        let target_value = request.target_value.clone()?;
        let source_id = request.source_id.clone()?;
        rules::authorize(
            rules,
            caller,
            tx.records(),
            PolicyEnd::of(
                request.target_object.as_deref(),
                target_value,
                None,
                &request.target_shown,
            ),
            Some(PolicyEnd::of(
                request.source_object.as_deref(),
                source_id,
                request.source_number.as_deref(),
                &request.source_shown,
            )),
        )?;
        // The source is looked up by ticket *number*, a KB translation by id
        // (`links_controller.rb#add`); any other object is "No such object!".
        let source = match request.source_object.as_deref() {
            Some("Ticket") => request
                .source_number
                .as_deref()
                .and_then(|number| tx.records().ticket_by_number(number)),
            Some("KnowledgeBase::Answer::Translation") => {
                source_id.and_then(|id| tx.records().get(ModelKind::KbAnswerTranslation, id))
            }
            _ => None,
        };
        let (Some(source), Some(source_name)) = (source, request.source_object.as_deref()) else {
            return Err(Refusal::NoSuchObject.into());
        };
        let target_name = request.target_object.as_deref();
        let link_type = match request.link_type.as_deref() {
            Some(name) => tx.ensure_type(name)?,
            None => None,
        };
        let source_object = tx.ensure_object(source_name)?;
        tx.touch(source.kind, source.id, now);
        let target_object = match target_name {
            Some(name) => tx.ensure_object(name)?,
            None => None,
        };
        // `touch_reference_by_params` skips a target that doesn't exist.
        if let (Some(kind), Some(value)) = (
            target_name.and_then(ModelKind::from_class_name),
            target_value,
        ) {
            tx.touch(kind, value, now);
        }
        let ends = LinkEnds {
            link_type,
            source: source_object.map(|object| ObjectRef::new(object, source.id)),
            target_object,
            target_value,
        };
        let graph = tx.graph();
        let exists = |t, s, o| !graph.find(t, s, o).is_empty();
        // The model's validators refuse before the INSERT, so before an id is drawn; the
        // database refuses a missing column or (without a validator) a duplicate after
        // PostgreSQL drew the id, which is then used up.
        match rules::validate(ends, rules, exists) {
            Ok(()) => {}
            Err(Refusal::LinkExists) if rules.duplicates == Duplicates::AnsweredUnsaved => {
                let (Some(link_type), Some(source), Some(object), Some(value)) = (
                    ends.link_type,
                    ends.source,
                    ends.target_object,
                    ends.target_value,
                ) else {
                    unreachable!("a duplicate has every column");
                };
                return Ok(Ok(Added::Unsaved {
                    link_type,
                    source,
                    target: ObjectRef::new(object, value),
                }));
            }
            Err(refused) => return Ok(Err(refused)),
        }
        let id = tx.link_id(None);
        let row = rules::insert(ends, id, now, rules, exists);
        if let Ok(row) = &row {
            tx.add_link(*row);
        }
        Ok::<_, DomainError>(row.map(Added::Stored))
    })?;
    // A refused row (and the touches before it) is a committed write too: Zammad touched
    // both ends before it tried the insert.
    Ok(outcome.durable().await??)
}

/// `DELETE /api/v1/links/remove`, as `Link.remove(params)` does it: delete the rows stored
/// exactly as passed, then the rows stored the other way round with the inverse type.
/// Answers the rows of the second match only (what `destroy_all` returns).
///
/// # Errors
/// [`Refusal::NotAuthorized`], a parameter's refusal or a database failure.
pub async fn remove(
    state: &AppState,
    request: &RemoveLink<'_>,
    caller: &Caller,
) -> Result<Vec<LinkRow>, DomainError> {
    if !rules::may_use_links(caller) {
        return Err(Refusal::NotAuthorized.into());
    }
    let source_value = request.source_value.clone()?;
    let target_value = request.target_value.clone()?;
    let now = Millis::now();
    let rules = &state.release().room().links;
    let removed = state.write(|tx| {
        // `links_controller_policy.rb#remove?` checks the target only; a target given by
        // its id column has no name to match, which the policy's pattern match refuses.
        let target_name = match &request.target_object {
            NameOrId::Name(name) => name.as_deref(),
            NameOrId::Id(_) => None,
        };
        let target = PolicyEnd::of(target_name, target_value, None, &request.target_shown);
        rules::authorize(rules, caller, tx.records(), target, None)?;
        let mut object = |end: &NameOrId<'_>| -> Result<Option<LinkObjectId>, DomainError> {
            Ok(match end {
                NameOrId::Name(Some(name)) => tx.ensure_object(name)?,
                NameOrId::Name(None) => None,
                NameOrId::Id(id) => rules::raw_id(id.clone()?).map(LinkObjectId),
            })
        };
        let source_object = object(&request.source_object)?;
        let target_object = object(&request.target_object)?;
        let (link_type, inverse_type) = match &request.link_type {
            NameOrId::Name(name) => {
                let forward = match name {
                    Some(name) => tx.ensure_type(name)?,
                    None => None,
                };
                let inverse = match name.as_deref().and_then(inverse_type_name) {
                    Some(name) => tx.ensure_type(name)?,
                    None => None,
                };
                (forward, inverse)
            }
            NameOrId::Id(id) => {
                let id = rules::raw_id(id.clone()?).map(LinkTypeId);
                (id, id)
            }
        };
        let ends = match (source_object, source_value, target_object, target_value) {
            (Some(so), Some(sv), Some(to), Some(tv)) => {
                Some((ObjectRef::new(so, sv), ObjectRef::new(to, tv)))
            }
            _ => None,
        };
        let graph = tx.graph();
        let (first, second) = match ends {
            Some((source, target)) => rules::remove_matches(
                link_type.map(|t| graph.find(t, source, target)),
                inverse_type.map(|t| graph.find(t, target, source)),
            ),
            None => Default::default(),
        };
        let names = tx.names();
        let mut rows = Vec::new();
        for id in first.iter().chain(&second) {
            if let Some(row) = tx.stored_link(*id)? {
                rows.push(row);
            }
        }
        for row in &rows {
            tx.remove_link(*row);
            // `after_destroy :touch_link_references` touches both ends of every row, each
            // record once per write.
            for end in [row.source, row.target] {
                if let Some(kind) = names.object_model(end.object) {
                    if !tx.has_written(kind, end.value) {
                        tx.touch(kind, end.value, now);
                    }
                }
            }
        }
        rows.retain(|row| second.contains(&row.id));
        Ok::<_, DomainError>(rows)
    })?;
    Ok(removed.durable().await?)
}

#[cfg(test)]
mod tests;
