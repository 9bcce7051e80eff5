//! `zammad-links-mock`: the Zammad helpdesk's Links REST API (`GET /api/v1/links`,
//! `POST /api/v1/links/add`, `DELETE /api/v1/links/remove`) and the ticket calls around it,
//! answered exactly as the Zammad release you choose ([`ZammadVersion`]; by default the line
//! of the user's example) does, from memory, with every write persisted in sled.
//!
//! Start it in a test on a free port, with the default data set (the user's example from a
//! real Zammad) or fixtures of your own; it stops when the handle is dropped:
//!
//! ```
//! use zammad_links_mock::MockServer;
//!
//! // Arrange
//! let server = MockServer::start();
//! // Act: any HTTP client; here a plain TCP request, to need no client in this example.
//! use std::io::{Read, Write};
//! let mut stream = std::net::TcpStream::connect(server.address()).unwrap();
//! stream
//!     .write_all(b"GET /__mock/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
//!     .unwrap();
//! let mut answer = String::new();
//! stream.read_to_string(&mut answer).unwrap();
//! // Assert
//! assert!(answer.starts_with("HTTP/1.1 200"));
//! assert!(answer.ends_with("{\"status\":\"ok\"}"));
//! ```
//!
//! Cargo features: `cli` (default) is the binary's command line (clap, env_logger, a progress
//! bar) and implies `capture`, which is `capture()`: a real Zammad read into a fixture
//! document over HTTP(S) (reqwest, rustls, rayon). A test that only wants [`MockServer`]
//! compiles none of them:
//!
//! ```toml
//! [dev-dependencies]
//! zammad-links-mock = { path = "…", default-features = false }
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod api;
mod assets;
mod attributes;
mod auth;
#[cfg(feature = "cli")]
mod banner;
#[cfg(feature = "capture")]
mod capture;
mod catalog;
#[cfg(feature = "cli")]
#[doc(hidden)]
pub mod cli;
mod expand;
mod faults;
mod fixtures;
mod generate;
mod graph;
#[cfg(feature = "cli")]
mod health;
mod journal;
mod links;
mod model;
mod neighbourhood;
mod params;
mod records;
mod refusal;
mod release;
mod render;
mod seeds;
mod server;
mod state;
mod store;
mod tickets;

pub use api::AdminAccess;
#[cfg(feature = "capture")]
pub use capture::{
    capture, CaCertError, CaptureError, CaptureOptions, CaptureProgress, Captured, ClientError,
    Credentials,
};
pub use faults::{
    read_faults_file, CallerMatch, Delay, DelayParseError, Fault, FaultRule, FaultStatus,
    FaultsError, FaultsFileError, HoldEnd, PathMatch, ZammadRoute, MAX_WAIT_MS,
};
pub use fixtures::{FixtureDocument, FixtureError, FixtureFileError, FixtureLink, FixtureRecord};
pub use generate::{write_document, GenerateError, Spec as GenerateSpec};
pub use journal::{JournalEntry, JournalFault};
pub use model::{ApiToken, Millis, ModelKind};
pub use records::{Fields, Record};
pub use release::{UnknownVersion, ZammadVersion};
pub use server::{MockServer, MockServerBuilder, StartError, StoreMode};

/// The default data set (`data/default.json`): the user's example plus what makes it usable,
/// as a fixture document's JSON text (the default release's; each release line has its own,
/// [`ZammadVersion::default_data`]).
pub const DEFAULT_DATA: &str = fixtures::DEFAULT_DATA;

/// The crate's insides for its own benches and examples; not a stable API.
#[doc(hidden)]
pub mod internals {
    pub use crate::assets::AssetsBuilder;
    pub use crate::auth::AssetLevel;
    pub use crate::catalog::Catalog;
    pub use crate::generate::Rng;
    pub use crate::graph::{Edge, LinkGraph, Side};
    pub use crate::links::LinkList;
    pub use crate::model::{LinkObjectId, LinkRow, LinkTypeId, ObjectRef};
    pub use crate::records::{RecordStore, Stored};
    pub use crate::render::{links_response, Viewer};
    pub use crate::state::{write_document, AppState, Commit, MergeError, ReplaceError, View};
    pub use crate::store::{Store, StoreError, WriteSet, ATOMIC_BATCH_OPS};
}

/// An error and all its causes on one line, `outer: cause: root cause`: the one formatter of
/// error chains, for logs and for the binary's last words.
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
