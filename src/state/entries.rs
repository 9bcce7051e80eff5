//! A fixture entry as the state stores it, in one place for every road in: a fixture link's
//! names get their ids ([`link_ends`], created in the order `Link.add` creates them) and it
//! becomes a row ([`fixture_row`]), whether a whole document is loaded (`load`) or merged
//! into the running state (`documents`).

use crate::catalog::{Catalog, CatalogError, NewName};
use crate::fixtures::FixtureLink;
use crate::model::{LinkObjectId, LinkRow, LinkTypeId, Millis, ObjectRef};

/// Where a fixture link's names get their ids: a write transaction, or the catalog being
/// built for a whole document.
pub(super) trait EnsureNames {
    /// The id of link type `name`, created when missing; `None` for a blank name.
    fn ensure_type(&mut self, name: &str) -> Result<Option<LinkTypeId>, CatalogError>;
    /// The id of link object `name`, created when missing; `None` for a blank name.
    fn ensure_object(&mut self, name: &str) -> Result<Option<LinkObjectId>, CatalogError>;
}

impl EnsureNames for super::WriteTx<'_> {
    fn ensure_type(&mut self, name: &str) -> Result<Option<LinkTypeId>, CatalogError> {
        super::WriteTx::ensure_type(self, name)
    }

    fn ensure_object(&mut self, name: &str) -> Result<Option<LinkObjectId>, CatalogError> {
        super::WriteTx::ensure_object(self, name)
    }
}

/// A catalog being built for a whole document, with the names it created, in order.
pub(super) struct NewCatalog {
    pub(super) catalog: Catalog,
    pub(super) created: Vec<NewName>,
}

impl NewCatalog {
    /// Zammad's seeded names, none created yet.
    pub(super) fn seeded() -> Self {
        Self {
            catalog: Catalog::seeded(),
            created: Vec::new(),
        }
    }
}

impl EnsureNames for NewCatalog {
    fn ensure_type(&mut self, name: &str) -> Result<Option<LinkTypeId>, CatalogError> {
        self.catalog.ensure_type(name, &mut self.created)
    }

    fn ensure_object(&mut self, name: &str) -> Result<Option<LinkObjectId>, CatalogError> {
        self.catalog.ensure_object(name, &mut self.created)
    }
}

/// The ends of fixture link `link`, its names' ids created when missing (type, then
/// source, then target, as `Link.add` creates them); `None` when a name is blank.
pub(super) fn link_ends(
    link: &FixtureLink,
    names: &mut impl EnsureNames,
) -> Result<Option<(LinkTypeId, ObjectRef, ObjectRef)>, CatalogError> {
    let link_type = names.ensure_type(&link.link_type)?;
    let source = names.ensure_object(&link.source_object)?;
    let target = names.ensure_object(&link.target_object)?;
    Ok(match (link_type, source, target) {
        (Some(t), Some(s), Some(o)) => Some((
            t,
            ObjectRef::new(s, link.source_value),
            ObjectRef::new(o, link.target_value),
        )),
        _ => None,
    })
}

/// The row of fixture link `link` between `ends`, with id `id`; timestamps default to `now`
/// (`updated_at` to `created_at`).
pub(super) fn fixture_row(
    link: &FixtureLink,
    (link_type, source, target): (LinkTypeId, ObjectRef, ObjectRef),
    id: u64,
    now: Millis,
) -> LinkRow {
    let created_at = link.created_at.unwrap_or(now);
    LinkRow {
        id,
        link_type,
        source,
        target,
        created_at,
        updated_at: link.updated_at.unwrap_or(created_at),
    }
}
