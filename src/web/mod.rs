//! The staff console: the application layer's use-cases as web pages (issue 16).
//!
//! An adapter like the command line: it parses a request, resolves who acts from the
//! session (a [`Staff`](crate::app::Staff) built from the logged-in account, never free
//! text), calls one `App` function and renders the result with minijinja templates from
//! `templates/web/` (all named `.html`, so every value is HTML-escaped). Plain forms, no
//! script; the stylesheet is served from the binary. It never runs SQL, never decides a
//! domain rule, and never renders a mail's HTML: staff see its text.

mod inbox;
mod metrics;
mod overview;
mod pages;
mod register;
mod render;
mod report;
mod session;
mod svg;
mod tls;
mod words;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::routing::{get, post};
use axum::serve::ListenerExt as _;
use jiff::Timestamp;

use crate::app::App;
use crate::store::Store;

/// Where the console's time comes from: the system clock, or a fixed instant (`--now`).
pub type Clock = Arc<dyn Fn() -> Timestamp + Send + Sync>;

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error(transparent)]
    App(#[from] crate::app::AppError),
    #[error("cannot listen on {address}")]
    Listen {
        address: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("the console stopped")]
    Serve(#[source] std::io::Error),
    #[error("[web] {what} {path}: {detail}")]
    Tls {
        what: &'static str,
        path: String,
        detail: String,
    },
    #[error(transparent)]
    Words(#[from] words::WordsError),
    #[error("console template {name}")]
    Template {
        name: String,
        #[source]
        source: minijinja::Error,
    },
}

/// What every request shares: the application, its store (one connection, one user at a
/// time), the templates and the clock.
pub struct Console {
    app: App,
    store: Mutex<Store>,
    templates: minijinja::Environment<'static>,
    words: words::Words,
    clock: Clock,
    secure_cookie: bool,
    behind_proxy: bool,
    /// The daemon's mailbox reconnections in this process (`/metrics`).
    reconnects: Arc<AtomicU64>,
}

impl Console {
    /// The language of a staff member's pages: their account's, else the controller's
    /// default (also before anyone has logged in).
    fn language(&self, session: Option<&crate::store::StaffSession>) -> crate::lang::Lang {
        session
            .and_then(|s| s.account.language)
            .unwrap_or(self.app.config().controller.default_language)
    }

    /// A word in a staff member's language.
    fn word(&self, session: Option<&crate::store::StaffSession>, key: &'static str) -> &str {
        self.words.get(self.language(session), key)
    }

    /// A day in a staff member's language.
    fn date(&self, session: Option<&crate::store::StaffSession>, day: jiff::civil::Date) -> String {
        words::date(self.language(session), day)
    }

    /// An instant in the controller's zone, in a staff member's language.
    fn instant(&self, session: Option<&crate::store::StaffSession>, at: Timestamp) -> String {
        words::instant(
            self.language(session),
            at,
            &self.app.config().controller.timezone.zone,
        )
    }
}

/// The console's routes over an application and its store.
pub fn router(app: App, clock: Clock) -> Result<Router, WebError> {
    router_counting(app, clock, Arc::default())
}

/// The console's routes, with `/metrics` reporting the mailbox reconnections a daemon in
/// this process counts in `reconnects`.
pub fn router_counting(
    app: App,
    clock: Clock,
    reconnects: Arc<AtomicU64>,
) -> Result<Router, WebError> {
    let store = app.store()?;
    let (secure_cookie, behind_proxy) = app.config().web.as_ref().map_or((false, false), |web| {
        (web.secure_cookie(), web.behind_tls_proxy)
    });
    let console = Arc::new(Console {
        app,
        store: Mutex::new(store),
        templates: render::templates()?,
        words: words::Words::load()?,
        clock,
        secure_cookie,
        behind_proxy,
        reconnects,
    });
    Ok(Router::new()
        .route("/healthz", get(pages::health))
        .route("/metrics", get(metrics::metrics))
        .route("/static/console.css", get(render::stylesheet))
        .route("/login", get(session::login_page).post(session::login))
        .route("/logout", post(session::logout))
        .route("/", get(overview::home))
        .route("/cases", get(overview::cases))
        .route("/failed", get(overview::failed))
        .route("/actions", get(overview::actions))
        .route("/queue", get(pages::queue))
        .route("/inbox", get(inbox::inbox))
        .route("/inbox/{message}/open", post(inbox::open))
        .route("/quarantine", get(inbox::quarantine))
        .route("/register", get(register::register))
        .route("/report", get(report::report))
        .route("/report.csv", get(report::csv))
        .route("/report.json", get(report::json))
        .route("/cases/{case}", get(pages::case))
        .route("/cases/{case}/extend", post(pages::extend))
        .route("/cases/{case}/reclassify", post(pages::reclassify))
        .route("/cases/{case}/close", post(pages::close))
        .route("/cases/{case}/verify", post(pages::verify))
        .route("/cases/{case}/assign", post(pages::assign))
        .route("/cases/{case}/actions/{number}", post(pages::action))
        .route(
            "/messages/{message}/attachments/{index}",
            get(pages::attachment),
        )
        .route("/drafts/{draft}", get(pages::draft))
        .route("/drafts/{draft}/approve", post(pages::approve))
        .route("/drafts/{draft}/reject", post(pages::reject))
        .route("/drafts/{draft}/edit", post(pages::edit))
        .fallback(pages::not_found)
        .layer(axum::middleware::map_response(render::security_headers))
        .with_state(console))
}

/// Serves the console on `listen` until `shutdown` completes: HTTPS when `tls` names the
/// certificate and key files, else plain HTTP (loopback, or behind a TLS proxy).
pub async fn serve(
    router: Router,
    listen: SocketAddr,
    tls: Option<(&Path, &Path)>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), WebError> {
    // The files are read before the port is taken, so a bad one fails at start.
    let acceptor = tls
        .map(|(cert, key)| tls::acceptor(cert, key))
        .transpose()?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|source| WebError::Listen {
            address: listen,
            source,
        })?;
    let bound = listener.local_addr().map_err(WebError::Serve)?;
    let service = router.into_make_service_with_connect_info::<SocketAddr>();
    match acceptor {
        Some(acceptor) => {
            tracing::info!(address = %bound, "console listening (https)");
            // `tap_io` only so axum's ConnectInfo (the client address, for throttling)
            // knows this listener's address type.
            let listener = tls::Listener::new(listener, acceptor, bound).tap_io(|_| {});
            axum::serve(listener, service)
                .with_graceful_shutdown(shutdown)
                .await
        }
        None => {
            tracing::info!(address = %bound, "console listening");
            axum::serve(listener, service)
                .with_graceful_shutdown(shutdown)
                .await
        }
    }
    .map_err(WebError::Serve)
}
