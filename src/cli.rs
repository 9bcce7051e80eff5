//! The command line: options as typed as clap can make them, each also settable by an
//! environment variable, and their resolution into a [`MockServerBuilder`]. Reading files
//! happens here (the fixture file); everything else is left to `server`.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;

use crate::api::AdminAccess;
use crate::fixtures::{FixtureDocument, FixtureFileError};
use crate::server::{MockServerBuilder, StoreMode};

/// The environment variables the options read.
const ENV_VARS: [&str; 9] = [
    "ZAMMAD_MOCK_MAX_BODY_BYTES",
    "ZAMMAD_MOCK_BIND",
    "ZAMMAD_MOCK_FIXTURES",
    "ZAMMAD_MOCK_DB",
    "ZAMMAD_MOCK_IN_MEMORY",
    "ZAMMAD_MOCK_RESET",
    "ZAMMAD_MOCK_ADMIN_TOKEN",
    "ZAMMAD_MOCK_NO_ADMIN",
    "ZAMMAD_MOCK_JOURNAL_LIMIT",
];

/// zammad-links-mock: Zammad's Links REST API, exact, from memory, persisted in sled.
#[derive(Debug, Clone, Parser)]
#[command(version, about)]
pub struct Cli {
    /// Something other than serving.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Address to listen on.
    #[arg(long, env = "ZAMMAD_MOCK_BIND", default_value = "127.0.0.1:3000")]
    pub bind: SocketAddr,
    /// A fixture document to serve instead of the built-in default data set.
    #[arg(long, env = "ZAMMAD_MOCK_FIXTURES", value_name = "FILE")]
    pub fixtures: Option<PathBuf>,
    /// Folder of the sled database.
    #[arg(
        long,
        env = "ZAMMAD_MOCK_DB",
        value_name = "DIR",
        default_value = "zammad-links-mock.db",
        conflicts_with = "in_memory"
    )]
    pub db: PathBuf,
    /// Keep no database on disk: the state is gone when the process ends.
    #[arg(long, env = "ZAMMAD_MOCK_IN_MEMORY")]
    pub in_memory: bool,
    /// Load the fixtures again even when the database already holds data.
    #[arg(long, env = "ZAMMAD_MOCK_RESET")]
    pub reset: bool,
    /// Require `Authorization: Bearer TOKEN` on the admin API under /__mock/.
    #[arg(
        long,
        env = "ZAMMAD_MOCK_ADMIN_TOKEN",
        value_name = "TOKEN",
        conflicts_with = "no_admin"
    )]
    pub admin_token: Option<String>,
    /// Switch the admin API off (only /__mock/health stays).
    #[arg(long, env = "ZAMMAD_MOCK_NO_ADMIN")]
    pub no_admin: bool,
    /// How many requests the journal keeps (0 turns it off).
    #[arg(long, env = "ZAMMAD_MOCK_JOURNAL_LIMIT", value_name = "N", default_value_t = crate::journal::DEFAULT_LIMIT)]
    pub journal_limit: usize,
    /// The largest request body of a Zammad API call; larger ones get 413.
    #[arg(long, env = "ZAMMAD_MOCK_MAX_BODY_BYTES", value_name = "BYTES", default_value_t = crate::api::DEFAULT_MAX_BODY_BYTES)]
    pub max_body_bytes: usize,
    /// How many worker threads answer requests (default: one per CPU core).
    #[arg(long, env = "ZAMMAD_MOCK_WORKERS", value_name = "N")]
    pub workers: Option<usize>,
}

/// The subcommands.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum Command {
    /// Write a large, realistic fixture document (for load tests and benches).
    Generate {
        /// Number of tickets.
        #[arg(long, default_value_t = 1_000)]
        tickets: u64,
        /// Number of links.
        #[arg(long, default_value_t = 10_000)]
        links: u64,
        /// Seed of the generator (the same seed gives the same file).
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// The file to write.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Read a real Zammad's tickets and links into a fixture document.
    Capture(crate::capture::CaptureArgs),
}

impl Cli {
    /// The builder these options describe; reads the fixture file.
    ///
    /// # Errors
    /// When the fixture file cannot be read or is invalid.
    pub fn into_builder(self) -> Result<MockServerBuilder, FixtureFileError> {
        let mut builder = MockServerBuilder::default()
            .bind(self.bind)
            .reset(self.reset)
            .workers(
                self.workers
                    .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get())),
            )
            .handle_signals(true)
            .journal_limit(self.journal_limit)
            .max_body_bytes(self.max_body_bytes)
            .admin(match (self.no_admin, self.admin_token) {
                (true, _) => AdminAccess::Off,
                (false, Some(token)) => AdminAccess::Token(token),
                (false, None) => AdminAccess::Open,
            })
            .store(if self.in_memory {
                StoreMode::Memory
            } else {
                StoreMode::Dir(self.db)
            });
        if let Some(path) = &self.fixtures {
            builder = builder.fixtures(FixtureDocument::from_file(path)?);
        }
        Ok(builder)
    }

    /// `ZAMMAD_MOCK_*` variables that no option reads, most likely typos.
    pub fn unknown_env_vars() -> Vec<String> {
        std::env::vars()
            .map(|(name, _)| name)
            .filter(|name| name.starts_with("ZAMMAD_MOCK_") && !ENV_VARS.contains(&name.as_str()))
            .collect()
    }
}
