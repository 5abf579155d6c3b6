//! Headless Chromium for the end-to-end tests of the web pages: a `chromedriver` on a free
//! loopback port, browser sessions of a given viewport size with their own profiles, and the
//! few things a test does with a page (read what is shown, wait for text, click, type).
//! Tests that use it are `#[cfg_attr(not(chromium), ignore = "needs chromium")]`: `build.rs`
//! sets `cfg(chromium)` when `chromium` and `chromedriver` are on PATH.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

use super::Server;

/// Longest wait for anything a page should show.
pub const DEADLINE: Duration = Duration::from_secs(15);

/// Chromium's flags for a closed network as root: without the networking ones it stalls.
const CHROMIUM_FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--disable-dev-shm-usage",
    "--lang=ja",
];

/// A `chromedriver` on a free loopback port, in its own process group so that dropping it
/// also ends the browsers it started.
pub struct Driver {
    child: Child,
    url: String,
}

impl Driver {
    pub fn start() -> Driver {
        use std::os::unix::process::CommandExt;
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("start chromedriver");
        let deadline = Instant::now() + DEADLINE;
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not listen");
            std::thread::sleep(Duration::from_millis(50));
        }
        Driver {
            child,
            url: format!("http://127.0.0.1:{port}"),
        }
    }

    /// A fresh browser session of the given window size, with its own profile directory.
    pub async fn browser(&self, width: u32, height: u32) -> Browser {
        let profile = tempfile::tempdir().expect("profile dir");
        let mut args: Vec<String> = CHROMIUM_FLAGS.iter().map(|f| f.to_string()).collect();
        args.push(format!("--user-data-dir={}", profile.path().display()));
        args.push(format!("--window-size={width},{height}"));
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": which("chromium"), "args": args },
        });
        let Value::Object(capabilities) = capabilities else {
            unreachable!()
        };
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&self.url)
            .await
            .expect("a Chromium session");
        // The window includes the browser's frame: grow it until the page itself (the
        // viewport) has the size asked for.
        client
            .set_window_size(width, height)
            .await
            .expect("window size");
        let inner = client
            .execute("return [window.innerWidth, window.innerHeight];", vec![])
            .await
            .expect("viewport size");
        let measured = |i: usize| inner[i].as_u64().unwrap_or(0) as u32;
        let (frame_w, frame_h) = (
            width.saturating_sub(measured(0)),
            height.saturating_sub(measured(1)),
        );
        if frame_w > 0 || frame_h > 0 {
            client
                .set_window_size(width + frame_w, height + frame_h)
                .await
                .expect("window size");
        }
        Browser {
            client,
            _profile: profile,
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn which(program: &str) -> String {
    std::env::var_os("PATH")
        .and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|dir| dir.join(program))
                .find(|path| path.is_file())
        })
        .map(|path: PathBuf| path.display().to_string())
        .unwrap_or_else(|| program.to_string())
}

/// One browser session; its profile directory lives as long as it does.
pub struct Browser {
    /// The WebDriver session, for what the helpers below do not cover.
    pub client: Client,
    _profile: tempfile::TempDir,
}

impl Browser {
    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.expect("navigate");
    }

    pub async fn run(&self, script: &str, args: Vec<Value>) -> Value {
        self.client.execute(script, args).await.expect("script")
    }

    /// The rendered text of the first element matching `css`, or None when it is absent or
    /// not displayed.
    pub async fn shown(&self, css: &str) -> Option<String> {
        let text = self
            .run(
                "const e = document.querySelector(arguments[0]);
                 return e && e.getClientRects().length > 0 ? e.innerText : null;",
                vec![json!(css)],
            )
            .await;
        text.as_str().map(str::to_string)
    }

    /// Waits until the element matching `css` is displayed with text satisfying `wanted`.
    pub async fn wait_text(&self, css: &str, what: &str, wanted: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + DEADLINE;
        loop {
            let text = self.shown(css).await;
            if let Some(text) = text.as_deref().filter(|text| wanted(text)) {
                return text.to_string();
            }
            assert!(
                Instant::now() < deadline,
                "{what}: {css} shows {text:?} after {DEADLINE:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until `document.body.dataset.transport` is `mode`.
    pub async fn wait_transport(&self, mode: &str) {
        let deadline = Instant::now() + DEADLINE;
        loop {
            let now = self
                .run("return document.body.dataset.transport;", vec![])
                .await;
            if now == json!(mode) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the page's link is {now} after {DEADLINE:?}, not {mode}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn click(&self, css: &str) {
        self.client
            .wait()
            .at_most(DEADLINE)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|error| panic!("{css} never appeared: {error}"))
            .click()
            .await
            .unwrap_or_else(|error| panic!("cannot click {css}: {error}"));
    }

    pub async fn type_into(&self, css: &str, text: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .expect("the field")
            .send_keys(text)
            .await
            .expect("typing");
    }

    pub async fn sign_in(&self, server: &Server, token: &str) {
        self.goto(&server.url("/staff")).await;
        self.type_into("#token", token).await;
        self.click("#signin-form button[type=submit]").await;
    }

    /// Saves a screenshot under `target/<profile>/screenshots/`, never into the tracked
    /// `docs/screenshots/`: a test run must not change the repository. `SCREENSHOTS_DIR`
    /// chooses another directory (the README's command to update its pictures uses it).
    pub async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.expect("screenshot");
        save_screenshot(name, &png);
    }

    /// Saves a screenshot of the first element matching `css` alone (where [`Self::screenshot`]
    /// saves its pictures).
    pub async fn screenshot_of(&self, css: &str, name: &str) {
        let element = self
            .client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|error| panic!("{css}: {error}"));
        let png = element.screenshot().await.expect("element screenshot");
        save_screenshot(name, &png);
    }

    pub async fn close(self) {
        let _ = self.client.close().await;
    }
}

/// Writes a screenshot under `SCREENSHOTS_DIR`, or `target/<profile>/screenshots/`.
fn save_screenshot(name: &str, png: &[u8]) {
    let dir = std::env::var_os("SCREENSHOTS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| super::target_dir().join("screenshots"));
    std::fs::create_dir_all(&dir).expect("the screenshots directory");
    std::fs::write(dir.join(name), png).expect("write screenshot");
}
