//! Who is asking: the session cookie, login and logout, CSRF tokens, roles, and running a
//! request's work on the store away from the async runtime.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use minijinja::context;

use crate::app::LoginError;
use crate::store::{StaffSession, Store};

use super::Console;
use super::render::{page, problem};

const SESSION_COOKIE: &str = "rightsbot_session";
/// Before login there is no session: the login form's CSRF token is a cookie of its own
/// that the form must repeat (double submit).
const LOGIN_COOKIE: &str = "rightsbot_login";

/// What a state-changing request needs besides a live session and its CSRF token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Need {
    /// Any role: read, edit drafts, reclassify, tick actions, log out.
    Handler,
    /// Approve, reject, extend, close.
    Decider,
}

/// A form's fields as posted (a field may repeat: check boxes).
pub(super) struct Fields(Vec<(String, String)>);

impl Fields {
    fn parse(body: &[u8]) -> Fields {
        Fields(serde_urlencoded::from_bytes(body).unwrap_or_default())
    }

    pub(super) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    pub(super) fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
            .collect()
    }

    pub(super) fn checked(&self, name: &str) -> bool {
        self.get(name).is_some()
    }
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|line| line.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_string())
}

fn set_cookie(console: &Console, name: &str, value: &str, remove: bool) -> HeaderValue {
    let secure = if console.secure_cookie {
        "; Secure"
    } else {
        ""
    };
    let age = if remove { "; Max-Age=0" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Strict{secure}{age}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("invalid=; Max-Age=0"))
}

pub(super) fn redirect(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_string())]).into_response()
}

/// Compares two tokens in time that does not depend on where they differ.
fn same_token(given: &str, expected: &str) -> bool {
    given.len() == expected.len()
        && !expected.is_empty()
        && given
            .bytes()
            .zip(expected.bytes())
            .fold(0u8, |diff, (a, b)| diff | (a ^ b))
            == 0
}

/// Runs `work` with the store, on a thread where blocking is allowed.
pub(super) async fn blocking<R, F>(console: &Arc<Console>, work: F) -> Result<R, Response>
where
    R: Send + 'static,
    F: FnOnce(&Console, &mut Store, Timestamp) -> R + Send + 'static,
{
    let console = Arc::clone(console);
    tokio::task::spawn_blocking(move || {
        let now = (console.clock)();
        let mut store = console
            .store
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        work(&console, &mut store, now)
    })
    .await
    .map_err(|err| {
        tracing::error!(error = %err, "console request failed");
        (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
    })
}

/// A page for a signed-in member of staff; without a live session, the login page.
pub(super) async fn signed_in<F>(console: Arc<Console>, headers: &HeaderMap, work: F) -> Response
where
    F: FnOnce(&Console, &mut Store, Timestamp, &StaffSession) -> Response + Send + 'static,
{
    let id = cookie(headers, SESSION_COOKIE);
    blocking(&console, move |console, store, now| {
        match live_session(console, store, id.as_deref(), now) {
            Ok(Some(session)) => work(console, store, now, &session),
            Ok(None) => redirect("/login"),
            Err(response) => *response,
        }
    })
    .await
    .unwrap_or_else(|response| response)
}

/// A state-changing request: a live session, then its CSRF token (403 and nothing done
/// when missing or wrong), then the role, then the work.
pub(super) async fn act<F>(
    console: Arc<Console>,
    headers: &HeaderMap,
    body: Bytes,
    need: Need,
    work: F,
) -> Response
where
    F: FnOnce(&Console, &mut Store, Timestamp, &StaffSession, &Fields) -> Response + Send + 'static,
{
    let id = cookie(headers, SESSION_COOKIE);
    blocking(&console, move |console, store, now| {
        let session = match live_session(console, store, id.as_deref(), now) {
            Ok(Some(session)) => session,
            Ok(None) => return redirect("/login"),
            Err(response) => return *response,
        };
        let fields = Fields::parse(&body);
        let name = session.account.name.as_str();
        let staff = Some(&session);
        if !fields
            .get("csrf")
            .is_some_and(|token| same_token(token, &session.csrf))
        {
            tracing::warn!(staff = name, "console form without its CSRF token refused");
            return problem(
                console,
                StatusCode::FORBIDDEN,
                staff,
                "This form is out of date or did not come from the console. Nothing was changed. Open the page again and repeat.",
                None,
            );
        }
        if need == Need::Decider && !session.account.role.may_decide() {
            return problem(
                console,
                StatusCode::FORBIDDEN,
                staff,
                &format!(
                    "Your role is {}: approving, rejecting, extending and closing need an approver. Nothing was changed.",
                    session.account.role
                ),
                None,
            );
        }
        work(console, store, now, &session, &fields)
    })
    .await
    .unwrap_or_else(|response| response)
}

fn live_session(
    console: &Console,
    store: &Store,
    id: Option<&str>,
    now: Timestamp,
) -> Result<Option<StaffSession>, Box<Response>> {
    let Some(id) = id.filter(|id| !id.is_empty()) else {
        return Ok(None);
    };
    console.app.session(store, id, now).map_err(|err| {
        tracing::error!(error = %err, "console session lookup failed");
        Box::new(problem(
            console,
            StatusCode::SERVICE_UNAVAILABLE,
            None,
            "The store cannot be read just now.",
            None,
        ))
    })
}

/// The login form, with the token its cookie holds: the one the browser has (another tab,
/// or a favicon request that was sent here, must not make an open form stale), else a new one.
fn login_form(
    console: &Console,
    status: StatusCode,
    message: Option<&str>,
    known: Option<String>,
) -> Response {
    let known =
        known.filter(|token| token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit()));
    let token = match known.map_or_else(crate::app::random_token, Ok) {
        Ok(token) => token,
        Err(err) => {
            tracing::error!(error = %err, "no random numbers for a login form");
            return (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response();
        }
    };
    let mut response = page(
        console,
        status,
        "login.html",
        None,
        context! {
            title => console.word(None, "login_title"),
            csrf => &token,
            message => message,
            staff => None::<&str>,
        },
    );
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(console, LOGIN_COOKIE, &token, false),
    );
    response
}

pub(super) async fn login_page(
    State(console): State<Arc<Console>>,
    headers: HeaderMap,
) -> Response {
    let id = cookie(&headers, SESSION_COOKIE);
    let known = cookie(&headers, LOGIN_COOKIE);
    blocking(&console, move |console, store, now| {
        match live_session(console, store, id.as_deref(), now) {
            Ok(Some(_)) => redirect("/"),
            Ok(None) => login_form(console, StatusCode::OK, None, known),
            Err(response) => *response,
        }
    })
    .await
    .unwrap_or_else(|response| response)
}

/// The client's address: the peer, or behind a TLS proxy the address it forwarded last.
fn client_address(console: &Console, request: &Request) -> String {
    if console.behind_proxy
        && let Some(forwarded) = request
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
    {
        return forwarded.trim().to_string();
    }
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or_else(|| "unknown".to_string(), |info| info.0.ip().to_string())
}

pub(super) async fn login(State(console): State<Arc<Console>>, request: Request) -> Response {
    let address = client_address(&console, &request);
    let expected = cookie(request.headers(), LOGIN_COOKIE);
    let known = expected.clone();
    let Ok(body) = axum::body::to_bytes(request.into_body(), 64 * 1024).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "too large").into_response();
    };
    let fields = Fields::parse(&body);
    let login = fields.get("login").unwrap_or("").to_string();
    let password = fields.get("password").unwrap_or("").to_string();
    let code = fields.get("code").unwrap_or("").to_string();
    let token_ok = fields
        .get("csrf")
        .zip(expected.as_deref())
        .is_some_and(|(given, expected)| same_token(given, expected));
    blocking(&console, move |console, store, now| {
        if !token_ok {
            return login_form(
                console,
                StatusCode::FORBIDDEN,
                Some("The login form was out of date. Please log in again."),
                None,
            );
        }
        let credentials = crate::app::Credentials {
            login: &login,
            password: &password,
            code: &code,
        };
        match console.app.login(store, &credentials, &address, now) {
            Ok(signed_in) => {
                let mut response = redirect("/");
                let headers = response.headers_mut();
                headers.append(
                    header::SET_COOKIE,
                    set_cookie(console, SESSION_COOKIE, &signed_in.session, false),
                );
                headers.append(
                    header::SET_COOKIE,
                    set_cookie(console, LOGIN_COOKIE, "", true),
                );
                response
            }
            Err(LoginError::Wrong) => login_form(
                console,
                StatusCode::UNAUTHORIZED,
                Some(console.word(None, "login_wrong")),
                known,
            ),
            Err(LoginError::Throttled { minutes }) => login_form(
                console,
                StatusCode::TOO_MANY_REQUESTS,
                Some(&console.words.fill(
                    console.language(None),
                    "login_throttled",
                    &minutes.to_string(),
                )),
                known,
            ),
            Err(LoginError::App(err)) => {
                tracing::error!(error = %err, "console login failed");
                login_form(
                    console,
                    StatusCode::SERVICE_UNAVAILABLE,
                    Some(console.word(None, "store_unavailable")),
                    known,
                )
            }
        }
    })
    .await
    .unwrap_or_else(|response| response)
}

pub(super) async fn logout(
    State(console): State<Arc<Console>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    act(
        console,
        &headers,
        body,
        Need::Handler,
        |console, store, _now, session, _fields| {
            if let Err(err) = console.app.logout(store, &session.id) {
                tracing::error!(error = %err, "console logout failed");
            }
            let mut response = redirect("/login");
            response.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(console, SESSION_COOKIE, "", true),
            );
            response
        },
    )
    .await
}
