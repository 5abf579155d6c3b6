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
    /// TLS proxy that serves the public page. Repeat it (or separate URLs with commas) for
    /// several instances of the server on one database: when the link to one is lost the
    /// screen moves to the next, in order, round-robin.
    #[arg(
        long = "server",
        value_name = "URL",
        default_value = "ws://127.0.0.1:8080",
        value_delimiter = ',',
        value_parser = parse_server
    )]
    pub servers: Vec<String>,
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
    /// The office's live feed on each server, in the order given:
    /// `{server}/api/v1/offices/{office}/live`.
    pub fn feed_urls(&self) -> Vec<String> {
        self.servers
            .iter()
            .map(|server| format!("{server}/api/v1/offices/{}/live", self.office))
            .collect()
    }

    /// Whether any server is reached over `wss://` (the TLS client is then set up at start).
    pub fn uses_tls(&self) -> bool {
        self.servers
            .iter()
            .any(|server| server.starts_with("wss://"))
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
            cli.feed_urls(),
            ["ws://127.0.0.1:8080/api/v1/offices/main/live"]
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
            cli.feed_urls(),
            ["ws://10.0.0.5:8080/api/v1/offices/center/live"]
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
            cli.feed_urls(),
            ["wss://queue.example.lg.jp/api/v1/offices/main/live"]
        );
        assert!(cli.uses_tls());
        assert_eq!(cli.ca, Some(PathBuf::from("/etc/ssl/city-ca.pem")));
        assert!(parse_server("wss://queue.example.lg.jp/live").is_err());
    }

    #[test]
    fn several_servers_are_kept_in_the_order_given_repeated_or_comma_separated() {
        let cli = Cli::try_parse_from([
            "lobby-display",
            "--server",
            "ws://10.0.0.5:8080",
            "--server",
            "ws://10.0.0.6:8080/, wss://queue-c.example.lg.jp",
            "--office",
            "center",
        ])
        .expect("parses");
        assert_eq!(
            cli.feed_urls(),
            [
                "ws://10.0.0.5:8080/api/v1/offices/center/live",
                "ws://10.0.0.6:8080/api/v1/offices/center/live",
                "wss://queue-c.example.lg.jp/api/v1/offices/center/live",
            ]
        );
        assert!(cli.uses_tls(), "one of them is wss://");
        let plain = Cli::try_parse_from(["lobby-display", "--server", "ws://a:1,ws://b:2"])
            .expect("parses");
        assert!(!plain.uses_tls());
    }

    #[test]
    fn one_bad_url_among_several_is_refused_with_its_reason() {
        let error = Cli::try_parse_from([
            "lobby-display",
            "--server",
            "ws://10.0.0.5:8080,https://10.0.0.6/",
        ])
        .expect_err("https:// is the web page");
        assert!(error.to_string().contains("wss://10.0.0.6"), "{error}");
        assert!(Cli::try_parse_from(["lobby-display", "--server", "ws://a:1,"]).is_err());
    }
}
