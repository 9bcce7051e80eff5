//! The start-up block: the few lines the binary writes on standard error once it serves,
//! saying where everything is — the API's and the page's URLs, the Zammad release it answers
//! as, the data set, the database, the admin API, and (only for the built-in default data
//! set) how to log in. It owns the wording and the facts it gathers from the resolved
//! options; the options are `cli`'s, the running server `server`'s.
//!
//! Only the binary prints it (`cli::run`): a [`MockServer`](crate::MockServer) started in a
//! test prints nothing, so a test suite that starts hundreds of them stays quiet.

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use crate::api::AdminAccess;
use crate::cli::Cli;
use crate::release::ZammadVersion;

/// The default data set's agent and admin (user 3): Basic login and password.
const DEFAULT_LOGIN: (&str, &str) = ("test@test.de", "test");
/// The default data set's API token, for user 3.
const DEFAULT_TOKEN: &str = "zammad-links-mock-token-user-3";
/// The seed's ticket, the one the page is opened on for the default data set.
const DEFAULT_TICKET: i64 = 147_469;

/// The Zammad release the mock answers as, with its behaviour line (`7.1.3 (7.0 line)`).
/// The one place the start-up block asks for it.
fn release_version(version: ZammadVersion) -> String {
    let release = version.version();
    if release.starts_with(&format!("{}.", version.line_name())) {
        release
    } else {
        format!("{release} ({} line)", version.line_name())
    }
}

/// What the block says, gathered before the server starts (the database folder is looked at
/// before the server opens it, to tell a first start from a restart).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Banner {
    release: String,
    data_set: DataSet,
    database: Database,
    admin: Admin,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum DataSet {
    /// The default data set compiled into the binary.
    BuiltIn,
    /// A `--fixtures` file.
    File(PathBuf),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Database {
    Memory,
    Folder { path: PathBuf, start: FolderStart },
}

/// What a start does with the folder's content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FolderStart {
    /// No database yet: the data set is loaded into it.
    New,
    /// A database from earlier starts: it is the truth, the data set is not read into it.
    Kept,
    /// `--reset`: the data set is loaded over it.
    Reloaded,
}

/// The admin API as configured; never the token itself (the block goes to logs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Admin {
    Open,
    Token,
    Off { by_default: bool },
}

impl Banner {
    /// The facts of `cli`'s serving options. Call it before the server opens the database.
    pub(crate) fn of(cli: &Cli) -> Self {
        let data_set = match &cli.fixtures {
            Some(path) => DataSet::File(absolute(path)),
            None => DataSet::BuiltIn,
        };
        let database = if cli.in_memory {
            Database::Memory
        } else {
            let start = match (cli.reset, crate::store::is_marked(&cli.db)) {
                (true, _) => FolderStart::Reloaded,
                (false, true) => FolderStart::Kept,
                (false, false) => FolderStart::New,
            };
            Database::Folder {
                path: absolute(&cli.db),
                start,
            }
        };
        let admin = match cli.admin_access() {
            AdminAccess::Open => Admin::Open,
            AdminAccess::Token(_) => Admin::Token,
            AdminAccess::Off => Admin::Off {
                by_default: !cli.no_admin,
            },
        };
        Self {
            release: release_version(cli.zammad_version.unwrap_or_default()),
            data_set,
            database,
            admin,
        }
    }

    /// The block for a server listening on `address`, ending in a newline.
    pub(crate) fn render(&self, address: SocketAddr) -> String {
        let base = format!("http://{}", reachable_at(address));
        let mut text = format!(
            "zammad-links-mock {}, answering as Zammad {}",
            env!("CARGO_PKG_VERSION"),
            self.release
        );
        if address.ip().is_unspecified() {
            let _ = write!(text, ", listening on {address} (every interface)");
        }
        let _ = write!(text, "\n  API        {base}/api/v1/");
        let page = match (self.admin, &self.data_set) {
            (Admin::Off { .. }, _) => "off, with the admin API".to_owned(),
            (_, DataSet::BuiltIn) => format!("{base}/__mock/ui?ticket={DEFAULT_TICKET}"),
            (_, DataSet::File(_)) => format!("{base}/__mock/ui"),
        };
        let _ = write!(text, "\n  page       {page}");
        let _ = match &self.data_set {
            DataSet::BuiltIn => write!(
                text,
                "\n  data set   built-in default (tickets 147469, 147470, 147471)"
            ),
            DataSet::File(path) => write!(text, "\n  data set   {}", path.display()),
        };
        let _ = match &self.database {
            Database::Memory => write!(text, "\n  database   in memory (gone when the mock stops)"),
            Database::Folder { path, start } => write!(
                text,
                "\n  database   {} ({})",
                path.display(),
                match start {
                    FolderStart::New => "new: the data set was loaded into it",
                    FolderStart::Kept =>
                        "from earlier starts, which it keeps; --reset loads the data set again",
                    FolderStart::Reloaded => "--reset: the data set was loaded into it again",
                }
            ),
        };
        let _ = match self.admin {
            Admin::Open => write!(text, "\n  admin API  {base}/__mock/, open (no token)"),
            Admin::Token => write!(
                text,
                "\n  admin API  {base}/__mock/ with Authorization: Bearer <the admin token>"
            ),
            Admin::Off { by_default: true } => write!(
                text,
                "\n  admin API  off; set ZAMMAD_MOCK_ADMIN_TOKEN (or --admin-token) for reset, \
                 fixtures, journal and page"
            ),
            Admin::Off { by_default: false } => write!(text, "\n  admin API  off (--no-admin)"),
        };
        if self.data_set == DataSet::BuiltIn {
            let _ = write!(
                text,
                "\n  log in     {} / {} (Basic) or token {DEFAULT_TOKEN}",
                DEFAULT_LOGIN.0, DEFAULT_LOGIN.1
            );
        }
        text.push('\n');
        text
    }
}

/// `host:port` as a client on this machine reaches `address`: an unspecified address (the
/// container's `0.0.0.0`) on `localhost`.
fn reachable_at(address: SocketAddr) -> String {
    if address.ip().is_unspecified() {
        format!("localhost:{}", address.port())
    } else {
        address.to_string()
    }
}

/// `path` made absolute against the working folder, without touching the file system (the
/// folder may not exist yet); as given when even that fails.
fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;
    use serde_json::Value;

    fn banner(args: &[&str]) -> Banner {
        let cli =
            Cli::try_parse_from(std::iter::once("zammad-links-mock").chain(args.iter().copied()))
                .expect("valid options");
        Banner::of(&cli)
    }

    #[test]
    fn the_credentials_shown_are_those_of_every_releases_default_data_set() {
        for version in ZammadVersion::all() {
            // Arrange
            let data: Value = serde_json::from_str(version.default_data()).unwrap();
            // Act
            let user = &data["User"]["3"];
            // Assert
            let label = version.line_name();
            assert_eq!(user["login"], DEFAULT_LOGIN.0, "{label}");
            assert_eq!(user["password"], DEFAULT_LOGIN.1, "{label}");
            assert!(
                data["Token"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|t| t["token"] == DEFAULT_TOKEN && t["user_id"] == 3),
                "{label}"
            );
            assert!(
                data["Ticket"][DEFAULT_TICKET.to_string()].is_object(),
                "{label}"
            );
        }
    }

    #[test]
    fn the_default_data_set_shows_its_login_token_and_page() {
        // Arrange
        let banner = banner(&["--in-memory", "--zammad-version", "6.5"]);
        // Act
        let text = banner.render("127.0.0.1:3000".parse().unwrap());
        // Assert
        assert_eq!(
            text,
            "zammad-links-mock 0.1.0, answering as Zammad 6.5.0\n  \
             API        http://127.0.0.1:3000/api/v1/\n  \
             page       http://127.0.0.1:3000/__mock/ui?ticket=147469\n  \
             data set   built-in default (tickets 147469, 147470, 147471)\n  \
             database   in memory (gone when the mock stops)\n  \
             admin API  http://127.0.0.1:3000/__mock/, open (no token)\n  \
             log in     test@test.de / test (Basic) or token zammad-links-mock-token-user-3\n"
                .replace("0.1.0", env!("CARGO_PKG_VERSION"))
        );
    }

    #[test]
    fn a_fixture_file_shows_no_credentials_and_never_the_admin_token() {
        // Arrange
        let banner = banner(&[
            "--fixtures",
            "/srv/mine.json",
            "--db",
            "/nonexistent/db",
            "--admin-token",
            "s3cret",
        ]);
        // Act
        let text = banner.render("127.0.0.1:4000".parse().unwrap());
        // Assert
        assert!(text.contains("\n  data set   /srv/mine.json\n"), "{text}");
        assert!(text.contains("/__mock/ui\n"), "{text}");
        assert!(
            text.contains(
                "\n  database   /nonexistent/db (new: the data set was loaded into it)\n"
            ),
            "{text}"
        );
        assert!(!text.contains("log in"), "{text}");
        assert!(!text.contains("test@test.de"), "{text}");
        assert!(!text.contains("s3cret"), "{text}");
        assert!(text.contains("Bearer <the admin token>"), "{text}");
    }

    #[test]
    fn a_database_from_earlier_starts_is_named_as_kept_or_reloaded() {
        // Arrange: a folder the mock initialised before.
        let dir = tempfile::tempdir().unwrap();
        drop(crate::MockServer::builder().db_dir(dir.path()).start());
        let db = dir.path().to_str().unwrap();
        // Act
        let kept = banner(&["--db", db]).render("127.0.0.1:3000".parse().unwrap());
        let reloaded = banner(&["--db", db, "--reset"]).render("127.0.0.1:3000".parse().unwrap());
        // Assert
        assert!(
            kept.contains("(from earlier starts, which it keeps;"),
            "{kept}"
        );
        assert!(
            reloaded.contains("(--reset: the data set was loaded into it again)"),
            "{reloaded}"
        );
    }

    #[test]
    fn an_unspecified_bind_is_shown_on_localhost_and_admin_off_by_default_says_how_to_turn_it_on() {
        // Arrange: the container's settings.
        let banner = banner(&["--in-memory", "--admin-off-by-default"]);
        // Act
        let text = banner.render("0.0.0.0:3000".parse().unwrap());
        // Assert
        assert!(
            text.starts_with(&format!(
                "zammad-links-mock {}, answering as Zammad 5.0.3, listening on 0.0.0.0:3000 (every interface)\n  API        http://localhost:3000/api/v1/\n",
                env!("CARGO_PKG_VERSION")
            )),
            "{text}"
        );
        assert!(
            text.contains("\n  page       off, with the admin API\n"),
            "{text}"
        );
        assert!(
            text.contains("admin API  off; set ZAMMAD_MOCK_ADMIN_TOKEN"),
            "{text}"
        );
        assert!(text.contains("log in     test@test.de / test"), "{text}");
    }
}
