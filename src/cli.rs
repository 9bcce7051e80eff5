//! The command line: options as typed as clap can make them, each also settable by an
//! environment variable, and their resolution into a [`MockServerBuilder`]. Reading files
//! happens here (the fixture file); everything else is left to `server`.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;

use crate::fixtures::{FixtureDocument, FixtureFileError};
use crate::server::{MockServerBuilder, StoreMode};

/// The environment variables the options read.
const ENV_VARS: [&str; 5] = [
    "ZAMMAD_MOCK_BIND",
    "ZAMMAD_MOCK_FIXTURES",
    "ZAMMAD_MOCK_DB",
    "ZAMMAD_MOCK_IN_MEMORY",
    "ZAMMAD_MOCK_RESET",
];

/// zammad-links-mock: Zammad's Links REST API, exact, from memory, persisted in sled.
#[derive(Debug, Clone, Parser)]
#[command(version, about)]
pub struct Cli {
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
            .workers(std::thread::available_parallelism().map_or(2, |n| n.get()))
            .handle_signals(true)
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
