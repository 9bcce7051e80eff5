//! The two small name tables behind every link: Zammad's `link_types` and `link_objects`.
//!
//! Zammad looks both up by name and creates a missing name on first use
//! (`Link.link_type_get` / `Link.link_object_get` in `app/models/link.rb`), so ids depend on
//! which name was used first. This module owns those ids and the JSON text of each name, so
//! that responses can be assembled without escaping strings on the hot path. Persisting a
//! newly created name is left to the caller (the write path in `state`).

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::RwLock;

use crate::graph::Side;
use crate::model::{LinkObjectId, LinkTypeId, ModelKind};

/// Zammad's seeded link types: `db/seeds/links.rb` creates only `normal`.
pub const SEEDED_TYPES: [&str; 1] = ["normal"];
/// Zammad's seeded link objects, ids 1 to 5 (`db/seeds/links.rb`).
pub const SEEDED_OBJECTS: [&str; 5] = ["Ticket", "Announcement", "Question/Answer", "Idea", "Bug"];
/// Zammad's `name` columns are `varchar(250)`.
pub const MAX_NAME_CHARS: usize = 250;

/// One name with its JSON rendering and, for link objects, the model it names.
#[derive(Debug)]
struct Name {
    text: Box<str>,
    model: Option<ModelKind>,
    /// Parts of a `links` entry, rendered once ("rendered name JSON"): as a type,
    /// `{"link_type":<name>,` as the row's target sees it, and with the inverse name as its
    /// source sees it; as an object, `"link_object":<name>,"link_object_value":`.
    as_target: Box<str>,
    as_source: Box<str>,
    as_object: Box<str>,
}

/// A table of names indexed by id (id 0 is never used, as in a database sequence).
#[derive(Debug, Default, Clone)]
struct NameTable {
    names: Vec<Option<Arc<Name>>>,
    /// Hashed with a per-process random seed: names come from requests (an unknown
    /// `link_object` is created), so a crafted set must not pile into one bucket; foldhash
    /// rather than SipHash, which was most of a list's name lookup.
    by_name: HashMap<Box<str>, u16, foldhash::fast::RandomState>,
}

impl NameTable {
    fn insert(&mut self, id: u16, text: &str) {
        let json = serde_json::Value::String(text.to_owned()).to_string();
        let index = usize::from(id);
        if self.names.len() <= index {
            self.names.resize(index + 1, None);
        }
        let inverse = match inverse_type_name(text) {
            Some(inverse) => serde_json::Value::String(inverse.to_owned()).to_string(),
            None => "null".to_owned(),
        };
        self.names[index] = Some(Arc::new(Name {
            text: text.into(),
            model: ModelKind::from_class_name(text),
            as_target: format!("{{\"link_type\":{json},").into(),
            as_source: format!("{{\"link_type\":{inverse},").into(),
            as_object: format!("\"link_object\":{json},\"link_object_value\":").into(),
        }));
        self.by_name.insert(text.into(), id);
    }

    fn next_id(&self) -> Option<u16> {
        u16::try_from(self.names.len().max(1)).ok()
    }

    fn get(&self, id: u16) -> Option<&Name> {
        self.names.get(usize::from(id))?.as_deref()
    }
}

/// An immutable view of both tables, cheap to share with a request.
#[derive(Debug, Default, Clone)]
pub struct Names {
    types: NameTable,
    objects: NameTable,
}

/// What Zammad shows for a link type seen from the row's *source*: `Link.list` maps the name
/// with `@map` (normal→normal, parent→child, child→parent) and shows `null` for anything else.
pub fn inverse_type_name(name: &str) -> Option<&'static str> {
    match name {
        "normal" => Some("normal"),
        "parent" => Some("child"),
        "child" => Some("parent"),
        _ => None,
    }
}

impl Names {
    /// The id of link type `name`, if it exists.
    pub fn type_id(&self, name: &str) -> Option<LinkTypeId> {
        self.types.by_name.get(name).copied().map(LinkTypeId)
    }

    /// The id of link object `name`, if it exists.
    #[inline]
    pub fn object_id(&self, name: &str) -> Option<LinkObjectId> {
        self.objects.by_name.get(name).copied().map(LinkObjectId)
    }

    /// The name of link type `id`.
    pub fn type_name(&self, id: LinkTypeId) -> Option<&str> {
        self.types.get(id.0).map(|name| &*name.text)
    }

    /// The name of link object `id`.
    pub fn object_name(&self, id: LinkObjectId) -> Option<&str> {
        self.objects.get(id.0).map(|name| &*name.text)
    }

    /// The model whose class link object `id` names (Zammad's `safe_constantize`), if any.
    #[inline]
    pub fn object_model(&self, id: LinkObjectId) -> Option<ModelKind> {
        self.objects.get(id.0).and_then(|name| name.model)
    }

    /// The start of a `links` entry for a row of link type `id` seen from its `side`:
    /// `{"link_type":<name>,` (the inverse name, or `null`, from the source).
    #[inline]
    pub fn entry_type(&self, id: LinkTypeId, side: Side) -> &str {
        match (self.types.get(id.0), side) {
            (Some(name), Side::Target) => &name.as_target,
            (Some(name), Side::Source) => &name.as_source,
            (None, _) => "{\"link_type\":null,",
        }
    }

    /// The middle of a `links` entry pointing at link object `id`:
    /// `"link_object":<name>,"link_object_value":`.
    #[inline]
    pub fn entry_object(&self, id: LinkObjectId) -> &str {
        self.objects
            .get(id.0)
            .map_or("\"link_object\":null,\"link_object_value\":", |name| {
                &name.as_object
            })
    }

    /// Every link type as `(id, name)`, by id.
    pub fn types(&self) -> impl Iterator<Item = (LinkTypeId, &str)> {
        self.types
            .names
            .iter()
            .enumerate()
            .filter_map(|(id, name)| Some((LinkTypeId(id as u16), &*name.as_ref()?.text)))
    }

    /// Every link object as `(id, name)`, by id.
    pub fn objects(&self) -> impl Iterator<Item = (LinkObjectId, &str)> {
        self.objects
            .names
            .iter()
            .enumerate()
            .filter_map(|(id, name)| Some((LinkObjectId(id as u16), &*name.as_ref()?.text)))
    }
}

/// Why a name could not be created.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum CatalogError {
    /// All 65,535 ids of a table are taken.
    #[error("too many distinct {0} names")]
    Full(&'static str),
    /// The name is longer than Zammad's `varchar(250)` column; PostgreSQL refuses it.
    #[error("value too long for type character varying(250)")]
    TooLong,
}

/// A name created by [`Catalog::ensure_type`] or [`Catalog::ensure_object`], to be persisted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NewName {
    /// A new `link_types` row.
    Type(LinkTypeId, String),
    /// A new `link_objects` row.
    Object(LinkObjectId, String),
}

/// The shared catalog: readers take a snapshot, writers (holding the state's writer lock)
/// replace it copy-on-write, so a request never sees a half-made table.
#[derive(Debug, Default)]
pub struct Catalog {
    names: RwLock<Arc<Names>>,
}

impl Catalog {
    /// A catalog with Zammad's seeded types and objects only.
    pub fn seeded() -> Self {
        let catalog = Self::default();
        catalog.replace(
            SEEDED_TYPES
                .iter()
                .enumerate()
                .map(|(i, n)| (i as u16 + 1, n.to_string())),
            SEEDED_OBJECTS
                .iter()
                .enumerate()
                .map(|(i, n)| (i as u16 + 1, n.to_string())),
        );
        catalog
    }

    /// Replaces both tables (used at load time).
    pub fn replace(
        &self,
        types: impl IntoIterator<Item = (u16, String)>,
        objects: impl IntoIterator<Item = (u16, String)>,
    ) {
        let mut names = Names::default();
        for (id, name) in types {
            names.types.insert(id, &name);
        }
        for (id, name) in objects {
            names.objects.insert(id, &name);
        }
        *self.names.write() = Arc::new(names);
    }

    /// Puts back tables taken with [`Catalog::snapshot`] (a failed write's names go).
    ///
    /// Locking: the write lock; callers hold the state's writer lock.
    pub fn restore(&self, names: Arc<Names>) {
        *self.names.write() = names;
    }

    /// The current tables.
    ///
    /// Locking: takes the read lock only long enough to clone an `Arc`.
    #[inline]
    pub fn snapshot(&self) -> Arc<Names> {
        self.names.read().clone()
    }

    /// The id of link type `name`, creating it when missing, as `Link.link_type_get` does.
    /// A blank name is never created: Zammad's `validates :name, presence: true` refuses it,
    /// and the caller then works with a missing id.
    ///
    /// Locking: takes the write lock; callers hold the state's writer lock so ids stay in order.
    pub fn ensure_type(
        &self,
        name: &str,
        created: &mut Vec<NewName>,
    ) -> Result<Option<LinkTypeId>, CatalogError> {
        self.ensure(name, created, true)
            .map(|id| id.map(LinkTypeId))
    }

    /// The id of link object `name`, creating it when missing (`Link.link_object_get`).
    ///
    /// Locking: as [`Catalog::ensure_type`].
    pub fn ensure_object(
        &self,
        name: &str,
        created: &mut Vec<NewName>,
    ) -> Result<Option<LinkObjectId>, CatalogError> {
        self.ensure(name, created, false)
            .map(|id| id.map(LinkObjectId))
    }

    fn ensure(
        &self,
        name: &str,
        created: &mut Vec<NewName>,
        is_type: bool,
    ) -> Result<Option<u16>, CatalogError> {
        if name.trim().is_empty() {
            return Ok(None);
        }
        if name.chars().count() > MAX_NAME_CHARS {
            return Err(CatalogError::TooLong);
        }
        let mut guard = self.names.write();
        let table = |names: &Names| {
            if is_type {
                names.types.clone()
            } else {
                names.objects.clone()
            }
        };
        if let Some(id) = if is_type {
            guard.types.by_name.get(name)
        } else {
            guard.objects.by_name.get(name)
        } {
            return Ok(Some(*id));
        }
        let mut new_table = table(&guard);
        let what = if is_type { "link type" } else { "link object" };
        let id = new_table.next_id().ok_or(CatalogError::Full(what))?;
        new_table.insert(id, name);
        let mut names = Names::clone(&guard);
        if is_type {
            names.types = new_table;
            created.push(NewName::Type(LinkTypeId(id), name.to_owned()));
        } else {
            names.objects = new_table;
            created.push(NewName::Object(LinkObjectId(id), name.to_owned()));
        }
        *guard = Arc::new(names);
        Ok(Some(id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_catalog_has_zammads_ids() {
        let names = Catalog::seeded().snapshot();
        assert_eq!(names.type_id("normal"), Some(LinkTypeId(1)));
        assert_eq!(names.object_id("Ticket"), Some(LinkObjectId(1)));
        assert_eq!(names.object_id("Bug"), Some(LinkObjectId(5)));
    }

    #[test]
    fn first_use_creates_the_next_id_and_reports_it() {
        let catalog = Catalog::seeded();
        let mut created = Vec::new();
        let parent = catalog.ensure_type("parent", &mut created).unwrap();
        let again = catalog.ensure_type("parent", &mut created).unwrap();
        assert_eq!(parent, Some(LinkTypeId(2)));
        assert_eq!(again, parent);
        assert_eq!(created, vec![NewName::Type(LinkTypeId(2), "parent".into())]);
    }

    #[test]
    fn blank_names_are_never_created() {
        let catalog = Catalog::seeded();
        let mut created = Vec::new();
        assert_eq!(catalog.ensure_object("", &mut created).unwrap(), None);
        assert!(created.is_empty());
    }

    #[test]
    fn source_side_shows_the_inverse_or_null() {
        let catalog = Catalog::seeded();
        let mut created = Vec::new();
        let parent = catalog
            .ensure_type("parent", &mut created)
            .unwrap()
            .unwrap();
        let related = catalog
            .ensure_type("related", &mut created)
            .unwrap()
            .unwrap();
        let names = catalog.snapshot();
        assert_eq!(
            names.entry_type(related, Side::Target),
            r#"{"link_type":"related","#
        );
        assert_eq!(
            names.entry_type(parent, Side::Source),
            r#"{"link_type":"child","#
        );
        assert_eq!(
            names.entry_type(parent, Side::Target),
            r#"{"link_type":"parent","#
        );
        assert_eq!(
            names.entry_type(related, Side::Source),
            r#"{"link_type":null,"#
        );
        assert_eq!(
            names.entry_type(LinkTypeId(999), Side::Target),
            r#"{"link_type":null,"#
        );
        let ticket = names.object_id("Ticket").unwrap();
        assert_eq!(
            names.entry_object(ticket),
            r#""link_object":"Ticket","link_object_value":"#
        );
        assert_eq!(
            names.entry_object(LinkObjectId(999)),
            r#""link_object":null,"link_object_value":"#
        );
    }
}
