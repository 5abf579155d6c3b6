//! The command line: where the feed is, which office, which language, and where logs go.

use std::path::PathBuf;

use clap::Parser;

use crate::text::LangMode;

/// Lobby screen for one office's queue, fed by the queue server's live WebSocket feed.
/// Keys: q or Ctrl-C quits.
#[derive(Clone, Debug, Parser)]
#[command(name = "lobby-display", version)]
pub struct Cli {
    /// The queue server's WebSocket base URL: ws://HOST:PORT, or wss://HOST[:PORT] through the
    /// TLS proxy that serves the public page.
    #[arg(long, default_value = "ws://127.0.0.1:8080", value_parser = parse_server)]
    pub server: String,
    /// With wss://, also trust the certificate authority in this PEM file (a proxy with the
    /// city's own certificate); the system's trusted roots are always used.
    #[arg(long, value_name = "FILE")]
    pub ca: Option<PathBuf>,
    /// The office to show (its id in the server's configuration).
    #[arg(long, default_value = "main", value_parser = parse_office)]
    pub office: String,
    /// Language of the screen: Japanese, English, or both taking turns every few seconds.
    #[arg(long, value_enum, default_value_t = LangMode::Ja)]
    pub lang: LangMode,
    /// Ring the terminal bell when a number is called.
    #[arg(long)]
    pub bell: bool,
    /// Append logs (connections, refused frames) to FILE; without it nothing is logged, since
    /// the terminal belongs to the screen.
    #[arg(long, value_name = "FILE")]
    pub log: Option<PathBuf>,
}

impl Cli {
    /// The office's live feed: `{server}/api/v1/offices/{office}/live`.
    pub fn feed_url(&self) -> String {
        format!("{}/api/v1/offices/{}/live", self.server, self.office)
    }
}

/// Accepts `ws://` and `wss://` base URLs without a path. The web address people copy from a
/// browser (`http://…`, `https://…`) is refused with the WebSocket form to use instead, so a
/// wrong scheme says so at once.
fn parse_server(text: &str) -> Result<String, String> {
    let text = text.trim().trim_end_matches('/');
    let (scheme, rest) = text.split_once("://").unwrap_or(("", text));
    if scheme == "ws" || scheme == "wss" {
        if !rest.is_empty()
            && !rest.contains(['/', '?', '#'])
            && !rest.contains(char::is_whitespace)
        {
            return Ok(text.to_owned());
        }
        return Err(format!("expected {scheme}://HOST:PORT, without a path"));
    }
    let host = rest.split('/').next().unwrap_or(rest);
    let host = if host.is_empty() { "HOST:PORT" } else { host };
    Err(match scheme {
        "" => format!("expected ws://HOST:PORT or wss://HOST; try --server ws://{host}"),
        "https" => format!(
            "https:// is the web page's address: the feed is a WebSocket; expected \
             wss://HOST, e.g. wss://{host}"
        ),
        _ => format!(
            "{scheme}:// is the wrong scheme: the feed is a WebSocket; expected ws://HOST:PORT, \
             e.g. ws://{host}"
        ),
    })
}

/// Office ids are identifiers; anything else would change the URL's path.
fn parse_office(text: &str) -> Result<String, String> {
    let valid = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if valid {
        Ok(text.to_owned())
    } else {
        Err("expected an office id such as `main`".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_point_at_the_main_office_on_this_machine() {
        let cli = Cli::try_parse_from(["lobby-display"]).expect("defaults parse");
        assert_eq!(
            cli.feed_url(),
            "ws://127.0.0.1:8080/api/v1/offices/main/live"
        );
        assert_eq!(cli.lang, LangMode::Ja);
        assert!(!cli.bell);
    }

    #[test]
    fn a_trailing_slash_on_the_server_does_not_double_in_the_url() {
        let cli = Cli::try_parse_from([
            "lobby-display",
            "--server",
            "ws://10.0.0.5:8080/",
            "--office",
            "center",
            "--lang",
            "both",
        ])
        .expect("parses");
        assert_eq!(
            cli.feed_url(),
            "ws://10.0.0.5:8080/api/v1/offices/center/live"
        );
        assert_eq!(cli.lang, LangMode::Both);
    }

    #[test]
    fn a_server_that_is_not_a_websocket_url_is_refused() {
        assert!(Cli::try_parse_from(["lobby-display", "--office", "../admin"]).is_err());
        assert!(Cli::try_parse_from(["lobby-display", "--server", "ws://x:8080/live"]).is_err());
    }

    #[test]
    fn a_wrong_scheme_says_so_and_gives_the_ws_form_to_use() {
        assert_eq!(
            parse_server("http://10.0.0.5:8080/"),
            Err(
                "http:// is the wrong scheme: the feed is a WebSocket; expected \
                 ws://HOST:PORT, e.g. ws://10.0.0.5:8080"
                    .to_owned()
            )
        );
        assert!(
            parse_server("https://queue.example.lg.jp/")
                .is_err_and(|why| why.contains("wss://queue.example.lg.jp"))
        );
        assert_eq!(
            parse_server("10.0.0.5:8080"),
            Err(
                "expected ws://HOST:PORT or wss://HOST; try --server ws://10.0.0.5:8080".to_owned()
            )
        );
    }

    #[test]
    fn a_wss_server_through_the_tls_proxy_is_accepted_with_a_city_ca() {
        let cli = Cli::try_parse_from([
            "lobby-display",
            "--server",
            "wss://queue.example.lg.jp/",
            "--ca",
            "/etc/ssl/city-ca.pem",
        ])
        .expect("parses");
        assert_eq!(
            cli.feed_url(),
            "wss://queue.example.lg.jp/api/v1/offices/main/live"
        );
        assert_eq!(cli.ca, Some(PathBuf::from("/etc/ssl/city-ca.pem")));
        assert!(parse_server("wss://queue.example.lg.jp/live").is_err());
    }
}
