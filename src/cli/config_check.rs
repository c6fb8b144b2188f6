//! `rightsbot config check`: parse the config, open the store, say what was found.

use std::process::ExitCode;

use serde_json::json;

use super::Context;

pub fn run(ctx: &Context) -> anyhow::Result<ExitCode> {
    let config = ctx.config()?;
    // Opening the store proves the path is usable and the schema current.
    let store = ctx.store(&config)?;
    let totals = store.totals()?;
    let controller = &config.controller;
    // A source whose file is missing is worth knowing now, not at the next import.
    let sources: Vec<serde_json::Value> = config
        .register
        .sources
        .iter()
        .map(|s| {
            json!({
                "name": s.name(),
                "file": s.file,
                "file_exists": s.file.is_file(),
                "encoding": s.encoding.0.name(),
            })
        })
        .collect();
    if ctx.json {
        super::print_json(&json!({
            "ok": true,
            "controller": controller.name,
            "privacy_address": controller.privacy_address,
            "timezone": controller.timezone.name,
            "default_language": controller.default_language,
            "store": config.store.path,
            "totals": totals,
            "register_sources": sources,
            "trusted_authserv_ids": config.identity.trusted_authserv_ids,
        }))?;
        return Ok(ExitCode::SUCCESS);
    }
    println!("config ok");
    println!(
        "controller  {} ({})",
        controller.name, controller.business_id
    );
    println!("address     {}", controller.privacy_address);
    println!(
        "calendar    {}, FI holidays, eves closed: {}",
        controller.timezone.name, controller.eves_closed
    );
    println!(
        "store       {} ({} messages, {} cases, {} quarantined)",
        config.store.path.display(),
        totals.messages,
        totals.cases,
        totals.quarantined
    );
    for source in &config.register.sources {
        let missing = if source.file.is_file() {
            ""
        } else {
            "  (file not found)"
        };
        println!(
            "register    {}: {} ({}){missing}",
            source.name(),
            source.file.display(),
            source.encoding.0.name()
        );
    }
    let trusted = &config.identity.trusted_authserv_ids;
    println!(
        "identity    {}",
        if trusted.is_empty() {
            "no receiving server trusted: no sender can be verified".to_string()
        } else {
            format!("Authentication-Results trusted from {}", trusted.join(", "))
        }
    );
    Ok(ExitCode::SUCCESS)
}
