//! The one loop: `select!` over the clock tick, terminal input, signals and feed events; each
//! becomes an [`Event`] for [`App::update`], and the screen is redrawn only when it changed or
//! the clock ticked (idle CPU stays near zero). The feed runs in its own task.
//!
//! The terminal is restored on every way out: a normal quit, an error, SIGTERM/SIGHUP (systemd
//! stopping the unit), and a panic (ratatui's panic hook restores before the message prints).

use std::io::Write;
use std::time::{Duration, Instant};

use crossterm::event::{
    Event as TermEvent, EventStream, KeyCode, KeyEvent, KeyEventKind, KeyModifiers,
};
use futures_util::StreamExt;
use ratatui::DefaultTerminal;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;
use tokio::time::MissedTickBehavior;

use crate::app::{App, Event};
use crate::cli::Cli;
use crate::feed;
use crate::tls::{self, TlsSetupError};

/// The clock's tick: the screen shows seconds.
pub const TICK: Duration = Duration::from_secs(1);

/// Why the screen stopped.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The terminal could not be set up, drawn on or read.
    #[error("terminal: {0}")]
    Terminal(#[from] std::io::Error),
    /// `wss://` was asked for but its TLS client cannot be set up (before the screen starts).
    #[error("{0}")]
    Tls(#[from] TlsSetupError),
}

/// Takes over the terminal, runs the screen until `q`, Ctrl-C or a signal, and restores it.
pub async fn run(cli: Cli) -> Result<(), RunError> {
    // Before the terminal is taken, so a wrong `--ca` is a message, not a blank screen.
    let tls = if cli.uses_tls() {
        Some(tls::client_config(cli.ca.as_deref())?)
    } else {
        if cli.ca.is_some() {
            tracing::warn!("--ca is only used with a wss:// server");
        }
        None
    };
    let mut terminal = ratatui::try_init()?;
    let result = event_loop(&mut terminal, cli, tls).await;
    ratatui::try_restore()?;
    result
}

async fn event_loop(
    terminal: &mut DefaultTerminal,
    cli: Cli,
    tls: Option<std::sync::Arc<rustls::ClientConfig>>,
) -> Result<(), RunError> {
    let urls = cli.feed_urls();
    tracing::info!(?urls, "lobby display starting");
    let (sender, mut feed_events) = mpsc::channel(64);
    let feed = tokio::spawn(feed::run(urls.clone(), cli.office.clone(), tls, sender));
    // Aborts the feed task on every way out of this function.
    let _feed = AbortOnDrop(feed);

    let mut input = EventStream::new();
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let mut terminate = signal(SignalKind::terminate())?;
    let mut hangup = signal(SignalKind::hangup())?;

    let mut app = App::new(cli.lang, cli.bell, urls, Instant::now());
    draw(terminal, &app)?;
    loop {
        let event = tokio::select! {
            _ = tick.tick() => Event::Tick,
            Some(event) = feed_events.recv() => Event::Feed(event),
            input_event = input.next() => match input_event {
                Some(Ok(event)) => match event_from_terminal(&event) {
                    Some(event) => event,
                    None => continue,
                },
                Some(Err(error)) => return Err(error.into()),
                None => Event::Quit,
            },
            _ = terminate.recv() => Event::Quit,
            _ = hangup.recv() => Event::Quit,
        };
        let effects = app.update(event, Instant::now());
        if app.should_quit() {
            return Ok(());
        }
        if effects.bell {
            let mut stdout = std::io::stdout();
            stdout.write_all(b"\x07")?;
            stdout.flush()?;
        }
        if effects.redraw {
            draw(terminal, &app)?;
        }
    }
}

fn draw(terminal: &mut DefaultTerminal, app: &App) -> Result<(), RunError> {
    terminal.draw(|frame| frame.render_widget(app, frame.area()))?;
    Ok(())
}

/// The keys and terminal events the screen reacts to; everything else is ignored.
pub fn event_from_terminal(event: &TermEvent) -> Option<Event> {
    match event {
        TermEvent::Key(KeyEvent {
            code,
            modifiers,
            kind: KeyEventKind::Press,
            ..
        }) => match code {
            KeyCode::Char('q') | KeyCode::Char('Q') => Some(Event::Quit),
            KeyCode::Char('c') if modifiers.contains(KeyModifiers::CONTROL) => Some(Event::Quit),
            _ => None,
        },
        TermEvent::Resize(..) => Some(Event::Resize),
        _ => None,
    }
}

/// Stops the feed task when the loop ends, whichever way.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode, modifiers: KeyModifiers) -> TermEvent {
        TermEvent::Key(KeyEvent::new(code, modifiers))
    }

    #[test]
    fn q_and_ctrl_c_quit() {
        let quit = Some(Event::Quit);
        assert_eq!(
            event_from_terminal(&key(KeyCode::Char('q'), KeyModifiers::NONE)),
            quit
        );
        assert_eq!(
            event_from_terminal(&key(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            quit
        );
    }

    #[test]
    fn other_keys_do_nothing_and_a_resize_redraws() {
        assert_eq!(
            event_from_terminal(&key(KeyCode::Char('c'), KeyModifiers::NONE)),
            None
        );
        assert_eq!(
            event_from_terminal(&TermEvent::Resize(80, 24)),
            Some(Event::Resize)
        );
    }
}
