//! The command line: options as typed as clap can make them, each also settable by an
//! environment variable, their resolution into a [`MockServerBuilder`], and `main`, which
//! the binary calls. Only the fixture file's readability is checked here (its content is
//! read by the server as it starts); serving is left to `server`, the subcommands to
//! `generate` and `capture`.

use std::ffi::OsStr;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, Parser};

use crate::api::AdminAccess;
use crate::fixtures::FixtureFileError;
use crate::generate::{write_document, Spec};
use crate::release::ZammadVersion;
use crate::server::{MockServerBuilder, StoreMode};

/// The prefix of every environment variable an option reads.
const ENV_PREFIX: &str = "ZAMMAD_MOCK_";

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
    /// Serve the admin API without a token on an address other than loopback (inside a
    /// container, for example); without this, such a bind needs --admin-token or --no-admin.
    #[arg(long, env = "ZAMMAD_MOCK_ADMIN_OPEN", conflicts_with_all = ["admin_token", "no_admin"])]
    pub admin_open: bool,
    /// Without --admin-token or --admin-open, switch the admin API off (as --no-admin) rather
    /// than open it on loopback or refuse another bind. The container image sets it, so that a
    /// published port shows no admin API until a token is given.
    #[arg(long, env = "ZAMMAD_MOCK_ADMIN_OFF_BY_DEFAULT")]
    pub admin_off_by_default: bool,
    /// How many requests the journal keeps (0 turns it off).
    #[arg(long, env = "ZAMMAD_MOCK_JOURNAL_LIMIT", value_name = "N", default_value_t = crate::journal::DEFAULT_LIMIT)]
    pub journal_limit: usize,
    /// The largest request body of a Zammad API call; larger ones get 413.
    #[arg(long, env = "ZAMMAD_MOCK_MAX_BODY_BYTES", value_name = "BYTES", default_value_t = crate::api::DEFAULT_MAX_BODY_BYTES)]
    pub max_body_bytes: usize,
    /// Which Zammad release to answer as (default: the line of the user's example; the
    /// README lists the lines): refusals, validations, authorization, assets, default data
    /// set. An unknown value names the accepted ones.
    #[arg(
        long,
        env = "ZAMMAD_MOCK_ZAMMAD_VERSION",
        value_name = "VERSION",
        value_parser = ZammadVersion::parse
    )]
    pub zammad_version: Option<ZammadVersion>,
    /// Fault rules from the start: a faults document ({"faults": [rule, …]}, as
    /// PUT /__mock/faults takes it); POST /__mock/reset brings them back.
    #[arg(long, env = "ZAMMAD_MOCK_FAULTS", value_name = "FILE")]
    pub faults: Option<PathBuf>,
    /// Delay every Zammad call, as a slow network would: 250ms, 2s, or a range 100ms..300ms.
    #[arg(long, env = "ZAMMAD_MOCK_LATENCY", value_name = "DELAY")]
    pub latency: Option<crate::faults::Delay>,
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
        /// Article records per ticket, with subjects and bodies a search finds (0: one
        /// article id without a record per ticket, as the seed's tickets have).
        #[arg(long, default_value_t = 0)]
        articles: u64,
        /// The file to write.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Read a real Zammad's tickets and links into a fixture document.
    Capture(crate::capture::CaptureArgs),
    /// Check that a mock answers on its address (exit code 0) or not (1): the container's
    /// health check, which needs no shell or curl in the image.
    Health {
        /// The address the mock was told to bind; 0.0.0.0 or :: is checked on loopback.
        #[arg(long, env = "ZAMMAD_MOCK_BIND", default_value = "127.0.0.1:3000")]
        bind: SocketAddr,
    },
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
            .zammad_version(self.zammad_version.unwrap_or_default())
            .admin_open_on_network(self.admin_open)
            .journal_limit(self.journal_limit)
            .max_body_bytes(self.max_body_bytes)
            .admin(self.admin_access())
            .store(if self.in_memory {
                StoreMode::Memory
            } else {
                StoreMode::Dir(self.db)
            });
        if let Some(path) = self.faults {
            // Read and checked when the server starts, before the port is bound.
            builder = builder.faults_file(path);
        }
        if let Some(delay) = self.latency {
            builder = builder.latency(delay);
        }
        if let Some(path) = self.fixtures {
            // Unreadable: refused before the port is bound, as ever. Its content is read
            // (streamed) when the server opens its database.
            std::fs::File::open(&path).map_err(|source| FixtureFileError::Io {
                path: path.display().to_string(),
                source,
            })?;
            builder = builder.fixtures_file(path);
        }
        Ok(builder)
    }

    /// Who may use the admin API, as these options say.
    pub(crate) fn admin_access(&self) -> AdminAccess {
        match (self.no_admin, &self.admin_token) {
            (true, _) => AdminAccess::Off,
            (false, Some(token)) => AdminAccess::Token(token.clone()),
            (false, None) if self.admin_off_by_default && !self.admin_open => AdminAccess::Off,
            (false, None) => AdminAccess::Open,
        }
    }

    /// `ZAMMAD_MOCK_*` variables that no option reads, most likely typos. The known names
    /// come from clap's own definition of the options, so a new option can't be forgotten.
    pub fn unknown_env_vars() -> Vec<String> {
        let command = Cli::command();
        let known: Vec<&OsStr> = command
            .get_arguments()
            .chain(command.get_subcommands().flat_map(|s| s.get_arguments()))
            .filter_map(|arg| arg.get_env())
            .collect();
        std::env::vars_os()
            .filter_map(|(name, _)| name.into_string().ok())
            .filter(|name| name.starts_with(ENV_PREFIX) && !known.contains(&OsStr::new(name)))
            .collect()
    }
}

/// Why the binary stopped: the message of its last line.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The fixture file could not be used.
    #[error(transparent)]
    Fixtures(#[from] FixtureFileError),
    /// The server could not start.
    #[error(transparent)]
    Start(#[from] crate::server::StartError),
    /// The server failed while running or stopping.
    #[error("the server failed")]
    Serve(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// `generate` could not create its file.
    #[error("cannot create {path}")]
    Create {
        /// The file.
        path: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// `generate` failed.
    #[error(transparent)]
    Generate(#[from] crate::generate::GenerateError),
    /// `capture` failed.
    #[error(transparent)]
    Capture(#[from] crate::capture::CaptureError),
}

/// The binary: parse the command line, then serve (until a signal) or run the subcommand.
/// Errors end in one line on standard error and exit code 2.
pub fn main() -> ExitCode {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    quiet_sled_panics();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) if !error.use_stderr() => error.exit(),
        Err(error) => {
            // One line, as every other refusal of the binary: clap's text without its
            // blank lines and its hint.
            let text = error.render().to_string();
            let line: Vec<&str> = text
                .lines()
                .map(str::trim)
                .filter(|line| !line.is_empty() && !line.starts_with("For more information"))
                .collect();
            let line = line.join(" ");
            eprintln!("zammad-links-mock: {}", line.trim_start_matches("error: "));
            return ExitCode::from(2);
        }
    };
    // Before the warnings below: a health check runs every few seconds, and its output goes
    // to the container's health log, which should say only whether the mock answers.
    if let Some(Command::Health { bind }) = cli.command {
        return crate::health::main(bind);
    }
    for name in Cli::unknown_env_vars() {
        log::warn!("ignoring unknown environment variable {name}");
    }
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("zammad-links-mock: {}", crate::error_chain(&error));
            ExitCode::from(2)
        }
    }
}

/// sled panics on some damaged files; the store catches those panics and the binary reports
/// them in one line, so the panic's own message (and backtrace hint) is left out. Any other
/// panic is a bug of ours and keeps the default report.
fn quiet_sled_panics() {
    let report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let in_sled = info
            .location()
            .is_some_and(|at| at.file().contains("/sled-"));
        if !in_sled {
            report(info);
        }
    }));
}

fn run(cli: Cli) -> Result<(), CliError> {
    if let Some(Command::Capture(args)) = &cli.command {
        return Ok(crate::capture::run(args)?);
    }
    if let Some(Command::Generate {
        tickets,
        links,
        seed,
        articles,
        out,
    }) = &cli.command
    {
        let file = std::fs::File::create(out).map_err(|source| CliError::Create {
            path: out.display().to_string(),
            source,
        })?;
        let spec = Spec {
            tickets: *tickets,
            links: *links,
            seed: *seed,
            articles: *articles,
        };
        write_document(spec, &mut std::io::BufWriter::new(file))?;
        log::info!(
            "wrote {links} links between {tickets} tickets to {}",
            out.display()
        );
        return Ok(());
    }
    // Gathered before the start, which opens (and on a first start fills) the database.
    let banner = crate::banner::Banner::of(&cli);
    let server = cli.into_builder()?.try_start()?;
    // One write, so that no log line of a worker lands inside the block.
    eprint!("{}", banner.render(server.address()));
    server.wait().map_err(CliError::Serve)
}
