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
    if ctx.json {
        super::print_json(&json!({
            "ok": true,
            "controller": controller.name,
            "privacy_address": controller.privacy_address,
            "timezone": controller.timezone.name,
            "default_language": controller.default_language,
            "store": config.store.path,
            "totals": totals,
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
    Ok(ExitCode::SUCCESS)
}
