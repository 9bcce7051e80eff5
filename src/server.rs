//! Running: [`MockServer`] / [`MockServerBuilder`], the handle a Rust test (or the binary)
//! uses to start the mock on a port and stop it. The app itself is `api`'s.
//!
//! The server runs on a thread of its own with its own actix `System`, so it behaves the same
//! under `#[test]`, `#[tokio::test]` and `#[actix_rt::test]`. The listener is bound before
//! the thread starts, so [`MockServer::uri`] is right the moment `start` returns. Dropping
//! the handle stops the server, joins its thread and closes the database, in that order, so
//! that the database folder can be opened again the moment the handle is gone.

use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::mpsc;
use std::thread::JoinHandle;

use actix_web::dev::ServerHandle;
use actix_web::{web, HttpServer};

use crate::api::{AdminAccess, Wiring};
use crate::faults::{Delay, FaultRule, FaultStatus, Faults, FaultsError, FaultsFileError};
use crate::fixtures::FixtureDocument;
use crate::journal::{Journal, JournalEntry, DEFAULT_LIMIT};
use crate::release::ZammadVersion;
use crate::state::{AppState, MergeError, OpenError};
use crate::store::{Store, StoreError};

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

/// Configures and starts a [`MockServer`].
#[derive(Debug, Clone)]
pub struct MockServerBuilder {
    fixtures: Option<FixtureDocument>,
    fixtures_file: Option<PathBuf>,
    store: StoreMode,
    bind: SocketAddr,
    reset: bool,
    workers: usize,
    handle_signals: bool,
    admin: AdminAccess,
    journal_limit: usize,
    max_body_bytes: usize,
    admin_open_on_network: bool,
    release: ZammadVersion,
    faults: Vec<FaultRule>,
    faults_file: Option<PathBuf>,
    latency: Option<Delay>,
}

impl Default for MockServerBuilder {
    fn default() -> Self {
        Self {
            fixtures: None,
            fixtures_file: None,
            store: StoreMode::Memory,
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            reset: false,
            workers: 1,
            handle_signals: false,
            admin: AdminAccess::Open,
            journal_limit: DEFAULT_LIMIT,
            max_body_bytes: crate::api::DEFAULT_MAX_BODY_BYTES,
            admin_open_on_network: false,
            release: ZammadVersion::default(),
            faults: Vec::new(),
            faults_file: None,
            latency: None,
        }
    }
}

impl MockServerBuilder {
    /// Serve `doc` instead of the default data set.
    pub fn fixtures(mut self, doc: FixtureDocument) -> Self {
        self.fixtures = Some(doc);
        self.fixtures_file = None;
        self
    }

    /// Serve the fixture file at `path` instead of the default data set (`--fixtures`).
    ///
    /// The file is streamed into an empty database (or with [`reset`](Self::reset)) without
    /// being held in memory, and checked on other starts; a file that is unreadable or
    /// invalid anywhere stops the start ([`StartError::Fixtures`]). A reset reads it again,
    /// and is refused if it changed or vanished since start-up.
    pub fn fixtures_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.fixtures_file = Some(path.into());
        self.fixtures = None;
        self
    }

    /// Keep the database in folder `path` (default: a temporary, in-memory database).
    pub fn db_dir(mut self, path: impl Into<PathBuf>) -> Self {
        self.store = StoreMode::Dir(path.into());
        self
    }

    /// Where the database lives.
    pub fn store(mut self, mode: StoreMode) -> Self {
        self.store = mode;
        self
    }

    /// Answer as Zammad `version` (default: the seed's line): its refusals, validations, authorization,
    /// assets and, unless [`fixtures`](Self::fixtures) gives a document, its default data set.
    pub fn zammad_version(mut self, version: ZammadVersion) -> Self {
        self.release = version;
        self
    }

    /// Listen on `address` (default: a free port on 127.0.0.1).
    pub fn bind(mut self, address: SocketAddr) -> Self {
        self.bind = address;
        self
    }

    /// Load the fixtures into the database even when it already holds data.
    pub fn reset(mut self, reset: bool) -> Self {
        self.reset = reset;
        self
    }

    /// Worker threads (default 1).
    pub fn workers(mut self, workers: usize) -> Self {
        self.workers = workers.max(1);
        self
    }

    /// Who may use the admin API under `/__mock/` (default: anyone).
    pub fn admin(mut self, access: AdminAccess) -> Self {
        self.admin = access;
        self
    }

    /// Allow an open admin API ([`AdminAccess::Open`]) on an address other than loopback
    /// (default: refused, see [`StartError::AdminOpenOnNetwork`]).
    pub fn admin_open_on_network(mut self, allow: bool) -> Self {
        self.admin_open_on_network = allow;
        self
    }

    /// Keep at most `limit` journal entries (default 1000; 0 turns the journal off).
    pub fn journal_limit(mut self, limit: usize) -> Self {
        self.journal_limit = limit;
        self
    }

    /// The largest request body of a Zammad API call (default 1 MiB); larger ones get 413.
    pub fn max_body_bytes(mut self, limit: usize) -> Self {
        self.max_body_bytes = limit;
        self
    }

    /// A fault rule from the start (after those of [`faults_file`](Self::faults_file)); a
    /// reset brings it back. Rules are checked when the server starts.
    ///
    /// ```
    /// use zammad_links_mock::{Fault, FaultRule, MockServer, ZammadRoute};
    ///
    /// // Arrange: every second list call answers 429 with `Retry-After: 2`.
    /// let server = MockServer::builder()
    ///     .fault(
    ///         FaultRule::new(Fault::TooManyRequests { retry_after: Some(2) })
    ///             .route(ZammadRoute::LinksIndex)
    ///             .fraction(0.5, 42),
    ///     )
    ///     .start();
    /// // Act
    /// let rules = server.faults();
    /// // Assert
    /// assert_eq!((rules[0].id, rules[0].fired), (1, 0));
    /// ```
    pub fn fault(mut self, rule: FaultRule) -> Self {
        self.faults.push(rule);
        self
    }

    /// Fault rules from the start, after those already given.
    pub fn faults(mut self, rules: impl IntoIterator<Item = FaultRule>) -> Self {
        self.faults.extend(rules);
        self
    }

    /// The fault rules of the faults document at `path` (`--faults FILE`, `{"faults": […]}`),
    /// first among the start-up rules. The file is read once, when the server starts; a bad
    /// one stops the start ([`StartError::FaultsFile`]).
    pub fn faults_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.faults_file = Some(path.into());
        self
    }

    /// Delay every Zammad call by `delay` (`--latency`), as a slow network would; the admin
    /// API is never delayed. A reset keeps it.
    pub fn latency(mut self, delay: Delay) -> Self {
        self.latency = (delay != Delay::Fixed(0)).then_some(delay);
        self
    }

    /// Stop gracefully on SIGINT/SIGTERM (the binary does; tests don't).
    pub fn handle_signals(mut self, on: bool) -> Self {
        self.handle_signals = on;
        self
    }

    /// Starts the server.
    ///
    /// # Panics
    /// When it cannot start; the message says why. Use [`MockServerBuilder::try_start`] to
    /// handle that instead.
    pub fn start(self) -> MockServer {
        match self.try_start() {
            Ok(server) => server,
            Err(e) => panic!(
                "zammad-links-mock could not start: {}",
                crate::error_chain(&e)
            ),
        }
    }

    /// Starts the server.
    ///
    /// # Errors
    /// [`StartError`] when the address cannot be bound, the database cannot be used, or the
    /// admin API would be open on a network address.
    pub fn try_start(self) -> Result<MockServer, StartError> {
        // Before anything else: a refused configuration should bind nothing.
        if self.admin == AdminAccess::Open
            && !self.bind.ip().is_loopback()
            && !self.admin_open_on_network
        {
            return Err(StartError::AdminOpenOnNetwork { address: self.bind });
        }
        // A bad faults file stops the start before the port is bound, as a bad option does.
        let mut rules = match &self.faults_file {
            Some(path) => crate::faults::read_faults_file(path)?,
            None => Vec::new(),
        };
        rules.extend(self.faults);
        let faults = web::Data::new(Faults::new(rules, self.latency).map_err(StartError::Faults)?);
        // Bind first: a busy port should fail at once, not after loading a big data set.
        let listener = TcpListener::bind(self.bind).map_err(|source| StartError::Bind {
            address: self.bind,
            source,
        })?;
        let address = listener.local_addr().map_err(|source| StartError::Bind {
            address: self.bind,
            source,
        })?;

        let (store, location) = match &self.store {
            StoreMode::Dir(path) if self.reset => {
                (Store::open_for_reset(path), path.display().to_string())
            }
            StoreMode::Dir(path) => (Store::open(path), path.display().to_string()),
            StoreMode::Memory => (Store::temporary(), "in memory".to_owned()),
        };
        let store_error = |source| StartError::Store {
            location: location.clone(),
            source,
        };
        let store = store.map_err(store_error)?;
        let state = match (self.fixtures_file, self.fixtures) {
            (Some(path), _) => AppState::open_file(store, &path, self.reset, self.release)
                .map_err(|e| match e {
                    OpenError::Fixtures(e) => StartError::Fixtures(e),
                    OpenError::Store(e) => store_error(e),
                })?,
            (None, fixtures) => {
                let fixtures =
                    fixtures.unwrap_or_else(|| FixtureDocument::default_data_of(self.release));
                AppState::open(store, fixtures, self.reset, self.release).map_err(store_error)?
            }
        };
        let state = web::Data::new(state);
        let journal = web::Data::new(Journal::with_limit(self.journal_limit));
        let wiring = Wiring {
            state: state.clone(),
            journal: journal.clone(),
            faults: faults.clone(),
            admin: self.admin,
            max_body_bytes: self.max_body_bytes,
        };
        let (handle_tx, handle_rx) = mpsc::channel();
        let (workers, signals) = (self.workers, self.handle_signals);
        let thread = std::thread::Builder::new()
            .name(format!("zammad-links-mock-{}", address.port()))
            .spawn(move || -> std::io::Result<()> {
                let system = actix_web::rt::System::new();
                system.block_on(async move {
                    let mut server = HttpServer::new(move || crate::api::app(wiring.clone()))
                        .workers(workers)
                        .shutdown_timeout(if signals { 30 } else { 1 })
                        .listen(listener)?;
                    if !signals {
                        server = server.disable_signals();
                    }
                    let server = server.run();
                    let _ = handle_tx.send(server.handle());
                    server.await
                })
            })
            .map_err(StartError::Thread)?;
        let handle = handle_rx.recv().map_err(|_| {
            StartError::Thread(std::io::Error::other(
                "the server thread ended before it served",
            ))
        })?;
        Ok(MockServer {
            address,
            handle,
            thread: Some(thread),
            state,
            journal,
            faults,
        })
    }
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

impl MockServer {
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
