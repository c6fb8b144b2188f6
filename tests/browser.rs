//! The staff console in a real browser: headless Chromium driven through chromedriver
//! (Debian's `chromium` and `chromium-driver`) with fantoccini. One chromedriver and one
//! console serve every step: log in, find a case in the queue, read and edit its draft,
//! approve it as a second account (four-eyes on), tick an action, extend a case,
//! reclassify one; and a mail full of markup shows as text and runs nothing. A second
//! test runs against the real Postfix and Dovecot: a reply approved in the browser reaches
//! the customer's mailbox, and a register name full of markup shows as text. Each page
//! visited is saved under target/screenshots/ (docs/console-queue.png and
//! docs/console-case.png are the first test's queue and case).

mod support;

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};

use support::{Running, RunningGroup, Sandbox, example_config, free_port, repo};

const NOW: &str = "2026-10-14T09:00:00+03:00";
const PASSWORD: &str = "correct horse battery";

const SCRIPT: &str = "<script>alert(1)</script>";
const IMAGE: &str = "\"><img src=x onerror=alert(1)>";
const TEMPLATE: &str = "{{ 7*7 }}";

/// Waits until something answers HTTP on the port (a condition, not a sleep).
fn wait_for_http(port: u16, path: &str, what: &str) {
    use std::io::{Read, Write};
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            let _ = write!(
                stream,
                "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
            );
            // The status line is enough; a server may keep the connection open.
            let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
            let mut buffer = [0u8; 64];
            let read = stream.read(&mut buffer).unwrap_or(0);
            let answer = String::from_utf8_lossy(&buffer[..read]);
            if answer.starts_with("HTTP/1.1 200") {
                return;
            }
        }
        assert!(
            Instant::now() < deadline,
            "{what} did not start on port {port}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn screenshots() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("target"));
    let dir = target.join("screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot folder");
    dir
}

async fn snap(browser: &Client, name: &str) {
    let png = browser.screenshot().await.expect("screenshot");
    std::fs::write(screenshots().join(format!("{name}.png")), png).expect("save screenshot");
}

fn add_staff(sandbox: &Sandbox, name: &str, role: &str) {
    use std::io::Write;
    let mut child = sandbox
        .command(&[
            "staff",
            "add",
            name,
            "--email",
            &format!("{name}@kestokauppa.example.test"),
            "--role",
            role,
            "--language",
            "en",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("staff add");
    writeln!(child.stdin.take().expect("stdin"), "{PASSWORD}").expect("password");
    assert!(child.wait().expect("staff add").success());
}

struct Console {
    browser: Client,
    base: String,
}

impl Console {
    async fn go(&self, path: &str) {
        self.browser
            .goto(&format!("{}{path}", self.base))
            .await
            .expect("goto");
    }

    async fn text(&self, css: &str) -> String {
        self.browser
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css}: {e}"))
            .text()
            .await
            .expect("text")
    }

    /// Clicks what submits a form or follows a link, and waits for the next page: the old
    /// page's root goes stale.
    async fn click(&self, css: &str) {
        let old = self.browser.find(Locator::Css("html")).await.expect("page");
        self.browser
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css}: {e}"))
            .click()
            .await
            .expect("click");
        let deadline = Instant::now() + Duration::from_secs(30);
        while old.tag_name().await.is_ok() {
            assert!(Instant::now() < deadline, "clicking {css} loaded no page");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Ticks a check box (no page load).
    async fn tick(&self, css: &str) {
        self.browser
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css}: {e}"))
            .click()
            .await
            .expect("tick");
    }

    async fn type_into(&self, css: &str, text: &str) {
        self.browser
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css}: {e}"))
            .send_keys(text)
            .await
            .expect("type");
    }

    async fn log_in(&self, name: &str) {
        self.go("/login").await;
        self.type_into("#login", name).await;
        self.type_into("#password", PASSWORD).await;
        self.click("#log-in").await;
        let path = self.path().await;
        // Staff land on the overview.
        assert!(
            path == "/",
            "{name} not logged in: at {path}: {}",
            self.text("main").await
        );
    }

    async fn log_out(&self) {
        self.click("form.logout button").await;
        assert_eq!(self.path().await, "/login");
    }

    async fn path(&self) -> String {
        let url = self.browser.current_url().await.expect("url");
        match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_string(),
        }
    }

    async fn notice(&self) -> String {
        self.text("p.notice").await
    }

    async fn no_dialog(&self) {
        assert!(
            self.browser.get_alert_text().await.is_err(),
            "a script ran and opened a dialog"
        );
    }
}

#[tokio::test(flavor = "current_thread")]
async fn staff_work_a_case_through_the_console_in_a_browser() {
    let config = format!("{}\n[approval]\nfour_eyes = true\n", example_config());
    let sandbox = Sandbox::with_config(&config);
    sandbox.ok(&["--now", NOW, "register", "import"]);
    let mailbox = repo().join("examples/mailbox").display().to_string();
    sandbox.ok(&["--now", NOW, "ingest", &mailbox]);
    // A request whose subject, sender name and text are all markup.
    let subject = format!("Poistakaa tietoni {SCRIPT} {IMAGE} {TEMPLATE}");
    let name = format!("{SCRIPT} {TEMPLATE}");
    let body = format!("Poistakaa kaikki tietoni.\n{SCRIPT}\n{IMAGE}\n{TEMPLATE}\n");
    let hostile = sandbox.path().join("hostile.eml");
    std::fs::write(
        &hostile,
        format!(
            "From: \"{}\" <mallory@example.test>\nTo: tietosuoja@kestokauppa.example.test\nSubject: {subject}\nMessage-ID: <hostile-1@example.test>\nDate: Tue, 13 Oct 2026 10:00:00 +0300\nContent-Type: text/plain; charset=utf-8\n\n{body}",
            name.replace('"', "\\\"")
        ),
    )
    .expect("write mail");
    sandbox.ok(&["--now", NOW, "ingest", &hostile.display().to_string()]);
    let cases = sandbox.json(&["--now", NOW, "cases"]);
    let hostile_case = cases
        .as_array()
        .expect("cases")
        .iter()
        .find(|case| case["requester"] == "mallory@example.test")
        .unwrap_or_else(|| panic!("no case for the hostile mail: {cases}"))["id"]
        .as_str()
        .expect("case id")
        .to_string();
    for (name, role) in [("hanna", "handler"), ("aapo", "approver")] {
        add_staff(&sandbox, name, role);
    }

    let driver_port = free_port();
    let _driver = RunningGroup::spawn(
        Command::new("/usr/bin/chromedriver")
            .arg(format!("--port={driver_port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null()),
    )
    .expect("chromedriver (Debian package chromium-driver)");
    let web_port = free_port();
    let _web = Running(
        sandbox
            .command(&[
                "--now",
                NOW,
                "web",
                "--listen",
                &format!("127.0.0.1:{web_port}"),
            ])
            .stdout(Stdio::null())
            .spawn()
            .expect("rightsbot web"),
    );
    wait_for_http(driver_port, "/status", "chromedriver");
    wait_for_http(web_port, "/healthz", "the console");

    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".to_string(),
        serde_json::json!({
            "binary": "/usr/bin/chromium",
            "args": ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1100,1400"],
        }),
    );
    let browser = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(capabilities)
        .connect(&format!("http://127.0.0.1:{driver_port}"))
        .await
        .expect("a Chromium session");
    let console = Console {
        browser,
        base: format!("http://127.0.0.1:{web_port}"),
    };

    // Without a session, the login page.
    console.go("/queue").await;
    assert_eq!(console.path().await, "/login");
    snap(&console.browser, "login").await;

    // A handler finds the case in the queue, reads its draft and edits it.
    console.log_in("hanna").await;
    snap(&console.browser, "overview").await;
    console.go("/queue").await;
    snap(&console.browser, "queue").await;
    // On a phone (375 px wide) the overview, the queue and a case need no sideways scrolling.
    console
        .browser
        .set_window_size(375, 812)
        .await
        .expect("phone-sized window");
    for (path, name) in [
        ("/", "phone-overview"),
        ("/queue", "phone-queue"),
        ("/cases/DSR-2026-0001", "phone-case"),
    ] {
        console.go(path).await;
        snap(&console.browser, name).await;
        let fits = console
            .browser
            .execute(
                "return document.documentElement.scrollWidth <= window.innerWidth",
                vec![],
            )
            .await
            .expect("script");
        assert_eq!(
            fits,
            serde_json::Value::Bool(true),
            "{path} is wider than 375 px"
        );
    }
    console
        .browser
        .set_window_size(1100, 1400)
        .await
        .expect("window size");
    console.go("/queue").await;
    let queue = console.text("table.queue").await;
    assert!(
        queue.contains("DSR-2026-0001") && queue.contains("working days left"),
        "{queue}"
    );
    console
        .click("table.queue tr:first-child a[href^='/drafts/']")
        .await;
    let draft_path = console.path().await;
    assert!(draft_path.starts_with("/drafts/D"), "{draft_path}");
    let text = console.text("#draft-body").await;
    assert!(!text.is_empty());
    assert!(
        console
            .browser
            .find(Locator::Css("#approve"))
            .await
            .is_err(),
        "a handler has no approve button"
    );
    snap(&console.browser, "draft").await;
    console
        .type_into("#body", "\nTerveisin Hanna, Kestokauppa")
        .await;
    console.click("#save-edit").await;
    let edited_path = console.path().await;
    assert!(edited_path.ends_with("?done=edited"), "{edited_path}");
    assert_ne!(edited_path.split('?').next(), Some(draft_path.as_str()));
    assert!(
        console
            .text("#draft-body")
            .await
            .contains("Terveisin Hanna")
    );
    snap(&console.browser, "draft-edited").await;
    console.log_out().await;

    // An approver approves it: four-eyes holds, as the editor was someone else.
    console.log_in("aapo").await;
    console
        .go(edited_path.split('?').next().expect("path"))
        .await;
    let open_actions = console
        .browser
        .find(Locator::Css("#open_actions_confirmed"))
        .await
        .expect("checkbox");
    open_actions.click().await.expect("tick");
    console.click("#approve").await;
    assert_eq!(console.notice().await, "The draft is approved.");
    snap(&console.browser, "draft-approved").await;

    // Tick an action of the case.
    console.go("/cases/DSR-2026-0001").await;
    snap(&console.browser, "case").await;
    console.click("button[id^='done-']").await;
    assert_eq!(console.notice().await, "The action is recorded.");
    snap(&console.browser, "case-action-done").await;

    // Extend another case.
    console.go("/cases/DSR-2026-0002").await;
    console
        .type_into("#extend-reason", "the request covers many systems")
        .await;
    console.click("#extend").await;
    assert!(
        console
            .notice()
            .await
            .contains("extension notice is drafted")
    );
    assert!(console.text("ul.drafts").await.contains("extension"));
    snap(&console.browser, "case-extended").await;

    // Reclassify a third.
    console.go("/cases/DSR-2026-0003").await;
    let was = console.text("dl.facts").await;
    console.tick("#kind-objection").await;
    console.click("#reclassify").await;
    assert_eq!(
        console.notice().await,
        "The rights are corrected and the reply drafted again."
    );
    let now = console.text("dl.facts").await;
    assert_ne!(
        was.contains("objection"),
        now.contains("objection"),
        "{was}\n{now}"
    );
    snap(&console.browser, "case-reclassified").await;

    // The hostile mail: shown as the text it is, nothing run.
    console.go(&format!("/cases/{hostile_case}")).await;
    console.no_dialog().await;
    snap(&console.browser, "case-hostile").await;
    assert_eq!(console.text("#case-subject").await, subject);
    assert!(
        console.text("#requester").await.contains(&name),
        "{}",
        console.text("#requester").await
    );
    let mail = console.text("pre.mail").await;
    for line in [SCRIPT, IMAGE, TEMPLATE] {
        assert!(mail.contains(line), "{line} not shown verbatim in: {mail}");
    }
    assert!(
        console
            .browser
            .find(Locator::Css("main img"))
            .await
            .is_err(),
        "the mail's <img> became an element"
    );
    assert!(
        !console.text("main").await.contains("49"),
        "a template expression was evaluated"
    );
    console.log_out().await;

    console.browser.close().await.expect("close the browser");
}

/// A register name full of markup (a CSV field, quoted).
const HOSTILE_NAME: &str = "<script>alert(2)</script> <b>Asiakas</b> {{ 6*7 }}";

/// Issue 16: the whole path against the real mail servers. A customer's request arrives
/// through Postfix, an approver approves its reply in the browser, and the reply lands in
/// the customer's mailbox; the register name full of markup shows as text on the case page.
#[tokio::test(flavor = "current_thread")]
async fn a_reply_approved_in_the_browser_reaches_the_customers_mailbox() {
    use support::mailstack::{MailStack, json};
    let stack = MailStack::up();
    let customer = stack.var("MAILSTACK_CUSTOMER_ADDRESS").to_string();
    std::fs::write(
        stack.path().join("customers.csv"),
        format!(
            "Id,Name,Email\n1,\"{}\",{customer}\n",
            HOSTILE_NAME.replace('"', "\"\"")
        ),
    )
    .expect("csv");
    let config = stack.config_with("rightsbot-web.toml", |text| {
        format!(
            "{text}\n[[register.sources]]\nname = \"customers\"\nfile = \"customers.csv\"\n[register.sources.columns]\ncustomer_id = \"Id\"\nname = \"Name\"\nemail = \"Email\"\n"
        )
    });
    json(&config, &["register", "import"]);
    stack.send(
        "Tietopyyntö",
        "Haluan nähdä mitä tietoja minusta on.",
        "web-1@example.test",
    );
    let started = Instant::now();
    loop {
        let report = json(&config, &["run", "--once"]);
        if report["cases_opened"].as_u64() == Some(1) {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no case opened"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    {
        use std::io::Write;
        let mut child = support::bin()
            .arg("--config")
            .arg(&config)
            .args([
                "staff",
                "add",
                "aapo",
                "--email",
                "aapo@kestokauppa.example.test",
                "--role",
                "approver",
                "--language",
                "en",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("staff add");
        writeln!(child.stdin.take().expect("stdin"), "{PASSWORD}").expect("password");
        assert!(child.wait().expect("staff add").success());
    }

    let driver_port = free_port();
    let _driver = RunningGroup::spawn(
        Command::new("/usr/bin/chromedriver")
            .arg(format!("--port={driver_port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null()),
    )
    .expect("chromedriver (Debian package chromium-driver)");
    let web_port = free_port();
    let _web = Running(
        support::bin()
            .arg("--config")
            .arg(&config)
            .args(["web", "--listen", &format!("127.0.0.1:{web_port}")])
            .stdout(Stdio::null())
            .spawn()
            .expect("rightsbot web"),
    );
    wait_for_http(driver_port, "/status", "chromedriver");
    wait_for_http(web_port, "/healthz", "the console");
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".to_string(),
        serde_json::json!({
            "binary": "/usr/bin/chromium",
            "args": ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1100,1400"],
        }),
    );
    let browser = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(capabilities)
        .connect(&format!("http://127.0.0.1:{driver_port}"))
        .await
        .expect("a Chromium session");
    let console = Console {
        browser,
        base: format!("http://127.0.0.1:{web_port}"),
    };

    console.log_in("aapo").await;
    console.go("/queue").await;
    console
        .click("table.queue tr:first-child a[href^='/cases/']")
        .await;
    // The register's name is shown as the text it is: no element, no script, no template.
    console.no_dialog().await;
    let entries = console.text("#entries").await;
    assert!(entries.contains(HOSTILE_NAME), "{entries}");
    assert!(
        console
            .browser
            .find(Locator::Css("#entries b"))
            .await
            .is_err(),
        "the register's <b> became an element"
    );
    // Evaluated, "{{ 6*7 }}" would follow the name as 42 (a bare "42" is no proof: the
    // page shows times, and one received at :42 holds it).
    let main = console.text("main").await;
    assert!(
        !main.contains("Asiakas 42") && !main.contains("</b> 42"),
        "a template ran: {main}"
    );
    snap(&console.browser, "mailstack-case").await;

    console.go("/queue").await;
    snap(&console.browser, "mailstack-queue").await;
    console
        .click("table.queue tr:first-child a[href^='/drafts/']")
        .await;
    if let Ok(checkbox) = console
        .browser
        .find(Locator::Css("#open_actions_confirmed"))
        .await
    {
        checkbox.click().await.expect("tick");
    }
    console.click("#approve").await;
    assert_eq!(console.notice().await, "The draft is approved.");
    let message_id = {
        let draft = console.path().await;
        let draft = draft
            .trim_start_matches("/drafts/")
            .split('?')
            .next()
            .expect("draft id")
            .to_string();
        let shown = json(&config, &["show", &draft]);
        shown["message_id"]
            .as_str()
            .expect("an approved draft has a Message-ID")
            .to_string()
    };
    console.log_out().await;

    // The sender delivers it; it reaches the customer's own mailbox.
    let report = json(&config, &["send", "--once"]);
    assert_eq!(report["sent"], 1, "{report}");
    let customer_login = stack.config_with("customer.toml", |text| {
        text.replace("user = \"request\"", "user = \"customer\"")
            .replace("passwords/request", "passwords/customer")
    });
    let needle = message_id.clone();
    let delivered = tokio::task::spawn_blocking(move || {
        let started = Instant::now();
        loop {
            let found = support::mailstack::on_mailbox(&customer_login, async |source| {
                let mut found = Vec::new();
                if source.select("INBOX").await.is_ok() {
                    let uids = source.uids().await.expect("uids");
                    for message in source.fetch(&uids, u64::MAX).await.expect("fetch") {
                        found.push(
                            String::from_utf8_lossy(&message.raw.unwrap_or_default()).into_owned(),
                        );
                    }
                }
                found
            })
            .into_iter()
            .find(|m| m.contains(&needle));
            if found.is_some() || started.elapsed() > Duration::from_secs(60) {
                return found;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    })
    .await
    .expect("the mailbox watch");
    let delivered = delivered.expect("the approved reply in the customer's mailbox");
    assert!(delivered.contains("[DSR-"), "{delivered}");
    assert!(
        delivered.contains("In-Reply-To: <web-1@example.test>"),
        "{delivered}"
    );
    console.browser.close().await.expect("close the browser");
}
