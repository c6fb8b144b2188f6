//! The staff console's speed with 10,000 open cases with drafts waiting (issue 16): server
//! time for the queue page and a case page (p50/p99, in-process through the router, as a
//! browser's request would be served), a login (argon2id included), and the resident memory
//! of an idle `rightsbot web`. Run with `cargo bench --bench web`;
//! `RIGHTSBOT_BENCH_MESSAGES` changes how many mails are generated. The figures are
//! printed, not asserted.
//!
//! Measured 2026-12-04 (release, 2 shared cores, 10,130 drafts waiting): login p50 43 ms /
//! p99 72 ms; queue page 1 p50 30 ms / p99 62 ms, page 100 p50 29 ms / p99 44 ms; a case
//! page p50 1.0 ms / p99 1.9 ms; `rightsbot web` idle 16 MB resident.

#[path = "../tests/support/corpus.rs"]
mod corpus;

use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use tower::ServiceExt;

use rightsbot::app::App;
use rightsbot::config::Config;

const PASSWORD: &str = "correct horse battery";

fn main() {
    let count: usize = std::env::var("RIGHTSBOT_BENCH_MESSAGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(11_200);
    let dir = tempfile::tempdir().expect("temp dir");
    let maildir = dir.path().join("maildir");
    corpus::generate_maildir(&maildir, count, 11);
    let config = dir.path().join("rightsbot.toml");
    std::fs::write(
        &config,
        "[controller]\nname = \"Bench Oy\"\nbusiness_id = \"1234567-1\"\nprivacy_address = \"p@example.test\"\n\
         [store]\npath = \"bench.db\"\n",
    )
    .expect("write config");
    let run = |args: &[&str]| {
        let output = Command::new(env!("CARGO_BIN_EXE_rightsbot"))
            .arg("--config")
            .arg(&config)
            .args(args)
            .output()
            .expect("run rightsbot");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        output.stdout
    };
    let started = Instant::now();
    run(&["--json", "ingest", &maildir.display().to_string()]);
    println!(
        "{count} mails ingested and drafted in {:.1?}",
        started.elapsed()
    );
    let queue = run(&["--json", "queue"]);
    let waiting = queue.iter().filter(|&&b| b == b'\n').count();
    let first: serde_json::Value =
        serde_json::from_slice(queue.split(|&b| b == b'\n').next().expect("a line")).expect("JSON");
    let case = first["case"].as_str().expect("case id").to_string();
    let mut child = Command::new(env!("CARGO_BIN_EXE_rightsbot"))
        .arg("--config")
        .arg(&config)
        .args([
            "staff",
            "add",
            "sanna",
            "--email",
            "sanna@example.test",
            "--role",
            "approver",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("staff add");
    writeln!(child.stdin.take().expect("stdin"), "{PASSWORD}").expect("password");
    assert!(child.wait().expect("staff add").success());

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(in_process(&config, &case, waiting));
    idle_rss(&config);
}

async fn in_process(config: &std::path::Path, case: &str, waiting: usize) {
    let app = App::new(Config::load(config).expect("config"));
    let router = rightsbot::web::router(app, Arc::new(jiff::Timestamp::now)).expect("router");
    let send = |request: Request<Body>| {
        let router = router.clone();
        async move {
            let response = router.oneshot(request).await.expect("response");
            let (parts, body) = response.into_parts();
            let bytes = body.collect().await.expect("body").to_bytes();
            (parts, String::from_utf8_lossy(&bytes).into_owned())
        }
    };
    // A login: the form, then the post (argon2id verifies the password).
    let mut logins = Vec::new();
    let mut cookie = String::new();
    for _ in 0..10 {
        let (parts, page) =
            send(Request::get("/login").body(Body::empty()).expect("request")).await;
        let login_cookie = parts
            .headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with("rightsbot_login="))
            .and_then(|c| c.split(';').next())
            .expect("login cookie")
            .to_string();
        let csrf = hidden(&page, "csrf");
        let body = format!("csrf={csrf}&login=sanna&password=correct+horse+battery");
        let request = Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, &login_cookie)
            .body(Body::from(body))
            .expect("request");
        let started = Instant::now();
        let (parts, _) = send(request).await;
        logins.push(started.elapsed());
        assert_eq!(parts.status, StatusCode::SEE_OTHER, "login");
        cookie = parts
            .headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with("rightsbot_session="))
            .and_then(|c| c.split(';').next())
            .expect("session cookie")
            .to_string();
    }
    report("login (argon2id included)", &mut logins);
    for (what, path, rounds) in [
        (
            format!("queue page (first 50 of {waiting})"),
            "/queue".to_string(),
            100,
        ),
        (
            format!("queue page 100 of {}", waiting.div_ceil(50)),
            "/queue?page=100".to_string(),
            100,
        ),
        (format!("case page {case}"), format!("/cases/{case}"), 200),
    ] {
        let mut times = Vec::new();
        for _ in 0..rounds {
            let request = Request::get(path.as_str())
                .header(header::COOKIE, &cookie)
                .body(Body::empty())
                .expect("request");
            let started = Instant::now();
            let (parts, _) = send(request).await;
            times.push(started.elapsed());
            assert_eq!(parts.status, StatusCode::OK, "{path}");
        }
        report(&what, &mut times);
    }
}

/// The resident memory of `rightsbot web` once it answers and is left alone.
fn idle_rss(config: &std::path::Path) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_rightsbot"))
        .arg("--config")
        .arg(config)
        .args(["web", "--listen", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("rightsbot web");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        use std::io::Read;
        if let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            let _ = write!(
                stream,
                "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
            );
            let mut answer = String::new();
            let _ = stream.read_to_string(&mut answer);
            if answer.starts_with("HTTP/1.1 200") {
                break;
            }
        }
        assert!(Instant::now() < deadline, "rightsbot web did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_secs(2));
    let status =
        std::fs::read_to_string(format!("/proc/{}/status", child.id())).unwrap_or_default();
    let rss = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .unwrap_or("VmRSS: unknown");
    println!(
        "rightsbot web idle (after one health check): {}",
        rss.trim()
    );
    let _ = child.kill();
    let _ = child.wait();
}

fn hidden(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page.find(&marker).expect("hidden field") + marker.len();
    let end = page[start..].find('"').expect("end of value");
    page[start..start + end].to_string()
}

fn report(what: &str, times: &mut [Duration]) {
    times.sort();
    let at = |q: f64| {
        let index = ((times.len() as f64 - 1.0) * q).round() as usize;
        times[index].as_secs_f64() * 1000.0
    };
    println!(
        "{what}: p50 {:.2} ms, p99 {:.2} ms ({} requests)",
        at(0.5),
        at(0.99),
        times.len()
    );
}
