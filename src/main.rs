//! The `zammad-links-mock` binary: parse the command line, start the server, wait for it.

use std::process::ExitCode;

use clap::Parser;
use zammad_links_mock::cli::{Cli, Command};
use zammad_links_mock::error_chain;
use zammad_links_mock::generate::{write_document, Spec};

fn main() -> ExitCode {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    let cli = Cli::parse();
    for name in Cli::unknown_env_vars() {
        log::warn!("ignoring unknown environment variable {name}");
    }
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("zammad-links-mock: {message}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<(), String> {
    if let Some(Command::Capture(args)) = &cli.command {
        return zammad_links_mock::capture::run(args).map_err(|e| error_chain(&e));
    }
    if let Some(Command::Generate {
        tickets,
        links,
        seed,
        out,
    }) = &cli.command
    {
        let file = std::fs::File::create(out)
            .map_err(|e| format!("cannot create {}: {e}", out.display()))?;
        let spec = Spec {
            tickets: *tickets,
            links: *links,
            seed: *seed,
        };
        write_document(spec, &mut std::io::BufWriter::new(file)).map_err(|e| error_chain(&e))?;
        log::info!(
            "wrote {links} links between {tickets} tickets to {}",
            out.display()
        );
        return Ok(());
    }
    let builder = cli.into_builder().map_err(|e| error_chain(&e))?;
    let server = builder.try_start().map_err(|e| error_chain(&e))?;
    log::info!("serving Zammad's Links API on {}", server.uri());
    server.wait().map_err(|e| error_chain(&*e))
}
