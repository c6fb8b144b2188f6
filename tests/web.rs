//! The staff console over HTTP, in-process (`tower::ServiceExt::oneshot`): every route
//! wants a session, forms want their CSRF token, roles and four-eyes hold, a disabled
//! account's session ends, sessions time out, and failed logins are throttled.

mod support;

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, Response, StatusCode, header};
use http_body_util::BodyExt;
use jiff::{SignedDuration, Timestamp};
use tower::ServiceExt;

use rightsbot::app::App;
use rightsbot::config::Config;
use support::{Running, Sandbox, example_config, free_port, repo};

const NOW: &str = "2026-10-14T09:00:00+03:00";
const PASSWORD: &str = "correct horse battery";

/// The example shop with a handler and two approvers, four-eyes on.
fn shop(extra: &str) -> Sandbox {
    let config = format!(
        "{}\n[approval]\nfour_eyes = true\n\n[web]\n{extra}\n",
        example_config()
    );
    let sandbox = Sandbox::with_config(&config);
    sandbox.ok(&["--now", NOW, "register", "import"]);
    let mailbox = repo().join("examples/mailbox").display().to_string();
    sandbox.ok(&["--now", NOW, "ingest", &mailbox]);
    // Hanna reads the console in English, Aapo in the controller's Finnish, Bea in Swedish.
    for (name, role, language) in [
        ("hanna", "handler", Some("en")),
        ("aapo", "approver", None),
        ("bea", "approver", Some("sv")),
    ] {
        add_staff(&sandbox, name, role, language);
    }
    sandbox
}

fn add_staff(sandbox: &Sandbox, name: &str, role: &str, language: Option<&str>) {
    use std::io::Write;
    let email = format!("{name}@kestokauppa.example.test");
    let mut args = vec!["staff", "add", name, "--email", &email, "--role", role];
    if let Some(language) = language {
        args.extend(["--language", language]);
    }
    let mut child = sandbox
        .command(&args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run staff add");
    writeln!(child.stdin.take().expect("stdin"), "{PASSWORD}").expect("write password");
    let output = child.wait_with_output().expect("staff add");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The console over the sandbox's store, with a clock the test moves.
struct Console {
    router: Router,
    clock: Arc<Mutex<Timestamp>>,
    config: std::path::PathBuf,
}

impl Console {
    fn new(sandbox: &Sandbox) -> Console {
        let clock = Arc::new(Mutex::new(NOW.parse::<Timestamp>().expect("now")));
        let shared = Arc::clone(&clock);
        let app = App::new(Config::load(&sandbox.config).expect("config"));
        let router = rightsbot::web::router(app, Arc::new(move || *shared.lock().expect("clock")))
            .expect("router");
        Console {
            router,
            clock,
            config: sandbox.config.clone(),
        }
    }

    fn advance(&self, by: SignedDuration) {
        let mut now = self.clock.lock().expect("clock");
        *now += by;
    }

    async fn send(&self, request: Request<Body>) -> (Response<()>, String) {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("response");
        let (parts, body) = response.into_parts();
        let bytes = body.collect().await.expect("body").to_bytes();
        (
            Response::from_parts(parts, ()),
            String::from_utf8_lossy(&bytes).into_owned(),
        )
    }

    async fn get(&self, path: &str, session: Option<&Session>) -> (Response<()>, String) {
        let mut request = Request::get(path);
        if let Some(session) = session {
            request = request.header(header::COOKIE, &session.cookie);
        }
        self.send(request.body(Body::empty()).expect("request"))
            .await
    }

    async fn post(
        &self,
        path: &str,
        session: Option<&Session>,
        form: &[(&str, &str)],
    ) -> (Response<()>, String) {
        let mut request =
            Request::post(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(session) = session {
            request = request.header(header::COOKIE, &session.cookie);
        }
        let body = serde_urlencoded_pairs(form);
        self.send(request.body(Body::from(body)).expect("request"))
            .await
    }

    /// Logs in; the response's status and the session when one was started.
    async fn try_login(&self, login: &str, password: &str) -> (StatusCode, Option<Session>) {
        self.try_login_with_code(login, password, "").await
    }

    /// Logs in with a TOTP code as well (empty: none typed).
    async fn try_login_with_code(
        &self,
        login: &str,
        password: &str,
        code: &str,
    ) -> (StatusCode, Option<Session>) {
        let (response, page) = self.get("/login", None).await;
        let login_cookie = set_cookie(&response, "rightsbot_login").expect("login cookie");
        let token = hidden(&page, "csrf").expect("login csrf");
        let request = Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, format!("rightsbot_login={login_cookie}"))
            .body(Body::from(serde_urlencoded_pairs(&[
                ("csrf", &token),
                ("login", login),
                ("password", password),
                ("code", code),
            ])))
            .expect("request");
        let (response, _) = self.send(request).await;
        let status = response.status();
        let Some(id) = set_cookie(&response, "rightsbot_session") else {
            return (status, None);
        };
        let mut session = Session {
            cookie: format!("rightsbot_session={id}"),
            csrf: String::new(),
            set_cookie: response
                .headers()
                .get_all(header::SET_COOKIE)
                .iter()
                .map(|v| v.to_str().unwrap_or("").to_string())
                .collect(),
        };
        let (_, queue) = self.get("/queue", Some(&session)).await;
        session.csrf =
            hidden(&queue, "csrf").unwrap_or_else(|| panic!("no session csrf in: {queue}"));
        (status, Some(session))
    }

    async fn login(&self, login: &str) -> Session {
        let (status, session) = self.try_login(login, PASSWORD).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        session.expect("a session")
    }

    /// A draft as the store holds it now.
    fn draft_state(&self, draft: &str) -> String {
        let output = support::bin()
            .args(["--config"])
            .arg(&self.config)
            .args(["--json", "--now", NOW, "show", draft])
            .output()
            .expect("show");
        let shown: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
        shown["state"].as_str().expect("state").to_string()
    }

    fn drafts_of(&self, case: &str) -> usize {
        let output = support::bin()
            .args(["--config"])
            .arg(&self.config)
            .args(["--json", "--now", NOW, "show", case])
            .output()
            .expect("show");
        let shown: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
        shown["drafts"].as_array().expect("drafts").len()
    }
}

struct Session {
    cookie: String,
    csrf: String,
    set_cookie: Vec<String>,
}

fn serde_urlencoded_pairs(form: &[(&str, &str)]) -> String {
    form.iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn set_cookie(response: &Response<()>, name: &str) -> Option<String> {
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, value)| *key == name && !value.is_empty())
        .map(|(_, value)| value.to_string())
}

fn hidden(page: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page.find(&marker)? + marker.len();
    let end = page[start..].find('"')?;
    Some(page[start..start + end].to_string())
}

fn location(response: &Response<()>) -> &str {
    response
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// The first reply draft waiting in the queue (the example's DSR-2026-0001).
async fn first_draft(console: &Console, session: &Session) -> String {
    let (_, page) = console.get("/queue", Some(session)).await;
    let start =
        page.find("href=\"/drafts/").expect("a draft in the queue") + "href=\"/drafts/".len();
    page[start..start + page[start..].find('"').expect("end")].to_string()
}

#[tokio::test]
async fn every_page_and_form_without_a_session_goes_to_the_login_page() {
    let sandbox = shop("");
    let console = Console::new(&sandbox);
    for path in [
        "/",
        "/queue",
        "/cases/DSR-2026-0001",
        "/drafts/D1",
        "/messages/M1/attachments/0",
        "/cases?show=overdue",
        "/failed",
        "/actions?owner=-",
        "/inbox",
        "/quarantine",
        "/register?email=ville.nieminen%40vanha.example.test",
        "/report?from=2026-01-01&to=2026-12-31",
        "/report.csv",
        "/report.json",
        "/nowhere",
    ] {
        let (response, _) = console.get(path, None).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{path}");
        assert_eq!(location(&response), "/login", "{path}");
    }
    for path in [
        "/logout",
        "/drafts/D1/approve",
        "/drafts/D1/reject",
        "/drafts/D1/edit",
        "/cases/DSR-2026-0001/extend",
        "/cases/DSR-2026-0001/reclassify",
        "/cases/DSR-2026-0001/close",
        "/cases/DSR-2026-0001/actions/A1",
        "/cases/DSR-2026-0001/assign",
        "/cases/DSR-2026-0001/verify",
        "/inbox/M1/open",
    ] {
        let (response, _) = console.post(path, None, &[("csrf", "x")]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{path}");
        assert_eq!(location(&response), "/login", "{path}");
    }
    // What needs no login, and says nothing personal.
    let (response, body) = console.get("/healthz", None).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(body.contains("\"store\":\"ok\""), "{body}");
    let (response, _) = console.get("/static/console.css", None).await;
    assert_eq!(response.status(), StatusCode::OK);
    let (response, page) = console.get("/login", None).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(page.contains("<form method=\"post\" action=\"/login\""));
    for (name, value) in [
        (header::CACHE_CONTROL, "no-store"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    ] {
        assert_eq!(response.headers()[&name], value);
    }
    let policy = response.headers()[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .expect("csp");
    assert!(policy.contains("default-src 'self'") && policy.contains("frame-ancestors 'none'"));
    assert!(policy.contains("script-src 'none'"), "{policy}");
}

#[tokio::test]
async fn the_session_cookie_is_http_only_and_strict_and_login_works_by_address_too() {
    let sandbox = shop("");
    let console = Console::new(&sandbox);
    let session = console.login("hanna@kestokauppa.example.test").await;
    let cookie = session
        .set_cookie
        .iter()
        .find(|c| c.starts_with("rightsbot_session="))
        .expect("session cookie");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    assert!(
        !cookie.contains("Secure"),
        "plain http on loopback: {cookie}"
    );
    assert_eq!(session.cookie.len(), "rightsbot_session=".len() + 64);
    let (response, page) = console.get("/queue", Some(&session)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(page.contains("DSR-2026-0001"), "{page}");
    assert!(page.contains("working days left"));

    let secure = shop("public_url = \"https://privacy.kestokauppa.example.test\"");
    let console = Console::new(&secure);
    let session = console.login("hanna").await;
    assert!(
        session
            .set_cookie
            .iter()
            .any(|c| c.starts_with("rightsbot_session=") && c.contains("; Secure")),
        "{:?}",
        session.set_cookie
    );
}

#[tokio::test]
async fn a_handler_cannot_approve_reject_extend_or_close() {
    let sandbox = shop("");
    let console = Console::new(&sandbox);
    let hanna = console.login("hanna").await;
    let draft = first_draft(&console, &hanna).await;
    let csrf = hanna.csrf.as_str();
    for (path, form) in [
        (format!("/drafts/{draft}/approve"), vec![("csrf", csrf)]),
        (
            format!("/drafts/{draft}/reject"),
            vec![("csrf", csrf), ("reason", "no")],
        ),
        (
            "/cases/DSR-2026-0001/extend".to_string(),
            vec![("csrf", csrf), ("months", "1"), ("reason", "complex")],
        ),
        (
            "/cases/DSR-2026-0001/close".to_string(),
            vec![("csrf", csrf), ("outcome", "done")],
        ),
    ] {
        let (response, page) = console.post(&path, Some(&hanna), &form).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{path}");
        assert!(page.contains("Nothing was changed"), "{page}");
    }
    assert_eq!(console.draft_state(&draft), "pending");
    let (_, page) = console.get(&format!("/drafts/{draft}"), Some(&hanna)).await;
    assert!(
        !page.contains("id=\"approve\""),
        "a handler sees no approve button"
    );
    assert!(page.contains("id=\"save-edit\""));
}

#[tokio::test]
async fn a_form_without_its_csrf_token_changes_nothing() {
    let sandbox = shop("");
    let console = Console::new(&sandbox);
    let aapo = console.login("aapo").await;
    let draft = first_draft(&console, &aapo).await;
    let drafts = console.drafts_of("DSR-2026-0001");
    for csrf in [None, Some("0".repeat(64)), Some(String::new())] {
        let mut form = vec![("body", "A new text")];
        if let Some(csrf) = &csrf {
            form.push(("csrf", csrf));
        }
        let (response, _) = console
            .post(&format!("/drafts/{draft}/approve"), Some(&aapo), &form)
            .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        let (response, _) = console
            .post(&format!("/drafts/{draft}/edit"), Some(&aapo), &form)
            .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
    }
    // Another session's token is no token for this one.
    let bea = console.login("bea").await;
    let (response, _) = console
        .post(
            &format!("/drafts/{draft}/approve"),
            Some(&aapo),
            &[("csrf", &bea.csrf)],
        )
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    // The login form wants its own token too.
    let request = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!(
            "login=aapo&password={}",
            encode(PASSWORD)
        )))
        .expect("request");
    let (response, _) = console.send(request).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(set_cookie(&response, "rightsbot_session").is_none());
    assert_eq!(console.draft_state(&draft), "pending");
    assert_eq!(console.drafts_of("DSR-2026-0001"), drafts);
}

#[tokio::test]
async fn four_eyes_an_editor_cannot_approve_their_own_text_another_approver_can() {
    let sandbox = shop("");
    let console = Console::new(&sandbox);
    let aapo = console.login("aapo").await;
    let draft = first_draft(&console, &aapo).await;
    let (_, page) = console.get(&format!("/drafts/{draft}"), Some(&aapo)).await;
    let start = page.find("<textarea").expect("edit form");
    let text_start = start + page[start..].find('>').expect(">") + 1;
    let text_end = text_start + page[text_start..].find("</textarea>").expect("end");
    let body = page[text_start..text_end]
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#x2f;", "/");
    let edited_text = format!("{body}\nTerveisin Aapo");
    let (response, _) = console
        .post(
            &format!("/drafts/{draft}/edit"),
            Some(&aapo),
            &[("csrf", &aapo.csrf), ("body", &edited_text)],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let edited = location(&response)
        .trim_start_matches("/drafts/")
        .split('?')
        .next()
        .expect("draft")
        .to_string();
    assert_ne!(edited, draft);
    // The new draft shows what the edit changed.
    let (_, page) = console.get(&format!("/drafts/{edited}"), Some(&aapo)).await;
    let changes = page
        .split("id=\"draft-changes\">")
        .nth(1)
        .unwrap_or_else(|| panic!("no changes shown: {page}"));
    assert!(
        changes.contains("<span class=\"added\">+ Terveisin Aapo</span>"),
        "{changes}"
    );
    let (response, page) = console
        .post(
            &format!("/drafts/{edited}/approve"),
            Some(&aapo),
            &[("csrf", &aapo.csrf), ("open_actions_confirmed", "1")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN, "{page}");
    assert!(page.contains("four_eyes"), "{page}");
    assert_eq!(console.draft_state(&edited), "pending");
    let bea = console.login("bea").await;
    let (response, page) = console
        .post(
            &format!("/drafts/{edited}/approve"),
            Some(&bea),
            &[("csrf", &bea.csrf), ("open_actions_confirmed", "1")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "{page}");
    assert_ne!(console.draft_state(&edited), "pending");
}

#[tokio::test]
async fn a_disabled_accounts_session_stops_working() {
    let sandbox = shop("");
    let console = Console::new(&sandbox);
    let hanna = console.login("hanna").await;
    let (response, _) = console.get("/queue", Some(&hanna)).await;
    assert_eq!(response.status(), StatusCode::OK);
    sandbox.ok(&["staff", "disable", "hanna"]);
    let (response, _) = console.get("/queue", Some(&hanna)).await;
    assert_eq!(location(&response), "/login");
    let (status, session) = console.try_login("hanna", PASSWORD).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(session.is_none());
}

#[tokio::test]
async fn sessions_end_when_idle_and_after_their_absolute_lifetime() {
    let sandbox = shop("session_idle_minutes = 30\nsession_absolute_hours = 2");
    let console = Console::new(&sandbox);
    let hanna = console.login("hanna").await;
    console.advance(SignedDuration::from_mins(31));
    let (response, _) = console.get("/queue", Some(&hanna)).await;
    assert_eq!(location(&response), "/login", "idle");

    let hanna = console.login("hanna").await;
    for _ in 0..4 {
        console.advance(SignedDuration::from_mins(25));
        let (response, _) = console.get("/queue", Some(&hanna)).await;
        assert_eq!(response.status(), StatusCode::OK);
    }
    console.advance(SignedDuration::from_mins(25));
    let (response, _) = console.get("/queue", Some(&hanna)).await;
    assert_eq!(location(&response), "/login", "absolute");
}

#[tokio::test]
async fn failed_logins_are_throttled_per_account_and_per_address() {
    let sandbox = shop("login_failures_per_account = 3\nlogin_failures_per_address = 6");
    let console = Console::new(&sandbox);
    for _ in 0..3 {
        let (status, _) = console.try_login("hanna", "wrong password!").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    // Now even the right password is refused, for this account only.
    let (status, session) = console.try_login("hanna", PASSWORD).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(session.is_none());
    console.login("aapo").await;
    // From one address, failures over any names add up.
    for name in ["nobody", "someone"] {
        let (status, _) = console.try_login(name, "wrong password!").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, _) = console.try_login("bea", PASSWORD).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    // The window passes.
    console.advance(SignedDuration::from_mins(16));
    console.login("hanna").await;
}

#[test]
fn staff_accounts_from_the_command_line() {
    let sandbox = Sandbox::with_config(&example_config());
    add_staff(&sandbox, "sanna", "approver", None);
    let listed = sandbox.ok(&["staff", "list"]);
    assert!(
        listed.contains("sanna\tapprover\tsanna@kestokauppa.example.test"),
        "{listed}"
    );
    assert!(!listed.contains("argon2"), "no hash is shown: {listed}");
    let again = sandbox
        .command(&[
            "staff",
            "add",
            "sanna",
            "--email",
            "s@example.test",
            "--role",
            "handler",
        ])
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run");
    support::assert_user_error(&again);
    let usage = sandbox.run(&[
        "staff",
        "add",
        "x",
        "--email",
        "x@example.test",
        "--role",
        "boss",
    ]);
    assert_eq!(
        usage.status.code(),
        Some(2),
        "no such role is a usage error"
    );
}

#[test]
fn a_console_beyond_loopback_without_tls_is_refused() {
    let config = format!("{}\n[web]\nlisten = \"0.0.0.0:8750\"\n", example_config());
    let sandbox = Sandbox::with_config(&config);
    let line = support::assert_user_error(&sandbox.run(&["config", "check"]));
    assert!(line.contains("behind_tls_proxy"), "{line}");
    let proxied = format!(
        "{}\n[web]\nlisten = \"0.0.0.0:8750\"\nbehind_tls_proxy = true\n",
        example_config()
    );
    Sandbox::with_config(&proxied).ok(&["config", "check"]);
}

/// Issue 16: once staff accounts exist, whoever the command line says acts (`--by`,
/// `RIGHTSBOT_STAFF`, the login name) must be an active account with the role the action
/// needs; each refusal is one line that says why, and nothing changes.
#[test]
fn once_accounts_exist_the_command_lines_actor_must_be_an_active_account_with_the_role() {
    let sandbox = shop("");
    let queue = sandbox.ok(&["--json", "queue"]);
    let first: serde_json::Value =
        serde_json::from_str(queue.lines().next().expect("a draft waits")).expect("json");
    let draft = first["draft"].as_str().expect("draft id").to_string();
    let case = first["case"].as_str().expect("case id").to_string();
    let state = || sandbox.json(&["show", &draft])["state"].clone();

    let line = support::assert_user_error(&sandbox.run(&[
        "--now", NOW, "reject", &draft, "--by", "nobody", "--reason", "x",
    ]));
    assert!(
        line.contains("nobody may not reject a draft: no staff account has that name"),
        "{line}"
    );
    assert_eq!(line.lines().count(), 1, "{line}");
    let line = support::assert_user_error(&sandbox.run(&[
        "--now", NOW, "reject", &draft, "--by", "hanna", "--reason", "x",
    ]));
    assert!(
        line.contains(
            "hanna may not reject a draft: that needs the approver role, and hanna is a handler"
        ),
        "{line}"
    );
    let from_env = sandbox
        .command(&["--now", NOW, "close", &case, "--outcome", "x"])
        .env("RIGHTSBOT_STAFF", "hanna")
        .output()
        .expect("run");
    let line = support::assert_user_error(&from_env);
    assert!(line.contains("hanna may not close a case"), "{line}");
    let from_login = sandbox
        .command(&["--now", NOW, "close", &case, "--outcome", "x"])
        .env_remove("RIGHTSBOT_STAFF")
        .env("USER", "root")
        .output()
        .expect("run");
    let line = support::assert_user_error(&from_login);
    assert!(line.contains("root may not close a case"), "{line}");
    sandbox.ok(&["staff", "disable", "bea"]);
    let line = support::assert_user_error(&sandbox.run(&[
        "--now", NOW, "reject", &draft, "--by", "bea", "--reason", "x",
    ]));
    assert!(
        line.contains("bea may not reject a draft: the staff account is disabled"),
        "{line}"
    );
    assert_eq!(state(), "pending", "nothing changed");

    // A handler may reclassify; an approver named by address rejects, recorded by name.
    sandbox.ok(&[
        "--now",
        NOW,
        "reclassify",
        &case,
        "--kinds",
        "access",
        "--by",
        "hanna",
    ]);
    let queue = sandbox.ok(&["--json", "queue"]);
    let redrafted = queue
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("json"))
        .find(|l| l["case"] == case.as_str())
        .expect("the case's new draft");
    let redrafted = redrafted["draft"].as_str().expect("draft id").to_string();
    sandbox.ok(&[
        "--now",
        NOW,
        "reject",
        &redrafted,
        "--by",
        "aapo@kestokauppa.example.test",
        "--reason",
        "x",
    ]);
    let shown = sandbox.json(&["show", &redrafted]);
    assert_eq!(shown["state"], "rejected", "{shown}");
    assert_eq!(shown["decided_by"], "aapo", "{shown}");
}

/// Without any staff account, anyone named may act, as before accounts existed.
#[test]
fn without_accounts_any_named_actor_may_act() {
    let sandbox = Sandbox::with_config(&example_config());
    sandbox.ok(&["--now", NOW, "register", "import"]);
    let mailbox = repo().join("examples/mailbox").display().to_string();
    sandbox.ok(&["--now", NOW, "ingest", &mailbox]);
    let queue = sandbox.ok(&["--json", "queue"]);
    let first: serde_json::Value =
        serde_json::from_str(queue.lines().next().expect("a draft waits")).expect("json");
    let draft = first["draft"].as_str().expect("draft id").to_string();
    sandbox.ok(&[
        "--now", NOW, "reject", &draft, "--by", "anyone", "--reason", "x",
    ]);
}

/// Issue 16: each account reads the console in its own language (`staff add --language`,
/// else the controller's), dates written as that language writes them.
#[tokio::test]
async fn pages_are_in_each_accounts_language_with_its_dates() {
    let sandbox = shop("");
    let console = Console::new(&sandbox);
    let (_, login) = console.get("/login", None).await;
    assert!(login.contains("<html lang=\"fi\">"), "{login}");
    assert!(
        login.contains("Kirjaudu"),
        "before login, the controller's language: {login}"
    );
    let case = "/cases/DSR-2026-0001";
    for (name, lang, queue_title, case_words, date) in [
        (
            "hanna",
            "en",
            "Drafts waiting for approval",
            "Audit trail",
            " October 2026",
        ),
        (
            "aapo",
            "fi",
            "Hyväksyntää odottavat luonnokset",
            "Tapahtumahistoria",
            ".10.2026",
        ),
        (
            "bea",
            "sv",
            "Utkast som väntar på godkännande",
            "Händelselogg",
            " oktober 2026",
        ),
    ] {
        let session = console.login(name).await;
        let (response, page) = console.get("/queue", Some(&session)).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert!(
            page.contains(&format!("<html lang=\"{lang}\">")),
            "{name}: {page}"
        );
        assert!(page.contains(queue_title), "{name}: {page}");
        let (_, page) = console.get(case, Some(&session)).await;
        assert!(page.contains(case_words), "{name}: {page}");
        assert!(page.contains(date), "{name}: {page}");
        // Rights, states and purposes are words of the account's language, not codes.
        let (erasure, state) = match lang {
            "fi" => ("poisto", "avoin"),
            "sv" => ("radering", "öppen"),
            _ => ("erasure", "open"),
        };
        let rights = page
            .split("<dd>")
            .find(|part| part.contains(erasure))
            .unwrap_or_else(|| panic!("{name}: no {erasure} on {page}"));
        assert!(
            !rights.contains("direct_marketing_optout"),
            "{name}: {rights}"
        );
        assert!(page.contains(state), "{name}: {page}");
        // The words each right was read from are marked in the mail, named by the right.
        assert!(
            page.contains(&format!("<mark title=\"{erasure}\">poistatte kaikki")),
            "{name}: {page}"
        );
        assert!(
            !page.contains("2026-10-"),
            "{name}: an ISO date on the page: {page}"
        );
    }
    let listed = sandbox.ok(&["staff", "list"]);
    assert!(
        listed.contains("aapo\tapprover\taapo@kestokauppa.example.test\tfi"),
        "{listed}"
    );
    assert!(
        listed.contains("bea\tapprover\tbea@kestokauppa.example.test\tsv"),
        "{listed}"
    );
}

/// Issue 18: a case in triage because only the classifier's model read one of its rights
/// says on its page which right, in which sentence, in the staff member's language.
#[tokio::test]
async fn a_case_page_names_the_right_only_the_model_read() {
    names_the_right_to_confirm(
        "optout-model-read.eml",
        "Mitt konto",
        [
            "Rights only the model read",
            "Rättigheter som bara modellen läste",
        ],
        "utskicken med erbjudanden",
    )
    .await;
}

/// The console names a right asked only by a short sentence read with the one before it,
/// with both sentences, in the account's language.
#[tokio::test]
async fn a_case_page_names_the_right_read_with_the_sentence_before() {
    names_the_right_to_confirm(
        "optout-read-together.eml",
        "Tilini",
        [
            "Rights asked only by a short sentence read with the one before it",
            "Rättigheter som en kort mening bara begär läst med meningen före",
        ],
        "Laittakaa ne pois",
    )
    .await;
}

/// Ingests `fixture` (whose opt-out a person is to confirm) and checks that its case page
/// has the section headed `headings` (en, sv) naming the right in words with `sentence`,
/// for an English and a Swedish account; and that a case the rules read alone has none.
async fn names_the_right_to_confirm(
    fixture: &str,
    subject: &str,
    headings: [&str; 2],
    sentence: &str,
) {
    let sandbox = shop("");
    let fixture = repo()
        .join("tests/fixtures/drafts")
        .join(fixture)
        .display()
        .to_string();
    sandbox.ok(&["--now", NOW, "ingest", &fixture]);
    let cases = sandbox.json(&["cases"]);
    let case = cases
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["subject"] == subject)
        .and_then(|c| c["id"].as_str())
        .unwrap_or_else(|| panic!("{cases}"))
        .to_string();
    let console = Console::new(&sandbox);
    for (name, heading, right) in [
        ("hanna", headings[0], "no direct marketing"),
        ("bea", headings[1], "nej till direktmarknadsföring"),
    ] {
        let session = console.login(name).await;
        let (_, page) = console.get(&format!("/cases/{case}"), Some(&session)).await;
        let section = page
            .split(heading)
            .nth(1)
            .and_then(|rest| rest.split("</ul>").next())
            .unwrap_or_else(|| panic!("{name}: no {heading:?} on {page}"));
        assert!(section.contains(right), "{name}: {section}");
        assert!(section.contains(sentence), "{name}: {section}");
    }
    let session = console.login("hanna").await;
    let (_, page) = console.get("/cases/DSR-2026-0001", Some(&session)).await;
    assert!(!page.contains(headings[0]), "{page}");
}

/// Issue 16: the queue filters by purpose and language, and pages by 50 (here, through the
/// application layer, by 2); the page's links keep the filters.
#[tokio::test]
async fn the_queue_filters_by_purpose_and_language_and_pages() {
    use rightsbot::app::QueueFilter;
    let sandbox = shop("");
    let app = App::new(Config::load(&sandbox.config).expect("config"));
    let store = app.store().expect("store");
    let now: Timestamp = NOW.parse().expect("now");
    let all = app.queue(&store, now).expect("queue");
    assert!(
        all.len() >= 3,
        "the example has drafts waiting: {}",
        all.len()
    );
    let first = app
        .queue_page(&store, now, QueueFilter::default(), 1, 2)
        .expect("page 1");
    assert_eq!(
        (first.total, first.page, first.pages),
        (all.len(), 1, all.len().div_ceil(2))
    );
    assert_eq!(first.lines.len(), 2);
    let last = app
        .queue_page(&store, now, QueueFilter::default(), 999, 2)
        .expect("past the end");
    assert_eq!(last.page, last.pages, "a page past the end is the last");
    assert_eq!(
        last.lines.last().map(|l| l.entry.draft),
        all.last().map(|l| l.entry.draft)
    );
    let language = all[0].entry.language;
    let same = app
        .queue_page(
            &store,
            now,
            QueueFilter {
                purpose: None,
                language: Some(language),
            },
            1,
            50,
        )
        .expect("by language");
    assert!(same.lines.iter().all(|l| l.entry.language == language));
    assert_eq!(
        same.total,
        all.iter().filter(|l| l.entry.language == language).count()
    );

    let console = Console::new(&sandbox);
    let hanna = console.login("hanna").await;
    let (_, page) = console
        .get(&format!("/queue?language={language}"), Some(&hanna))
        .await;
    assert!(
        page.contains(&format!("<option value=\"{language}\" selected>")),
        "{page}"
    );
    let rows = page.matches("<tr class=\"urgency-").count();
    assert_eq!(rows, same.total, "{page}");
    let (_, page) = console
        .get("/queue?purpose=recipient_notice", Some(&hanna))
        .await;
    assert!(page.contains("No draft is waiting."), "{page}");
    // Nonsense in the address is no filter and no error.
    let (response, page) = console
        .get("/queue?purpose=%3Cscript%3E&page=x", Some(&hanna))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        page.matches("<tr class=\"urgency-").count(),
        all.len().min(50)
    );
}

/// Issue 16: with `tls_cert_file` and `tls_key_file` the console serves HTTPS itself, may
/// then listen beyond loopback, and its cookies are `Secure`; plain HTTP gets no page. A
/// certificate without its key is a configuration error that names both settings.
#[test]
fn the_console_serves_https_itself_when_given_a_certificate() {
    use std::io::{Read, Write};
    use std::process::Stdio;
    use std::time::{Duration, Instant};

    let certs = tempfile::tempdir().unwrap();
    // A test CA and a certificate it signs for 127.0.0.1 (webpki takes no CA as a server).
    let openssl = |args: &[&str]| {
        let made = std::process::Command::new("openssl")
            .args([
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
            ])
            .args(["-nodes", "-days", "2"])
            .args(args)
            .current_dir(certs.path())
            .stderr(Stdio::null())
            .status()
            .expect("openssl (Debian package openssl)");
        assert!(made.success(), "openssl {args:?}");
    };
    openssl(&[
        "-subj",
        "/CN=rightsbot test CA",
        "-keyout",
        "ca.key",
        "-out",
        "ca.crt",
    ]);
    openssl(&[
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-subj",
        "/CN=localhost",
        "-addext",
        "subjectAltName=IP:127.0.0.1",
        "-addext",
        "basicConstraints=critical,CA:FALSE",
        "-keyout",
        "console.key",
        "-out",
        "console.crt",
    ]);
    let cert = certs.path().join("console.crt").display().to_string();
    let key = certs.path().join("console.key").display().to_string();
    let half = format!("{}\n[web]\ntls_cert_file = \"{cert}\"\n", example_config());
    let line = support::assert_user_error(&Sandbox::with_config(&half).run(&["config", "check"]));
    assert!(
        line.contains("tls_cert_file") && line.contains("tls_key_file"),
        "{line}"
    );
    let beyond = format!(
        "{}\n[web]\nlisten = \"0.0.0.0:8750\"\ntls_cert_file = \"{cert}\"\ntls_key_file = \"{key}\"\n",
        example_config()
    );
    Sandbox::with_config(&beyond).ok(&["config", "check"]);

    let port = free_port();
    let config = format!(
        "{}\n[web]\nlisten = \"127.0.0.1:{port}\"\ntls_cert_file = \"console.crt\"\ntls_key_file = \"console.key\"\n",
        example_config()
    );
    // Relative names are read beside the configuration file.
    let sandbox = Sandbox::with_config(&config);
    for name in ["console.crt", "console.key"] {
        std::fs::copy(certs.path().join(name), sandbox.path().join(name)).unwrap();
    }
    let _web = Running(
        sandbox
            .command(&["web"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("rightsbot web"),
    );

    let roots = {
        use rustls_pki_types::pem::PemObject;
        let mut roots = rustls::RootCertStore::empty();
        for cert in
            rustls_pki_types::CertificateDer::pem_file_iter(certs.path().join("ca.crt")).unwrap()
        {
            roots.add(cert.unwrap()).unwrap();
        }
        std::sync::Arc::new(
            rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
                rustls::crypto::ring::default_provider(),
            ))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth(),
        )
    };
    let https_get = |path: &str| -> Result<String, String> {
        let tcp = std::net::TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
        tcp.set_read_timeout(Some(Duration::from_secs(10)))
            .map_err(|e| e.to_string())?;
        let name = rustls_pki_types::ServerName::try_from("127.0.0.1").unwrap();
        let connection =
            rustls::ClientConnection::new(roots.clone(), name).map_err(|e| e.to_string())?;
        let mut tls = rustls::StreamOwned::new(connection, tcp);
        write!(
            tls,
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        )
        .map_err(|e| e.to_string())?;
        let mut answer = Vec::new();
        // The server may close without a TLS close_notify: what came before counts.
        let read = tls.read_to_end(&mut answer);
        if answer.is_empty() {
            return Err(format!("nothing read: {read:?}"));
        }
        Ok(String::from_utf8_lossy(&answer).into_owned())
    };
    // Wait for the console to answer (a condition, not a sleep).
    let deadline = Instant::now() + Duration::from_secs(60);
    let health = loop {
        let error = match https_get("/healthz") {
            Ok(answer) => break answer,
            Err(error) => error,
        };
        assert!(
            Instant::now() < deadline,
            "the console never answered over https: {error}"
        );
        // Poll, as the other waits do: spinning would take a core from the starting console.
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    let login = https_get("/login").expect("the login page");
    assert!(login.starts_with("HTTP/1.1 200"), "{login}");
    let cookie = login
        .lines()
        .find(|l| {
            l.to_ascii_lowercase()
                .starts_with("set-cookie: rightsbot_login=")
        })
        .unwrap_or_else(|| panic!("no login cookie in {login}"));
    assert!(cookie.contains("; Secure"), "{cookie}");

    // Plain HTTP to the same port gets no page.
    let mut plain = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    plain
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let _ = write!(
        plain,
        "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    );
    let mut answer = Vec::new();
    let _ = plain.read_to_end(&mut answer);
    assert!(
        !String::from_utf8_lossy(&answer).contains("200 OK"),
        "plain http was served"
    );
}

/// The owner of a case as `show --json` tells it.
fn owner_of(sandbox: &Sandbox, case: &str) -> serde_json::Value {
    sandbox.json(&["show", case])["owner"].clone()
}

/// Issue 16: a handler gives a case an owner from its page (the active accounts to choose
/// from); the queue shows it; a form without its token, an unknown or a disabled account
/// changes nothing; the trail records who assigned whom.
#[tokio::test]
async fn a_handler_assigns_a_case_from_its_page_and_the_queue_shows_the_owner() {
    let sandbox = shop("");
    sandbox.ok(&["staff", "disable", "bea"]);
    let console = Console::new(&sandbox);
    let hanna = console.login("hanna").await;
    let case = "DSR-2026-0001";
    let page_path = format!("/cases/{case}");
    let assign = format!("/cases/{case}/assign");
    let (_, page) = console.get(&page_path, Some(&hanna)).await;
    assert!(
        page.contains("<dd id=\"owner\">no owner</dd>"),
        "nobody owns it yet: {page}"
    );
    assert!(
        page.contains("<option value=\"aapo\">aapo</option>"),
        "{page}"
    );
    assert!(
        !page.contains("<option value=\"bea\">"),
        "a disabled account is no choice: {page}"
    );

    for form in [
        vec![("owner", "aapo")],
        vec![("owner", "aapo"), ("csrf", "0")],
    ] {
        let (response, _) = console.post(&assign, Some(&hanna), &form).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
    }
    assert!(owner_of(&sandbox, case).is_null(), "nothing changed");
    for (owner, says) in [
        ("nobody", "no staff account is named nobody"),
        ("bea", "the staff account bea is disabled"),
    ] {
        let (response, page) = console
            .post(
                &assign,
                Some(&hanna),
                &[("csrf", &hanna.csrf), ("owner", owner)],
            )
            .await;
        assert_eq!(response.status(), StatusCode::CONFLICT, "{owner}");
        assert!(page.contains(says), "{page}");
        assert!(owner_of(&sandbox, case).is_null(), "nothing changed");
    }

    let (response, _) = console
        .post(
            &assign,
            Some(&hanna),
            &[("csrf", &hanna.csrf), ("owner", "aapo")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), format!("{page_path}?done=assigned"));
    assert_eq!(owner_of(&sandbox, case), "aapo");
    let (_, page) = console.get(&page_path, Some(&hanna)).await;
    assert!(page.contains("<dd id=\"owner\">aapo</dd>"), "{page}");
    assert!(
        page.contains("<option value=\"aapo\" selected>aapo</option>"),
        "{page}"
    );
    let (_, queue) = console.get("/queue", Some(&hanna)).await;
    let row = queue
        .split("<tr class=\"urgency-")
        .find(|row| row.contains(&format!("/cases/{case}\"")))
        .expect("the case's draft in the queue");
    assert!(row.contains("<td class=\"owner\">aapo</td>"), "{row}");

    // The empty choice leaves it with nobody.
    let (response, _) = console
        .post(
            &assign,
            Some(&hanna),
            &[("csrf", &hanna.csrf), ("owner", "")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(owner_of(&sandbox, case).is_null());
    let shown = sandbox.json(&["show", case]);
    let assigned: Vec<&serde_json::Value> = shown["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["kind"] == "assigned")
        .collect();
    assert_eq!(assigned.len(), 2, "{shown}");
    assert_eq!(assigned[0]["actor"], "hanna");
    assert_eq!(
        assigned[0]["details"],
        serde_json::json!({"owner": "aapo", "was": null})
    );
    assert_eq!(
        assigned[1]["details"],
        serde_json::json!({"owner": null, "was": "aapo"})
    );
}

/// Issue 16: `rightsbot assign CASE NAME` and `--none`, with the command line's actor
/// rules; `cases --owner NAME` and `--mine` list an owner's cases.
#[test]
fn cases_are_assigned_from_the_command_line() {
    let sandbox = shop("");
    let case = "DSR-2026-0001";
    let assigned = sandbox.json(&["--now", NOW, "assign", case, "hanna", "--by", "hanna"]);
    assert_eq!(
        assigned,
        serde_json::json!({"case": case, "owner": "hanna", "was": null})
    );
    let mine = sandbox
        .command(&["--json", "--now", NOW, "cases", "--mine"])
        .env("RIGHTSBOT_STAFF", "hanna@kestokauppa.example.test")
        .output()
        .expect("run");
    assert!(mine.status.success());
    let mine: serde_json::Value = serde_json::from_slice(&mine.stdout).expect("json");
    let mine = mine.as_array().expect("a list");
    assert_eq!(mine.len(), 1, "{mine:?}");
    assert_eq!(mine[0]["id"], case);
    assert_eq!(mine[0]["owner"], "hanna");
    let aapos = sandbox.json(&["--now", NOW, "cases", "--owner", "aapo"]);
    assert_eq!(aapos, serde_json::json!([]));

    let line = support::assert_user_error(
        &sandbox.run(&["--now", NOW, "assign", case, "nobody", "--by", "hanna"]),
    );
    assert!(line.contains("no staff account is named nobody"), "{line}");
    let line = support::assert_user_error(
        &sandbox.run(&["--now", NOW, "assign", case, "aapo", "--by", "root"]),
    );
    assert!(line.contains("root may not assign a case"), "{line}");
    assert_eq!(owner_of(&sandbox, case), "hanna", "nothing changed");

    let text = sandbox.ok(&["--now", NOW, "assign", case, "--none", "--by", "aapo"]);
    assert_eq!(text.trim(), format!("{case}: no owner now (was hanna)"));
    assert!(owner_of(&sandbox, case).is_null());
    let usage = sandbox.run(&["--now", NOW, "assign", case, "--by", "aapo"]);
    assert_eq!(usage.status.code(), Some(2), "an owner or --none is needed");
    let usage = sandbox.run(&["--now", NOW, "assign", case, "aapo", "--none"]);
    assert_eq!(usage.status.code(), Some(2), "not both");
}

/// The current TOTP code of a base32 secret at an instant.
fn totp_code(secret: &str, at: Timestamp) -> String {
    let secret = totp_rs::Secret::try_from_base32(secret).expect("a base32 secret");
    totp_rs::Builder::new()
        .with_secret(secret)
        .build()
        .expect("a TOTP")
        .generate(u64::try_from(at.as_second()).expect("after 1970"))
        .to_string()
}

/// Issue 16: `staff totp NAME` prints the secret once and refuses a second run without
/// `--reset`; `--off` ends it. The secret never reaches a log line.
#[test]
fn totp_is_enrolled_reset_and_removed_from_the_command_line() {
    let sandbox = shop("");
    let output = sandbox
        .command(&["staff", "totp", "aapo"])
        .env("RIGHTSBOT_LOG", "trace")
        .output()
        .expect("run");
    assert!(output.status.success());
    let printed = String::from_utf8(output.stdout).expect("utf-8");
    let secret = printed
        .lines()
        .find_map(|l| l.strip_prefix("secret: "))
        .expect("the secret")
        .to_string();
    assert!(secret.len() >= 32, "160 bits in base32: {secret}");
    let uri = printed
        .lines()
        .find_map(|l| l.strip_prefix("uri: "))
        .expect("the URI");
    assert_eq!(
        uri,
        format!(
            "otpauth://totp/Kestokauppa%20Oy:aapo?secret={secret}&issuer=Kestokauppa%20Oy&algorithm=SHA1&digits=6&period=30"
        )
    );
    let logged = String::from_utf8_lossy(&output.stderr);
    assert!(!logged.contains(&secret), "the secret in a log: {logged}");

    let line = support::assert_user_error(&sandbox.run(&["staff", "totp", "aapo"]));
    assert!(line.contains("--reset"), "{line}");
    let reset = sandbox.json(&["staff", "totp", "aapo", "--reset"]);
    assert_ne!(reset["secret"], secret.as_str(), "a new secret");
    let totp_of = |name: &str| {
        sandbox
            .ok(&["--json", "staff", "list"])
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("json"))
            .find(|a| a["name"] == name)
            .expect("the account")["totp"]
            .clone()
    };
    assert_eq!(totp_of("aapo"), true);
    assert_eq!(totp_of("hanna"), false);
    sandbox.ok(&["staff", "totp", "aapo", "--off"]);
    assert_eq!(totp_of("aapo"), false);
    support::assert_user_error(&sandbox.run(&["staff", "totp", "nobody"]));
}

/// Issue 16: an account with TOTP logs in only with a valid code; a code is taken once
/// (a replay is refused), and failed codes count towards throttling like wrong passwords.
#[tokio::test]
async fn an_account_with_totp_needs_a_fresh_valid_code_to_log_in() {
    let sandbox = shop("login_failures_per_account = 4");
    let enrolled = sandbox.json(&["staff", "totp", "aapo"]);
    let secret = enrolled["secret"].as_str().expect("secret").to_string();
    let console = Console::new(&sandbox);
    let now: Timestamp = NOW.parse().expect("now");
    let (_, page) = console.get("/login", None).await;
    assert!(page.contains("name=\"code\""), "{page}");

    let (status, session) = console.try_login("aapo", PASSWORD).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "no code");
    assert!(session.is_none());
    let code = totp_code(&secret, now);
    let wrong = format!(
        "{:06}",
        (code.parse::<u32>().expect("digits") + 1) % 1_000_000
    );
    let (status, session) = console.try_login_with_code("aapo", PASSWORD, &wrong).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "a wrong code");
    assert!(session.is_none());
    // A code from an hour ago is no code now.
    let old = totp_code(&secret, now - SignedDuration::from_hours(1));
    let (status, _) = console.try_login_with_code("aapo", PASSWORD, &old).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "an old code");

    let (status, session) = console.try_login_with_code("aapo", PASSWORD, &code).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let session = session.expect("a session");
    let (response, _) = console.get("/queue", Some(&session)).await;
    assert_eq!(response.status(), StatusCode::OK);
    // The same code again, within its 30 seconds: a replay.
    let (status, session) = console.try_login_with_code("aapo", PASSWORD, &code).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "a replayed code");
    assert!(session.is_none());
    // Four failures: now even the next step's valid code waits for the window.
    console.advance(SignedDuration::from_secs(30));
    let next = totp_code(&secret, now + SignedDuration::from_secs(30));
    let (status, _) = console.try_login_with_code("aapo", PASSWORD, &next).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    console.advance(SignedDuration::from_mins(16));
    let later = now + SignedDuration::from_secs(30) + SignedDuration::from_mins(16);
    let (status, session) = console
        .try_login_with_code("aapo", PASSWORD, &totp_code(&secret, later))
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(session.is_some());
    // Accounts without TOTP log in as before; a code they type is ignored.
    let (status, _) = console.try_login_with_code("bea", PASSWORD, "123456").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
}

/// Issue 16: each owner's cases go to that owner's address; the cases nobody owns go to
/// the team address, a nearly due one called out as having no owner; each once.
#[test]
fn the_digest_goes_to_each_owner_for_their_cases_and_to_the_team_for_the_rest() {
    let config = example_config().replace(
        "[reminders]\n# staff_address",
        "[reminders]\nstaff_address = \"tiimi@kestokauppa.example.test\"\n# staff_address",
    );
    assert!(
        config.contains("staff_address = \"tiimi@"),
        "the example changed"
    );
    let sandbox = Sandbox::with_config(&config);
    sandbox.ok(&["--now", NOW, "register", "import"]);
    let mailbox = repo().join("examples/mailbox").display().to_string();
    sandbox.ok(&["--now", NOW, "ingest", &mailbox]);
    add_staff(&sandbox, "hanna", "handler", Some("en"));
    let cases = sandbox.json(&["--now", NOW, "cases", "--open"]);
    let running: Vec<&serde_json::Value> = cases
        .as_array()
        .expect("cases")
        .iter()
        .filter(|c| c["waiting_since"].is_null())
        .collect();
    assert!(running.len() >= 2, "two open cases at least: {cases}");
    let owned = running[0]["id"].as_str().expect("id").to_string();
    let unowned: Vec<&str> = running[1..]
        .iter()
        .map(|c| c["id"].as_str().expect("id"))
        .collect();
    sandbox.ok(&["--now", NOW, "assign", &owned, "hanna", "--by", "hanna"]);
    // The day after the last deadline: every running case is overdue.
    let last = running
        .iter()
        .map(|c| c["deadline"].as_str().expect("deadline"))
        .max()
        .expect("a deadline");
    let day_after: jiff::civil::Date = last.parse().expect("a date");
    let then = format!("{}T10:00:00+02:00", day_after.tomorrow().expect("a day"));

    let reminded = sandbox.json(&["--now", &then, "remind"]);
    let digests = reminded["digests"].as_array().expect("digests");
    assert_eq!(digests.len(), 2, "the owner's and the team's: {reminded}");
    let file_to = |address: &str| {
        let entry = digests
            .iter()
            .find(|d| d["to"] == address)
            .unwrap_or_else(|| panic!("no digest to {address}: {reminded}"));
        std::fs::read_to_string(entry["file"].as_str().expect("file")).expect("digest file")
    };
    let hannas = file_to("hanna@kestokauppa.example.test");
    assert!(
        hannas.contains("To: hanna@kestokauppa.example.test"),
        "{hannas}"
    );
    assert!(hannas.contains(&owned), "{hannas}");
    for case in &unowned {
        assert!(!hannas.contains(case), "{case} is not hanna's: {hannas}");
    }
    let teams = file_to("tiimi@kestokauppa.example.test");
    assert_eq!(
        reminded["digest"],
        digests
            .iter()
            .find(|d| d["to"] == "tiimi@kestokauppa.example.test")
            .expect("team")["file"]
    );
    assert!(!teams.contains(&owned), "hanna's case: {teams}");
    for case in &unowned {
        assert!(teams.contains(case), "{case}: {teams}");
    }
    // The team digest is in the controller's Finnish: overdue and nobody's.
    assert!(teams.contains("EI VASTUUHENKIL"), "{teams}");
    assert!(!hannas.contains("EI VASTUUHENKIL"), "{hannas}");
    let reminders = reminded["reminders"].as_array().expect("reminders");
    assert!(
        reminders
            .iter()
            .all(|r| r["no_owner"] == (r["case"] != owned.as_str())),
        "{reminded}"
    );

    let again = sandbox.json(&["--now", &then, "remind"]);
    assert_eq!(
        again["digests"],
        serde_json::json!([]),
        "told once: {again}"
    );
}
/// The stored mail the inbox lists, by key (`M12`), as the CLI's `inbox --json` says.
fn inbox_messages(sandbox: &Sandbox) -> Vec<String> {
    let inbox = sandbox.json(&["--now", NOW, "inbox"]);
    inbox
        .as_array()
        .expect("inbox list")
        .iter()
        .map(|entry| entry["message"].as_str().expect("message key").to_string())
        .collect()
}

/// The number a link of the overview shows: `id="ID"><strong>N</strong>`.
fn count_of(page: &str, id: &str) -> usize {
    let marker = format!("id=\"{id}\"><strong>");
    let start = page
        .find(&marker)
        .unwrap_or_else(|| panic!("{id} in {page}"))
        + marker.len();
    page[start..start + page[start..].find('<').expect("end")]
        .parse()
        .expect("a count")
}

/// How many cases the store holds.
fn case_count(sandbox: &Sandbox) -> usize {
    sandbox
        .json(&["--now", NOW, "cases"])
        .as_array()
        .expect("cases")
        .len()
}

#[tokio::test]
async fn the_overview_counts_what_needs_attention_and_links_each_list() {
    let sandbox = shop("");
    let console = Console::new(&sandbox);
    let hanna = console.login("hanna").await;
    let (response, page) = console.get("/", Some(&hanna)).await;
    assert_eq!(response.status(), StatusCode::OK, "{page}");
    assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
    assert!(
        page.contains("<title>Overview · rightsbot</title>"),
        "{page}"
    );
    for link in [
        "href=\"/cases?show=overdue\"",
        "href=\"/cases?show=due_soon\"",
        "href=\"/cases?show=triage\"",
        "href=\"/queue\"",
        "href=\"/failed\"",
        "href=\"/inbox\"",
        "href=\"/register\"",
        "href=\"/report\"",
        "href=\"/quarantine\"",
    ] {
        assert!(page.contains(link), "{link} in {page}");
    }
    // The offline example has no mailbox.
    assert!(page.contains("id=\"no-mailbox\""), "{page}");
    // The drafts waiting are those the queue lists.
    let (_, queue) = console.get("/queue", Some(&hanna)).await;
    let waiting = queue.matches("href=\"/drafts/").count();
    assert!(waiting > 0);
    assert!(
        page.contains(&format!(
            "<strong>{waiting}</strong> drafts waiting for approval"
        )),
        "{waiting} in {page}"
    );
    // Overdue counts what `cases --overdue` lists, and its list shows those cases.
    let overdue = sandbox.json(&["--now", NOW, "cases", "--overdue"]);
    let overdue: Vec<&str> = overdue
        .as_array()
        .expect("cases")
        .iter()
        .map(|c| c["id"].as_str().expect("id"))
        .collect();
    assert!(
        page.contains(&format!("<strong>{}</strong> cases overdue", overdue.len())),
        "{page}"
    );
    // Each list holds as many cases as its count says, and the counts are not all nought.
    let mut listed = 0;
    for (list, id) in [
        ("overdue", "count-overdue"),
        ("due_soon", "count-due-soon"),
        ("triage", "count-triage"),
    ] {
        let count = count_of(&page, id);
        let (response, cases) = console
            .get(&format!("/cases?show={list}"), Some(&hanna))
            .await;
        assert_eq!(response.status(), StatusCode::OK, "{list}");
        assert_eq!(
            cases.matches("<td><a href=\"/cases/").count(),
            count,
            "{list}: {cases}"
        );
        listed += count;
    }
    assert!(listed > 0, "{page}");
    let (_, overdue_list) = console.get("/cases?show=overdue", Some(&hanna)).await;
    for case in &overdue {
        assert!(overdue_list.contains(&format!("href=\"/cases/{case}\"")));
    }
    let (response, failed) = console.get("/failed", Some(&hanna)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        failed.matches("<td><a href=\"/drafts/").count(),
        count_of(&page, "count-failed")
    );
    // Open actions per owner: each owner's count is the length of the list it links to.
    let start = page
        .find("href=\"/actions?owner=")
        .expect("an owner's actions");
    let link = &page[start + "href=\"".len()..];
    let link = &link[..link.find('"').expect("end")];
    let count: usize = page[start..]
        .split_once('>')
        .and_then(|(_, rest)| rest.split_once('<'))
        .and_then(|(n, _)| n.parse().ok())
        .expect("a count");
    let (response, actions) = console.get(&link.replace("&amp;", "&"), Some(&hanna)).await;
    assert_eq!(response.status(), StatusCode::OK, "{link}");
    assert_eq!(
        actions.matches("#actions\">").count(),
        count,
        "{link}: {actions}"
    );
}

#[tokio::test]
async fn a_handler_opens_mail_from_the_inbox_as_a_case_and_its_text_is_shown_as_text() {
    let sandbox = shop("");
    let console = Console::new(&sandbox);
    let hanna = console.login("hanna").await;
    let messages = inbox_messages(&sandbox);
    let message = messages.first().expect("the example's inbox holds mail");
    let (response, page) = console.get("/inbox", Some(&hanna)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(page.contains("<title>Inbox"), "{page}");
    assert!(
        page.contains(&format!("action=\"/inbox/{message}/open\"")),
        "{page}"
    );
    assert!(page.contains("<pre class=\"mail\">"), "{page}");
    let cases = case_count(&sandbox);
    // No right ticked: nothing happens.
    let (response, _) = console
        .post(
            &format!("/inbox/{message}/open"),
            Some(&hanna),
            &[("csrf", &hanna.csrf)],
        )
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(case_count(&sandbox), cases);
    let (response, _) = console
        .post(
            &format!("/inbox/{message}/open"),
            Some(&hanna),
            &[("csrf", &hanna.csrf), ("kind", "access")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let case = location(&response)
        .strip_prefix("/cases/")
        .expect("to the new case")
        .to_string();
    assert_eq!(case_count(&sandbox), cases + 1);
    let shown = sandbox.json(&["--now", NOW, "show", &case]);
    assert_eq!(shown["kinds"], serde_json::json!(["access"]), "{shown}");
    // Who acted is the logged-in account, in the audit trail.
    let opened = shown["events"]
        .as_array()
        .expect("events")
        .iter()
        .find(|e| e["actor"] == "hanna")
        .unwrap_or_else(|| panic!("hanna in the trail: {shown}"));
    assert!(opened["at"].is_string());
    // The mail is no longer in the inbox.
    assert!(!inbox_messages(&sandbox).contains(message));
    let (_, page) = console.get("/inbox", Some(&hanna)).await;
    assert!(!page.contains(&format!("action=\"/inbox/{message}/open\"")));
    // The quarantine page lists with reasons (the example has none to list, or some).
    let (response, page) = console.get("/quarantine", Some(&hanna)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(page.contains("<title>Quarantine"), "{page}");
}

#[tokio::test]
async fn opening_from_the_inbox_without_its_csrf_token_changes_nothing() {
    let sandbox = shop("");
    let console = Console::new(&sandbox);
    let hanna = console.login("hanna").await;
    let messages = inbox_messages(&sandbox);
    let message = messages.first().expect("the example's inbox holds mail");
    let cases = case_count(&sandbox);
    let aapo = console.login("aapo").await;
    for csrf in [None, Some(String::new()), Some(aapo.csrf.clone())] {
        let mut form = vec![("kind", "access")];
        if let Some(csrf) = &csrf {
            form.push(("csrf", csrf));
        }
        let (response, _) = console
            .post(&format!("/inbox/{message}/open"), Some(&hanna), &form)
            .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{csrf:?}");
    }
    assert_eq!(case_count(&sandbox), cases);
    assert_eq!(inbox_messages(&sandbox), messages);
}

#[tokio::test]
async fn register_search_finds_an_example_entry_by_e_mail_and_lists_the_sources() {
    let sandbox = shop("");
    let console = Console::new(&sandbox);
    let hanna = console.login("hanna").await;
    let (response, page) = console.get("/register", Some(&hanna)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(page.contains("<title>Register"), "{page}");
    assert!(!page.contains("id=\"found"), "no search, no result: {page}");
    for source in ["webshop_customers", "orders", "newsletter", "shipping"] {
        assert!(
            page.contains(&format!("<td>{source}")),
            "{source} in {page}"
        );
    }
    // The address as a person might type it: case does not matter.
    let (response, page) = console
        .get(
            "/register?email=Ville.Nieminen%40vanha.example.test&phone=&name=&order=",
            Some(&hanna),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(page.contains("id=\"found\""), "{page}");
    assert!(page.contains(">Ville Nieminen</td>"), "{page}");
    assert!(page.contains("ville.nieminen@vanha.example.test"), "{page}");
    let (_, page) = console
        .get(
            "/register?email=nobody%40nowhere.example.test",
            Some(&hanna),
        )
        .await;
    assert!(page.contains("id=\"found-none\""), "{page}");
    let (response, page) = console
        .get("/register?email=not+an+address", Some(&hanna))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(page.contains("class=\"problem\""), "{page}");
}

#[tokio::test]
async fn the_report_draws_charts_as_svg_and_downloads_what_the_report_command_prints() {
    let sandbox = shop("");
    let console = Console::new(&sandbox);
    let hanna = console.login("hanna").await;
    let period = "from=2026-01-01&to=2026-12-31";
    let (response, page) = console
        .get(&format!("/report?{period}"), Some(&hanna))
        .await;
    assert_eq!(response.status(), StatusCode::OK, "{page}");
    assert!(page.contains("<title>Report"), "{page}");
    assert!(!page.contains("<script"), "{page}");
    assert!(page.contains(&format!(
        "href=\"/report.csv?{}\"",
        period.replace('&', "&amp;")
    )));
    // The figures on the page are the command's.
    let cli = sandbox.json(&[
        "--now",
        NOW,
        "report",
        "--from",
        "2026-01-01",
        "--to",
        "2026-12-31",
    ]);
    let requests = cli["requests"].as_u64().expect("requests");
    assert!(requests > 0, "{cli}");
    // Requests per month always; days to answer once some request is answered.
    let answered = cli["answered"].as_u64().expect("answered");
    assert_eq!(
        page.matches("<svg ").count(),
        1 + usize::from(answered > 0),
        "{page}"
    );
    assert!(page.contains("<title id=\"by-month-title\">Requests per month by right</title>"));
    assert!(
        page.contains(&format!("<td>requests</td><td>{requests}</td>")),
        "{page}"
    );

    let (response, csv) = console
        .get(&format!("/report.csv?{period}"), Some(&hanna))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let disposition = response.headers()[header::CONTENT_DISPOSITION]
        .to_str()
        .expect("disposition");
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    assert!(
        disposition.contains("2026-01-01-2026-12-31.csv"),
        "{disposition}"
    );
    assert!(
        response.headers()[header::CONTENT_TYPE]
            .to_str()
            .expect("type")
            .starts_with("text/csv")
    );
    let printed = sandbox.ok(&[
        "--now",
        NOW,
        "report",
        "--csv",
        "--from",
        "2026-01-01",
        "--to",
        "2026-12-31",
    ]);
    assert_eq!(csv, printed);
    assert!(csv.contains(&format!("\nrequests,{requests}\n")), "{csv}");

    let (response, json) = console
        .get(&format!("/report.json?{period}"), Some(&hanna))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()[header::CONTENT_DISPOSITION]
            .to_str()
            .expect("disposition")
            .starts_with("attachment;")
    );
    let json: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert_eq!(json, cli);

    // A day that is no day is said so, and a period that ends before it starts too.
    let (response, _) = console.get("/report?from=2026-13-01", Some(&hanna)).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let (response, _) = console
        .get("/report.csv?from=2026-12-01&to=2026-01-01", Some(&hanna))
        .await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
}

/// Issue 16: two approvers press approve on the same draft at the same moment, on two
/// console processes (two connections to the store): exactly one approval is recorded and
/// one reply queued; the other approver is told the draft was already decided.
#[tokio::test]
async fn two_approvals_at_once_make_one_and_the_other_is_told_why() {
    let sandbox = shop("");
    let first = Console::new(&sandbox);
    let second = Console::new(&sandbox);
    let aapo = first.login("aapo").await;
    let bea = second.login("bea").await;
    let draft = first_draft(&first, &aapo).await;
    let path = format!("/drafts/{draft}/approve");
    let (aapo_form, bea_form) = (
        [("csrf", aapo.csrf.as_str())],
        [("csrf", bea.csrf.as_str())],
    );
    let ((one, one_page), (two, two_page)) = tokio::join!(
        first.post(&path, Some(&aapo), &aapo_form),
        second.post(&path, Some(&bea), &bea_form),
    );
    let approved: Vec<bool> = [&one, &two]
        .iter()
        .map(|r| r.status() == StatusCode::SEE_OTHER && location(r).contains("done=approved"))
        .collect();
    assert_eq!(
        approved.iter().filter(|a| **a).count(),
        1,
        "exactly one approval: {} {one_page} / {} {two_page}",
        one.status(),
        two.status()
    );
    let (loser, page) = if approved[0] {
        (&two, &two_page)
    } else {
        (&one, &one_page)
    };
    assert_eq!(loser.status(), StatusCode::CONFLICT, "{page}");
    assert!(page.contains("approved"), "the other is told why: {page}");
    let state = first.draft_state(&draft);
    assert!(["approved", "sent"].contains(&state.as_str()), "{state}");
    let shown = sandbox.json(&["show", "DSR-2026-0001"]);
    let approvals = shown["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["kind"] == "draft_approved")
        .count();
    assert_eq!(approvals, 1, "{shown}");
}

/// Issue 16: a handler records on the case page that they verified who asks, with a note
/// saying how; without a note, or without the form's token, nothing changes.
#[tokio::test]
async fn a_handler_records_a_verification_from_the_case_page() {
    let sandbox = shop("");
    let console = Console::new(&sandbox);
    let hanna = console.login("hanna").await;
    let case = "DSR-2026-0001";
    let outcome = |sandbox: &Sandbox| {
        sandbox.json(&["show", case])["identity"]["outcome"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(outcome(&sandbox), "on_file_unverified");
    let (_, page) = console.get(&format!("/cases/{case}"), Some(&hanna)).await;
    assert!(
        page.contains("action=\"/cases/DSR-2026-0001/verify\""),
        "{page}"
    );
    let path = format!("/cases/{case}/verify");
    let (response, _) = console
        .post(
            &path,
            Some(&hanna),
            &[("csrf", &hanna.csrf), ("note", "  ")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let (response, _) = console
        .post(
            &path,
            Some(&hanna),
            &[("note", "called the number on file")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(outcome(&sandbox), "on_file_unverified", "nothing changed");
    let (response, _) = console
        .post(
            &path,
            Some(&hanna),
            &[("csrf", &hanna.csrf), ("note", "called the number on file")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(location(&response).ends_with("?done=verified"));
    assert_eq!(outcome(&sandbox), "verified");
    let shown = sandbox.json(&["show", case]);
    let verified = shown["events"]
        .as_array()
        .expect("events")
        .iter()
        .find(|e| e["kind"] == "verified")
        .unwrap_or_else(|| panic!("no verified event: {shown}"));
    assert_eq!(verified["actor"], "hanna");
    assert!(
        verified.to_string().contains("called the number on file"),
        "{verified}"
    );
}

/// Issue 16: a mail's attachment is listed under it on the case page and downloads as a
/// file (`Content-Disposition: attachment`, no type the browser would render), never shown.
#[tokio::test]
async fn attachments_download_as_files_never_as_pages() {
    let sandbox = shop("");
    let console = Console::new(&sandbox);
    let hanna = console.login("hanna").await;
    let (_, page) = console.get("/cases/DSR-2026-0008", Some(&hanna)).await;
    let start = page
        .find("/attachments/")
        .unwrap_or_else(|| panic!("no attachment link: {page}"));
    let href_start = page[..start].rfind("href=\"").expect("href") + "href=\"".len();
    let href_end = start + page[start..].find('"').expect("end");
    let href = page[href_start..href_end].to_string();
    assert!(page[href_end..].contains("henkilokortti.jpg"), "{page}");
    let request = Request::get(&href)
        .header(header::COOKIE, hanna.cookie.clone())
        .body(Body::empty())
        .expect("request");
    let response = console
        .router
        .clone()
        .oneshot(request)
        .await
        .expect("response");
    assert_eq!(response.status(), StatusCode::OK, "{href}");
    let headers = response.headers().clone();
    assert_eq!(headers[header::CONTENT_TYPE], "application/octet-stream");
    assert_eq!(
        headers[header::CONTENT_DISPOSITION],
        "attachment; filename=\"henkilokortti.jpg\""
    );
    assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(headers[header::CACHE_CONTROL], "no-store");
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    assert!(!bytes.is_empty());
    let (response, _) = console
        .get("/messages/M1/attachments/7", Some(&hanna))
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}
