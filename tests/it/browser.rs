//! A real headless Chromium (Debian's `chromium`, which the test command installs), driven
//! over the DevTools protocol on the websocket crate the bot already builds: load a page at
//! a phone's size, record every request the page makes, evaluate expressions in it, and
//! take a screenshot. A small client instead of chromiumoxide: five protocol methods do not
//! earn its thousands of generated bindings in the test build.

use std::collections::HashMap;
use std::process::Stdio;
use std::time::Duration;

use base64::Engine as _;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::net::TcpStream;
use tokio::process::{Child, Command};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// The flags this machine's Chromium needs headless as root, offline.
const FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--remote-debugging-port=0",
];

/// How long any one step may take before the test fails.
const STEP: Duration = Duration::from_secs(30);

pub struct Browser {
    _child: Child,
    _profile: tempfile::TempDir,
    socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
    next_id: u64,
    session: Option<String>,
    /// Events seen while waiting for replies, in order.
    pub events: Vec<Value>,
}

/// A page as Chromium loaded it.
pub struct Loaded {
    /// Every URL the page asked for, the page itself first.
    pub requests: Vec<String>,
}

impl Browser {
    /// Starts Chromium; fails when it is not installed (the test command installs it).
    pub async fn start() -> Self {
        let profile = tempfile::tempdir().expect("a profile directory");
        let mut child = Command::new("chromium")
            .args(FLAGS)
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("chromium runs (scripts/test installs Debian's chromium package)");
        let stderr = child.stderr.take().expect("chromium's stderr");
        let mut lines = BufReader::new(stderr).lines();
        let url = tokio::time::timeout(STEP, async {
            while let Some(line) = lines.next_line().await.expect("reading chromium's stderr") {
                if let Some(url) = line.strip_prefix("DevTools listening on ") {
                    return url.trim().to_owned();
                }
            }
            panic!("chromium exited before it listened for DevTools");
        })
        .await
        .expect("chromium starts");
        // Keep draining stderr so Chromium never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        let (socket, _) = tokio_tungstenite::connect_async(url.as_str())
            .await
            .expect("connecting to DevTools");
        let mut browser = Self {
            _child: child,
            _profile: profile,
            socket,
            next_id: 0,
            session: None,
            events: Vec::new(),
        };
        let target = browser
            .call("Target.createTarget", json!({ "url": "about:blank" }))
            .await;
        let attached = browser
            .call(
                "Target.attachToTarget",
                json!({ "targetId": target["targetId"], "flatten": true }),
            )
            .await;
        browser.session = Some(attached["sessionId"].as_str().unwrap().to_owned());
        browser
    }

    /// Sends one command (to the page once attached) and waits for its result.
    pub async fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({ "id": id, "method": method, "params": params });
        if let Some(session) = &self.session {
            message["sessionId"] = json!(session);
        }
        self.socket
            .send(Message::text(message.to_string()))
            .await
            .expect("sending to DevTools");
        let reply = self
            .receive(|value| value["id"] == id)
            .await
            .unwrap_or_else(|| panic!("{method} timed out"));
        assert!(reply.get("error").is_none(), "{method}: {reply}");
        reply["result"].clone()
    }

    /// Waits for the page's event `method`.
    async fn event(&mut self, method: &str) -> Value {
        if let Some(i) = self.events.iter().position(|e| e["method"] == method) {
            return self.events.remove(i);
        }
        self.receive(|value| value["method"] == method)
            .await
            .unwrap_or_else(|| panic!("no {method} in time"))
    }

    /// The next message from DevTools that `wanted` picks, within [`STEP`]; every other
    /// message on the way is kept in `events`.
    async fn receive(&mut self, wanted: impl Fn(&Value) -> bool) -> Option<Value> {
        tokio::time::timeout(STEP, async {
            loop {
                let frame = self.socket.next().await.expect("DevTools hung up");
                let Ok(Message::Text(text)) = frame else {
                    continue;
                };
                let value: Value = serde_json::from_str(&text).expect("DevTools sends JSON");
                if wanted(&value) {
                    return value;
                }
                self.events.push(value);
            }
        })
        .await
        .ok()
    }

    /// Loads `url` at `width` × `height` CSS pixels, as a phone's browser would, and
    /// returns every request made until the page finished loading.
    pub async fn load(&mut self, url: &str, width: u32, height: u32) -> Loaded {
        self.call(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": width, "height": height, "deviceScaleFactor": 2, "mobile": true }),
        )
        .await;
        self.call("Network.enable", json!({})).await;
        self.call("Page.enable", json!({})).await;
        self.events.clear();
        self.call("Page.navigate", json!({ "url": url })).await;
        self.event("Page.loadEventFired").await;
        // Anything late (a favicon, a lazy image) would come within a moment.
        tokio::time::sleep(Duration::from_millis(300)).await;
        self.call("Runtime.evaluate", json!({ "expression": "1" }))
            .await;
        let mut seen = HashMap::new();
        let requests = self
            .events
            .iter()
            .filter(|e| e["method"] == "Network.requestWillBeSent")
            .filter_map(|e| {
                let url = e["params"]["request"]["url"].as_str()?.to_owned();
                seen.insert(url.clone(), ()).is_none().then_some(url)
            })
            .collect();
        Loaded { requests }
    }

    /// The value of a JavaScript expression in the page (DevTools evaluates it even though
    /// the page's policy allows no script of its own).
    pub async fn eval(&mut self, expression: &str) -> Value {
        let result = self
            .call(
                "Runtime.evaluate",
                json!({ "expression": expression, "returnByValue": true }),
            )
            .await;
        assert!(
            result.get("exceptionDetails").is_none(),
            "{expression}: {result}"
        );
        result["result"]["value"].clone()
    }

    /// Evaluates `expression`, which makes the page navigate (a form's submit), and waits
    /// until the next page has loaded.
    pub async fn navigate_by(&mut self, expression: &str) {
        self.events.clear();
        self.call("Runtime.evaluate", json!({ "expression": expression }))
            .await;
        self.event("Page.loadEventFired").await;
    }

    /// A PNG of the whole page.
    pub async fn screenshot(&mut self) -> Vec<u8> {
        let shot = self
            .call(
                "Page.captureScreenshot",
                json!({ "format": "png", "captureBeyondViewport": true }),
            )
            .await;
        base64::engine::general_purpose::STANDARD
            .decode(shot["data"].as_str().expect("screenshot data"))
            .expect("base64 PNG")
    }
}
