//! Pages from templates, the stylesheet, and the headers every response carries.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use super::{Console, WebError};

/// The console's templates, embedded. Every name ends in `.html`, which is what turns on
/// minijinja's auto-escaping: a mail's `<script>` is shown, never run.
const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/web/base.html")),
    ("login.html", include_str!("../../templates/web/login.html")),
    ("queue.html", include_str!("../../templates/web/queue.html")),
    ("case.html", include_str!("../../templates/web/case.html")),
    ("draft.html", include_str!("../../templates/web/draft.html")),
    (
        "overview.html",
        include_str!("../../templates/web/overview.html"),
    ),
    ("cases.html", include_str!("../../templates/web/cases.html")),
    (
        "failed.html",
        include_str!("../../templates/web/failed.html"),
    ),
    (
        "actions.html",
        include_str!("../../templates/web/actions.html"),
    ),
    ("inbox.html", include_str!("../../templates/web/inbox.html")),
    (
        "quarantine.html",
        include_str!("../../templates/web/quarantine.html"),
    ),
    (
        "register.html",
        include_str!("../../templates/web/register.html"),
    ),
    (
        "report.html",
        include_str!("../../templates/web/report.html"),
    ),
    (
        "problem.html",
        include_str!("../../templates/web/problem.html"),
    ),
];

const STYLESHEET: &str = include_str!("../../templates/web/console.css");

pub(super) fn templates() -> Result<minijinja::Environment<'static>, WebError> {
    let mut env = minijinja::Environment::new();
    // A template must not be able to loop forever on hostile data.
    env.set_fuel(Some(5_000_000));
    for (name, source) in TEMPLATES {
        env.add_template(name, source)
            .map_err(|source| WebError::Template {
                name: (*name).to_string(),
                source,
            })?;
    }
    Ok(env)
}

/// What every signed-in page shows of who is logged in, and the CSRF token its forms carry.
pub(super) fn who(session: &crate::store::StaffSession) -> minijinja::Value {
    ser(Who {
        name: &session.account.name,
        role: session.account.role.as_str(),
        may_decide: session.account.role.may_decide(),
        csrf: &session.csrf,
    })
}

#[derive(serde::Serialize)]
struct Who<'a> {
    name: &'a str,
    role: &'a str,
    may_decide: bool,
    csrf: &'a str,
}

/// Any serializable value as a template value.
pub(super) fn ser<T: serde::Serialize>(value: T) -> minijinja::Value {
    minijinja::Value::from(minijinja::value::Serde(value))
}

/// Renders a page; a template failure is logged and answered with 500.
pub(super) fn page(
    console: &Console,
    status: StatusCode,
    name: &str,
    session: Option<&crate::store::StaffSession>,
    context: minijinja::Value,
) -> Response {
    // Every page has its words and its `lang` in the staff member's language.
    let language = console.language(session);
    let context = minijinja::context! {
        w => console.words.value(language),
        lang => language.code(),
        ..context
    };
    let rendered = console
        .templates
        .get_template(name)
        .and_then(|template| template.render(context));
    match rendered {
        Ok(html) => (status, Html(html)).into_response(),
        Err(err) => {
            tracing::error!(template = name, error = %err, "console page failed to render");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "the page could not be shown; the log says why",
            )
                .into_response()
        }
    }
}

/// A page that says what went wrong, with a way back.
pub(super) fn problem(
    console: &Console,
    status: StatusCode,
    staff: Option<&crate::store::StaffSession>,
    text: &str,
    back: Option<&str>,
) -> Response {
    page(
        console,
        status,
        "problem.html",
        staff,
        minijinja::context! {
            title => status.canonical_reason().unwrap_or("Problem"),
            staff => staff.map(who),
            text => text,
            back => back,
        },
    )
}

pub(super) async fn stylesheet() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        STYLESHEET,
    )
        .into_response()
}

/// Headers on every response: no script but our own (there is none), no framing, no
/// guessing of types, and nothing with personal data kept in a cache.
pub(super) async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    let set = [
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        ),
        (header::CACHE_CONTROL, "no-store"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "no-referrer"),
    ];
    for (name, value) in set {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}
