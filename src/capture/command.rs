//! `capture` on the command line (feature `cli`): its options as clap reads them, their
//! conversion into [`CaptureOptions`], and the run with what only a terminal needs (a
//! progress bar, the new token on standard output, one summary line). The capture itself is
//! the library's [`capture()`](super::capture()).

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::{capture, CaptureError, CaptureOptions, CaptureProgress, Credentials};
use crate::release::ZammadVersion;

/// `capture`'s options.
#[derive(Debug, Clone, clap::Args)]
#[command(group(clap::ArgGroup::new("auth").required(true).args(["token", "user"])))]
#[command(group(clap::ArgGroup::new("what").required(true).args(["tickets", "all"])))]
pub struct CaptureArgs {
    /// The Zammad's root URL, like `https://zammad.example.com`.
    #[arg(long)]
    pub url: String,
    /// An API token of the capturing user (never written to the file or logged).
    #[arg(
        long,
        env = "ZAMMAD_CAPTURE_TOKEN",
        hide_env_values = true,
        conflicts_with = "user"
    )]
    pub token: Option<String>,
    /// Login of the capturing user (with --password).
    #[arg(long, requires = "password")]
    pub user: Option<String>,
    /// Password of the capturing user (never written to the file or logged).
    #[arg(long, env = "ZAMMAD_CAPTURE_PASSWORD", hide_env_values = true)]
    pub password: Option<String>,
    /// A ticket id to start at (repeatable).
    #[arg(long = "ticket", value_name = "ID")]
    pub tickets: Vec<i64>,
    /// Every ticket the user can see, and their links.
    #[arg(long, conflicts_with_all = ["tickets", "depth"])]
    pub all: bool,
    /// How many links away from the start tickets to go (1: the tickets and their direct links).
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub depth: u32,
    /// Whose defaults fill what the API does not show, unless the server reports its
    /// version: a release number, `X.Y[.Z]` (default: the seed's line).
    #[arg(long, value_parser = ZammadVersion::parse, value_name = "V")]
    pub zammad_version: Option<ZammadVersion>,
    /// Requests in flight at most.
    #[arg(long, default_value_t = 4, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub concurrency: u16,
    /// A PEM file of CA certificates (one or more) to trust besides the built-in Mozilla
    /// roots, for a Zammad whose HTTPS certificate your own or a company CA signed.
    #[arg(long, value_name = "FILE")]
    pub ca_cert: Option<PathBuf>,
    /// The longest one request may take (e.g. 30s, 2m).
    #[arg(long, default_value = "30s", value_parser = humantime::parse_duration, value_name = "DURATION")]
    pub timeout: Duration,
    /// The fixture document to write.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

impl CaptureArgs {
    /// The library's options for these.
    ///
    /// # Errors
    /// [`CaptureError::NoCredentials`] without a token or login and password (clap's groups
    /// refuse that first on the command line).
    pub fn options(&self) -> Result<CaptureOptions, CaptureError> {
        let credentials = match (&self.token, &self.user, &self.password) {
            (Some(token), _, _) => Credentials::Token(token.clone()),
            (None, Some(login), Some(password)) => Credentials::Basic {
                login: login.clone(),
                password: password.clone(),
            },
            _ => return Err(CaptureError::NoCredentials),
        };
        Ok(CaptureOptions {
            url: self.url.clone(),
            credentials,
            tickets: self.tickets.clone(),
            all: self.all,
            depth: self.depth,
            zammad_version: self.zammad_version.unwrap_or_default(),
            concurrency: usize::from(self.concurrency),
            ca_cert: self.ca_cert.clone(),
            timeout: self.timeout,
            out: self.out.clone(),
        })
    }
}

/// The bar counts requests: its length grows as the walk plans them.
impl CaptureProgress for ProgressBar {
    fn planned(&self, requests: u64) {
        self.inc_length(requests);
    }

    fn finished(&self) {
        self.inc(1);
    }
}

/// Runs `capture` as the command line does: a progress bar on a terminal, the new token on
/// standard output, one summary line on standard error.
///
/// # Errors
/// [`CaptureError`]; no file is left behind then.
pub fn run(args: &CaptureArgs) -> Result<(), CaptureError> {
    let options = args.options()?;
    let progress = if std::io::stderr().is_terminal() {
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} requests {elapsed}") {
            bar.set_style(style);
        }
        bar
    } else {
        ProgressBar::hidden()
    };
    let captured = capture(&options, &progress)?;
    progress.finish_and_clear();
    let mut stdout = std::io::stdout().lock();
    // The token is the one thing the user must copy; it goes to standard output alone.
    let _ = writeln!(
        stdout,
        "new API token for {} (user {}), valid in the mock with {}: {}",
        captured.user.1,
        captured.user.0,
        options.out.display(),
        captured.token
    );
    eprintln!(
        "captured {} tickets, {} links, {} users in {:.2} s (Zammad {}{}) into {}",
        captured.tickets,
        captured.links,
        captured.users,
        captured.elapsed.as_secs_f64(),
        captured.version.0,
        if captured.version.1 {
            ", as the server reports"
        } else {
            ", from --zammad-version"
        },
        options.out.display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_carry_every_argument_and_the_credentials_given() {
        // Arrange
        let args = CaptureArgs {
            url: "https://zammad.example.com".into(),
            token: None,
            user: Some("agent".into()),
            password: Some("pw".into()),
            tickets: vec![1, 2],
            all: false,
            depth: 3,
            zammad_version: Some(ZammadVersion::V6_5),
            concurrency: 8,
            ca_cert: Some("ca.pem".into()),
            timeout: Duration::from_secs(5),
            out: "out.json".into(),
        };
        // Act
        let options = args.options().unwrap();
        // Assert
        assert!(matches!(
            &options.credentials,
            Credentials::Basic { login, password } if login == "agent" && password == "pw"
        ));
        assert_eq!(
            (options.tickets, options.depth, options.concurrency),
            (vec![1, 2], 3, 8)
        );
        assert_eq!(options.zammad_version, ZammadVersion::V6_5);
        assert_eq!(options.timeout, Duration::from_secs(5));
        let no_password = CaptureArgs {
            password: None,
            ..args
        };
        assert!(matches!(
            no_password.options(),
            Err(CaptureError::NoCredentials)
        ));
    }
}
