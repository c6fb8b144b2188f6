//! `rightsbot classify FILE.eml...`: which rights each mail asks for. No database needed.

use std::path::PathBuf;
use std::process::ExitCode;

use serde_json::json;

use crate::classify::Classifier;
use crate::parse;

use super::Context;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Mail files (.eml); each gets one line of output, even one that cannot be read.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    let classifier = Classifier::new()?;
    for path in &args.files {
        let file = path.display().to_string();
        let outcome = std::fs::read(path)
            .map_err(|err| format!("cannot read: {err}"))
            .and_then(|raw| parse::parse(&raw).map_err(|err| err.to_string()))
            .map(|mail| classifier.classify(&mail));
        match outcome {
            Ok(classification) if ctx.json => super::print_json(&classification.json_line(&file))?,
            Ok(classification) => {
                let kinds: Vec<&str> = classification.kinds.iter().map(|k| k.as_str()).collect();
                let kinds = if kinds.is_empty() {
                    "not a request".to_string()
                } else {
                    kinds.join(", ")
                };
                let mut flags = Vec::new();
                if classification.triage {
                    flags.push("triage");
                }
                if classification.automated {
                    flags.push("automated");
                }
                let flags = if flags.is_empty() {
                    String::new()
                } else {
                    format!(" [{}]", flags.join(", "))
                };
                println!(
                    "{file}: {kinds} ({}){flags}",
                    classification.language_code()
                );
                for evidence in &classification.evidence {
                    println!("    {:<24} {:?}", evidence.kind.as_str(), evidence.phrase);
                }
                for sentence in &classification.unattributed {
                    println!("    {:<24} {sentence:?}", "unattributed");
                }
            }
            Err(error) if ctx.json => super::print_json(&json!({ "file": file, "error": error }))?,
            Err(error) => println!("{file}: error: {error}"),
        }
    }
    Ok(ExitCode::SUCCESS)
}
