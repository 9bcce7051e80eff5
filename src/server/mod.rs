//! Running: [`MockServer`] / [`MockServerBuilder`], the handle a Rust test (or the binary)
//! uses to start the mock on a port and stop it. The app itself is `api`'s.
//!
//! The server runs on a thread of its own with its own actix `System`, so it behaves the same
//! under `#[test]`, `#[tokio::test]` and `#[actix_rt::test]`. The listener is bound before
//! the thread starts, so [`MockServer::uri`] is right the moment `start` returns. Dropping
//! the handle stops the server, joins its thread and closes the database, in that order, so
//! that the database folder can be opened again the moment the handle is gone. Configuring
//! and starting is `builder`'s.

mod builder;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::thread::JoinHandle;

use actix_web::dev::ServerHandle;
use actix_web::web;

use crate::faults::{FaultRule, FaultStatus, Faults, FaultsError, FaultsFileError};
use crate::fixtures::FixtureDocument;
use crate::journal::{Journal, JournalEntry};
use crate::state::{AppState, MergeError};
use crate::store::StoreError;

/// Why the mock could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The address could not be bound (in use, not local, no permission).
    #[error("cannot listen on {address}")]
    Bind {
        /// The address.
        address: SocketAddr,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The database could not be opened or read.
    #[error("cannot use the database {location}")]
    Store {
        /// The folder, or "in memory".
        location: String,
        /// The cause.
        #[source]
        source: StoreError,
    },
    /// The server thread could not be started.
    #[error("cannot start the server thread")]
    Thread(#[source] std::io::Error),
    /// The fixture file cannot be read or is not a valid document.
    #[error(transparent)]
    Fixtures(#[from] crate::fixtures::FixtureFileError),
    /// A start-up fault rule (or the run-wide latency) is invalid; the error names the place.
    #[error("invalid fault rules")]
    Faults(#[source] FaultsError),
    /// The faults file (`--faults FILE`) cannot be read or is invalid.
    #[error(transparent)]
    FaultsFile(#[from] FaultsFileError),
    /// The admin API would be open to the network: anyone who reaches the port could replace
    /// or export the whole state, tokens included.
    #[error(
        "the admin API under /__mock/ would be open to anyone who can reach {address}; \
         set --admin-token TOKEN, or --no-admin, or --admin-open if an open admin API is meant"
    )]
    AdminOpenOnNetwork {
        /// The address asked for.
        address: SocketAddr,
    },
}

/// Where the database lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreMode {
    /// A sled folder that survives restarts.
    Dir(PathBuf),
    /// A temporary database, gone when the server stops.
    Memory,
}

/// A running mock. Dropping it stops the server.
///
/// ```
/// // Arrange: the default data set, in memory, on a free port.
/// let server = zammad_links_mock::MockServer::start();
/// // Act
/// let url = server.url("/api/v1/links?link_object=Ticket&link_object_value=147469");
/// // Assert
/// assert!(url.starts_with("http://127.0.0.1:"));
/// ```
#[derive(Debug)]
pub struct MockServer {
    address: SocketAddr,
    handle: ServerHandle,
    thread: Option<JoinHandle<std::io::Result<()>>>,
    state: web::Data<AppState>,
    journal: web::Data<Journal>,
    faults: web::Data<Faults>,
}

pub use builder::MockServerBuilder;

impl MockServer {
    /// The handle of a server the builder started.
    fn running(
        address: SocketAddr,
        handle: ServerHandle,
        thread: JoinHandle<std::io::Result<()>>,
        state: web::Data<AppState>,
        journal: web::Data<Journal>,
        faults: web::Data<Faults>,
    ) -> Self {
        Self {
            address,
            handle,
            thread: Some(thread),
            state,
            journal,
            faults,
        }
    }

    /// Starts the default data set in memory on a free loopback port.
    ///
    /// # Panics
    /// When no port can be bound.
    pub fn start() -> Self {
        Self::builder().start()
    }

    /// A builder for everything else.
    pub fn builder() -> MockServerBuilder {
        MockServerBuilder::default()
    }

    /// The address the server listens on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The base URL, `http://127.0.0.1:PORT`.
    pub fn uri(&self) -> String {
        format!("http://{}", self.address)
    }

    /// The URL of `path` on this server.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.uri(), path)
    }

    /// Goes back to the start-up fixtures and the start-up fault rules, like
    /// `POST /__mock/reset`.
    ///
    /// # Panics
    /// When the database fails, or the start-up fixture file (see
    /// [`MockServerBuilder::fixtures_file`]) changed or vanished since start-up.
    pub fn reset(&self) {
        let reset = self
            .state
            .reset()
            .and_then(|commit| Ok(commit.durable_blocking()?));
        match reset {
            Ok(()) => self.faults.reset(),
            Err(e @ crate::state::ReplaceError::Store(_)) => panic!(
                "zammad-links-mock: the database failed during reset: {}",
                crate::error_chain(&e)
            ),
            Err(e) => panic!(
                "zammad-links-mock: reset failed: {}",
                crate::error_chain(&e)
            ),
        }
    }

    /// Replaces the whole state with `doc`, like `PUT /__mock/fixtures`.
    ///
    /// ```
    /// use zammad_links_mock::{FixtureDocument, MockServer};
    ///
    /// // Arrange
    /// let server = MockServer::start();
    /// let doc = FixtureDocument::from_json(r#"{"Ticket": {"1": {"id": 1, "number": "1001"}}}"#).unwrap();
    /// // Act
    /// server.load_fixtures(&doc);
    /// // Assert
    /// assert_eq!(server.fixtures().records.len(), 1);
    /// ```
    ///
    /// # Panics
    /// When the database fails.
    pub fn load_fixtures(&self, doc: &FixtureDocument) {
        let replaced = self
            .state
            .replace(doc)
            .and_then(|commit| Ok(commit.durable_blocking()?));
        if let Err(e) = replaced {
            panic!(
                "zammad-links-mock: the database failed while loading fixtures: {}",
                crate::error_chain(&e)
            );
        }
    }

    /// Merges `doc` into the state, like `POST /__mock/fixtures`.
    ///
    /// # Errors
    /// When a link id of `doc` is already used by another link; nothing was applied.
    ///
    /// # Panics
    /// When the database fails.
    pub fn merge_fixtures(&self, doc: &FixtureDocument) -> Result<(), crate::FixtureError> {
        let merged = self
            .state
            .merge(doc)
            .and_then(|commit| Ok(commit.durable_blocking()?));
        match merged {
            Ok(()) => Ok(()),
            Err(MergeError::Conflict(e)) => Err(e),
            Err(e) => panic!("zammad-links-mock: {}", crate::error_chain(&e)),
        }
    }

    /// The whole state as a fixture document, like `GET /__mock/fixtures` (no passwords).
    ///
    /// # Panics
    /// When the database fails.
    pub fn fixtures(&self) -> FixtureDocument {
        let json = self
            .state
            .export_json()
            .expect("zammad-links-mock: the database failed during export");
        FixtureDocument::from_json(&json).expect("an export is a valid fixture document")
    }

    /// The request journal, oldest first, like `GET /__mock/requests`.
    ///
    /// ```
    /// use zammad_links_mock::MockServer;
    ///
    /// // Arrange
    /// let server = MockServer::start();
    /// // Act: nothing was called yet.
    /// let requests = server.requests();
    /// // Assert
    /// assert!(requests.is_empty());
    /// ```
    pub fn requests(&self) -> Vec<JournalEntry> {
        self.journal.entries()
    }

    /// Forgets the request journal, like `DELETE /__mock/requests`.
    pub fn clear_requests(&self) {
        self.journal.clear();
    }

    /// Adds a fault rule after the others, like `POST /__mock/faults`; its id.
    ///
    /// ```
    /// use zammad_links_mock::{Fault, FaultRule, MockServer, ZammadRoute};
    ///
    /// // Arrange
    /// let server = MockServer::start();
    /// // Act: the next link add answers Zammad's masked 500; the one after works.
    /// let id = server.add_fault(
    ///     FaultRule::new(Fault::InternalError { message: None })
    ///         .route(ZammadRoute::LinksAdd)
    ///         .times(1),
    /// );
    /// // Assert
    /// assert_eq!(server.faults()[0].id, id);
    /// ```
    ///
    /// # Panics
    /// When the rule is invalid (a status outside 200–599, a wait over
    /// [`MAX_WAIT_MS`](crate::MAX_WAIT_MS), a path under `/__mock/`, …); the message names it.
    pub fn add_fault(&self, rule: FaultRule) -> u64 {
        match self.faults.add(rule) {
            Ok(id) => id,
            Err(e) => panic!("zammad-links-mock: invalid fault rule: {e}"),
        }
    }

    /// Removes fault rule `id`, like `DELETE /__mock/faults/{id}`; whether there was one.
    pub fn remove_fault(&self, id: u64) -> bool {
        self.faults.remove(id)
    }

    /// Removes every fault rule, like `DELETE /__mock/faults` (the start-up ones come back
    /// with a reset).
    pub fn clear_faults(&self) {
        self.faults.clear();
    }

    /// The fault rules with their counts, in the order they are tried, like
    /// `GET /__mock/faults`.
    pub fn faults(&self) -> Vec<FaultStatus> {
        self.faults.list()
    }

    /// Blocks until the server stops (on SIGINT/SIGTERM when signals are handled), then
    /// flushes and closes the database.
    ///
    /// # Errors
    /// When the server failed or the final flush failed.
    pub fn wait(mut self) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        type WaitError = Box<dyn std::error::Error + Send + Sync>;
        let joined: Result<(), WaitError> = match self.thread.take().map(JoinHandle::join) {
            Some(Ok(result)) => result.map_err(Into::into),
            Some(Err(_)) => Err("the server thread panicked".into()),
            None => Ok(()),
        };
        let closed = self.state.close();
        joined?;
        Ok(closed?)
    }
}

impl Drop for MockServer {
    /// Stops the server, waits for its thread to end, then closes the database: the folder
    /// is free when the handle is gone, because closing gives it back (a worker thread may
    /// still drop its copy of the state a moment later).
    fn drop(&mut self) {
        let Some(thread) = self.thread.take() else {
            return;
        };
        // `stop` sends the command at once; the returned future only reports completion,
        // which joining the thread waits for anyway.
        drop(self.handle.stop(true));
        let _ = thread.join();
        if let Err(e) = self.state.close() {
            log::error!("closing the database failed: {}", crate::error_chain(&e));
        }
    }
}
