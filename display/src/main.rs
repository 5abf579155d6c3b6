//! `lobby-display`: parse the command line, start logging, run the screen.

use std::process::ExitCode;

use clap::Parser;
use lobby_display::cli::Cli;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Err(error) = lobby_display::logging::init(cli.log.as_deref()) {
        eprintln!("lobby-display: {error}");
        return ExitCode::FAILURE;
    }
    match lobby_display::run::run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(%error, "lobby-display stopped");
            eprintln!("lobby-display: {error}");
            ExitCode::FAILURE
        }
    }
}
