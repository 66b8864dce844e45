//! `waku serve`: a local web workbench and JSON API over a folder of scenarios and budget cycles.
//!
//! One binary, nothing fetched from the network: the page, its script and its style sheet are
//! embedded ([`assets`]), and every response carries a Content-Security-Policy that allows the
//! server's own origin only. The server listens on 127.0.0.1 by default and refuses a request
//! whose `Host` is not that name (DNS rebinding); `--listen` on another address requires a token
//! on every request. The files stay the record: the API runs the CLI's own commands on them
//! ([`api`]), `decide` writes the stage file as `waku decide` does behind a version check, and a
//! saved what-if is an overlay TOML the CLI reads. What the server keeps in memory is a cache:
//! each scenario's review and allocation, so that a what-if on a key the review does not read
//! re-solves the allocation only ([`whatif`]).

mod api;
mod assets;
mod whatif;

use std::collections::HashMap;
use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use clap::Args;

use crate::diagnostic::Diagnostic;
use crate::{Error, Result};

pub use api::ApiError;

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The folder of scenarios and budget cycles to serve.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// The port (0: a free port, printed).
    #[arg(long, default_value_t = 8787)]
    pub port: u16,
    /// The address to listen on. Any address but a loopback one requires the token on every request.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
    pub listen: IpAddr,
    /// Read the token from FILE (its first line) instead of generating one.
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
}

/// How a server is set up.
#[derive(Debug, Clone)]
pub struct Config {
    /// The served folder, as given (paths passed to the commands are joined to it, so their output
    /// names files as `waku run DIR/NAME` would).
    pub root: PathBuf,
    /// The `Host` values accepted (lowercase, with the port); `None` accepts any (the token is then
    /// required).
    pub hosts: Option<Vec<String>>,
    /// The token every request must carry (`Authorization: Bearer …`, the `waku_token` cookie or
    /// `?token=…`); `None` on loopback.
    pub token: Option<String>,
    /// The largest request body, in bytes (413 beyond).
    pub body_limit: usize,
    /// The longest a request may compute (503 beyond).
    pub timeout: Duration,
}

impl Config {
    /// A server on the loopback address at `port`, without a token.
    pub fn local(root: impl Into<PathBuf>, port: u16) -> Config {
        Config {
            root: root.into(),
            hosts: Some(vec![format!("127.0.0.1:{port}"), format!("localhost:{port}"), format!("[::1]:{port}")]),
            token: None,
            body_limit: 64 * 1024,
            timeout: Duration::from_secs(120),
        }
    }

    /// A server listening on `addr`: the loopback names there; elsewhere the token, and the
    /// address itself as the only `Host` (any host on an unspecified address such as 0.0.0.0).
    pub fn listening(root: impl Into<PathBuf>, addr: SocketAddr, token: Option<String>) -> Config {
        let mut c = Config::local(root, addr.port());
        if !addr.ip().is_loopback() {
            c.token = token;
            c.hosts = if addr.ip().is_unspecified() { None } else { Some(vec![addr.to_string().to_lowercase()]) };
        }
        c
    }
}

/// What the handlers share.
pub(crate) struct Server {
    config: Config,
    /// The served folder, resolved (symbolic links followed): every path must stay inside it.
    canonical_root: PathBuf,
    /// Each single-year scenario's review and allocation, by path ([`whatif`]).
    cache: Mutex<HashMap<PathBuf, Arc<whatif::Base>>>,
    /// One write at a time: a version check and the write it guards happen together.
    writes: Mutex<()>,
}

type Shared = Arc<Server>;

/// The router of a server on `config` (the tests send it requests in-process).
pub fn router(config: Config) -> Result<Router> {
    let canonical_root = config.root.canonicalize().map_err(|e| {
        Error::io(format_args!("cannot serve `{}`", crate::diagnostic::Source::display_path(&config.root)), &e)
    })?;
    if !canonical_root.is_dir() {
        return Err(Error::input(
            Diagnostic::error(format!("`{}` is not a folder", config.root.display()))
                .hint("serve the folder that holds the scenarios, e.g. `waku serve scenarios`"),
        ));
    }
    let limit = config.body_limit;
    let server = Arc::new(Server { config, canonical_root, cache: Mutex::default(), writes: Mutex::default() });
    Ok(api::routes()
        .merge(assets::routes())
        .layer(axum::extract::DefaultBodyLimit::max(limit))
        .layer(middleware::from_fn_with_state(Arc::clone(&server), guard))
        .with_state(server))
}

/// Content-Security-Policy: the server's own origin only; no inline script, no fonts, no frames.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   connect-src 'self'; font-src 'none'; object-src 'none'; base-uri 'none'; \
                   form-action 'self'; frame-ancestors 'none'";

/// Every request: the `Host` check (403), the token (401); every response: the security headers.
async fn guard(State(server): State<Shared>, request: Request, next: Next) -> Response {
    let host = request.headers().get(header::HOST).and_then(|h| h.to_str().ok()).map(str::to_lowercase);
    let mut response = match &server.config.hosts {
        Some(hosts) if !host.as_ref().is_some_and(|h| hosts.contains(h)) => ApiError::new(
            StatusCode::FORBIDDEN,
            format!("the Host `{}` is not this server's name", host.unwrap_or_default()),
            format!("open the address `waku serve` printed, e.g. http://{}/", hosts.first().map_or("", |h| h.as_str())),
        )
        .into_response(),
        _ => match token_of(&server, &request) {
            Token::Missing => ApiError::new(
                StatusCode::UNAUTHORIZED,
                "this server needs its token".to_string(),
                "open the address with `?token=…` that `waku serve` printed, or send `Authorization: Bearer …`"
                    .to_string(),
            )
            .into_response(),
            Token::Ok { from_query } => {
                let mut r = next.run(request).await;
                // The page's own requests then carry it as a cookie.
                let cookie = server.config.token.as_ref().filter(|_| from_query).and_then(|t| {
                    HeaderValue::from_str(&format!("waku_token={t}; Path=/; HttpOnly; SameSite=Strict")).ok()
                });
                if let Some(v) = cookie {
                    r.headers_mut().insert(header::SET_COOKIE, v);
                }
                r
            }
        },
    };
    let h = response.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

enum Token {
    Missing,
    Ok { from_query: bool },
}

fn token_of(server: &Server, request: &Request) -> Token {
    let Some(token) = &server.config.token else { return Token::Ok { from_query: false } };
    let same = |given: &str| given.len() == token.len() && given.bytes().zip(token.bytes()).all(|(a, b)| a == b);
    let headers = request.headers();
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|t| same(t.trim()));
    let cookie = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().strip_prefix("waku_token="))
        .any(same);
    if bearer || cookie {
        return Token::Ok { from_query: false };
    }
    let query = request.uri().query().unwrap_or("");
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap_or_default();
    if pairs.iter().any(|(k, v)| k == "token" && same(v)) { Token::Ok { from_query: true } } else { Token::Missing }
}

impl Server {
    /// `name` (relative to the served folder, `/` between folders) as a path to pass to the
    /// commands: 403 when it leaves the folder (`..`, an absolute path, a link pointing out), 404
    /// when there is no such file.
    pub(crate) fn resolve(&self, name: &str) -> std::result::Result<PathBuf, ApiError> {
        let outside = || {
            ApiError::new(
                StatusCode::FORBIDDEN,
                format!("`{name}` is outside the served folder"),
                "name a file inside the folder `waku serve` was given, e.g. `kitakyushu-r8.toml`".to_string(),
            )
        };
        let rel = Path::new(name);
        if name.is_empty() || name.contains('\\') || rel.components().any(|c| !matches!(c, Component::Normal(_))) {
            return Err(outside());
        }
        let path = self.config.root.join(rel);
        let canonical = path.canonicalize().map_err(|_| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                format!("no file `{name}` in the served folder"),
                "see `/api/scenarios` for the files served".to_string(),
            )
        })?;
        if !canonical.starts_with(&self.canonical_root) {
            return Err(outside());
        }
        Ok(path)
    }

    /// A path under the served folder as the API names it (relative, `/` between folders).
    pub(crate) fn name_of(&self, path: &Path) -> String {
        let rel = path.strip_prefix(&self.config.root).unwrap_or(path);
        rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
    }
}

/// `waku serve`: binds, prints the address, and serves until the process is stopped.
pub fn run(args: &ServeArgs, out: &mut dyn Write) -> Result<()> {
    let token = match (&args.token_file, args.listen.is_loopback()) {
        (_, true) => None,
        (Some(f), false) => {
            let text = std::fs::read_to_string(f)
                .map_err(|e| Error::io(format_args!("cannot read the token file `{}`", f.display()), &e))?;
            let t = text.lines().next().unwrap_or("").trim().to_string();
            if t.len() < 16 {
                return Err(Error::input(
                    Diagnostic::error(format!("the token in `{}` is shorter than 16 characters", f.display()))
                        .hint("put a long random token on its first line, or leave out `--token-file` to get one"),
                ));
            }
            Some(t)
        }
        (None, false) => Some(format!("{:032x}", rand::random::<u128>())),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::io("cannot start the server's runtime", &e))?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(SocketAddr::new(args.listen, args.port)).await.map_err(|e| {
            Error::Io(Box::new(
                Diagnostic::error(format!("cannot listen on {}:{}: {e}", args.listen, args.port))
                    .hint("choose another port with `--port N` (`--port 0` takes a free one)"),
            ))
        })?;
        let addr = listener.local_addr().map_err(|e| Error::io("cannot read the address listened on", &e))?;
        let config = Config::listening(&args.dir, addr, token.clone());
        let app = router(config)?;
        let shown = match addr.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), addr.port()),
            _ => addr,
        };
        let url = match &token {
            Some(t) => format!("http://{shown}/?token={t}"),
            None => format!("http://{shown}/"),
        };
        let _ = writeln!(out, "waku serve: {url}");
        let _ = writeln!(out, "  serving `{}`; Ctrl-C stops the server", args.dir.display());
        let _ = out.flush();
        axum::serve(listener, app).await.map_err(|e| Error::io("the server stopped", &e))
    })
}
