//! Threading headers of the replies we build: a long thread's References is cut to fit
//! RFC 5322's line limit, keeping the first reference and the most recent ones (§ 3.6.4).

mod support;

use std::fs;

use support::Sandbox;

#[test]
fn a_long_references_header_is_cut_to_the_first_and_the_most_recent() {
    let sandbox = Sandbox::new();
    let ids: Vec<String> = (0..80)
        .map(|n| format!("<thread-{n:03}.a-rather-long-message-id@mail.example.test>"))
        .collect();
    let request = format!(
        "From: Maija Virtanen <maija.virtanen@example.test>\r\n\
         To: tietosuoja@kestokauppa.example.test\r\n\
         Subject: Re: Tietopyyntö\r\n\
         Date: Tue, 03 Nov 2026 09:00:00 +0200\r\n\
         Message-ID: <latest@mail.example.test>\r\n\
         In-Reply-To: {}\r\n\
         References: {}\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n\
         Haluan nähdä mitä tietoja minusta on tallennettu.\r\n",
        ids[79],
        ids.join("\r\n ")
    );
    let path = sandbox.path().join("long-thread.eml");
    fs::write(&path, request).unwrap();
    sandbox.ok(&[
        "--now",
        "2026-11-03T10:00:00+02:00",
        "ingest",
        &path.display().to_string(),
    ]);
    let queue = sandbox.ok(&["--json", "queue"]);
    let entry: serde_json::Value = serde_json::from_str(queue.lines().next().unwrap()).unwrap();
    let draft = entry["draft"].as_str().unwrap().to_string();
    let approved = sandbox.json(&["approve", &draft, "--by", "Sanna"]);
    let eml = fs::read_to_string(approved["outbox_file"].as_str().unwrap()).unwrap();
    let headers = eml.split("\r\n\r\n").next().unwrap();
    for line in headers.split("\r\n") {
        assert!(line.len() <= 998, "a line of {} bytes", line.len());
    }
    // The References field, unfolded.
    let mut references = String::new();
    let mut inside = false;
    for line in headers.split("\r\n") {
        if let Some(value) = line.strip_prefix("References:") {
            inside = true;
            references.push_str(value);
        } else if inside && line.starts_with([' ', '\t']) {
            references.push_str(line);
        } else {
            inside = false;
        }
    }
    let kept: Vec<&str> = references.split_whitespace().collect();
    assert!(
        "References: ".len() + kept.join(" ").len() <= 998,
        "{references}"
    );
    assert_eq!(kept.first(), Some(&ids[0].as_str()), "the first is kept");
    assert_eq!(
        kept.last(),
        Some(&"<latest@mail.example.test>"),
        "the request itself is the last"
    );
    assert_eq!(kept[kept.len() - 2], ids[79], "then the most recent");
    assert!(kept.len() > 5, "as many as fit: {kept:?}");
    // The ones kept after the first are the most recent, in order, without a gap.
    let first_recent = ids.iter().position(|id| id == kept[1]).unwrap();
    assert_eq!(&kept[1..kept.len() - 1], &ids[first_recent..]);
}
