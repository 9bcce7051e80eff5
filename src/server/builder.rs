//! [`MockServerBuilder`]: every option of a mock, and the one start-up path the binary and
//! the tests share — refuse a bad configuration, read the faults file, bind, open the
//! database over the start-up fixtures, then run the app on a thread of its own.

use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::mpsc;

use actix_web::{web, HttpServer};

use super::{MockServer, StartError, StoreMode};
use crate::api::{AdminAccess, Wiring};
use crate::faults::{Delay, FaultRule, Faults};
use crate::fixtures::FixtureDocument;
use crate::journal::{Journal, DEFAULT_LIMIT};
use crate::release::ZammadVersion;
use crate::state::{AppState, OpenError};
use crate::store::Store;

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
        Ok(MockServer::running(
            address, handle, thread, state, journal, faults,
        ))
    }
}
