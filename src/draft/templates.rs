//! The reply templates: minijinja, plain text, one folder per language. The defaults are
//! built into the binary; a folder named in the config overrides any of them, so staff can
//! change wording without a rebuild. Templates are read on first use and kept; `reload`
//! (the daemon's SIGHUP) forgets them, so edited files take effect without a restart.
//!
//! Templates are trusted text that staff write. What a requester wrote (a name, a subject)
//! only ever reaches a template as a value, never as template source, so `{{ }}` or `{% %}`
//! in a name is printed as it is and runs nothing.

use std::borrow::Cow;
use std::path::PathBuf;
use std::sync::{Arc, PoisonError, RwLock};

use minijinja::{AutoEscape, Environment, UndefinedBehavior};

use crate::lang::Lang;

/// Every template file, by language and name, as shipped.
macro_rules! defaults {
    ($($lang:literal: [$($name:literal),* $(,)?]),* $(,)?) => {
        &[$($((concat!($lang, "/", $name), include_str!(concat!("../../templates/", $lang, "/", $name)))),*),*]
    };
}

const DEFAULTS: &[(&str, &str)] = defaults!(
    "fi": ["reply.txt", "acknowledgement.txt", "identity_needed.txt", "not_found.txt", "extension.txt", "footer.txt",
           "access.txt", "rectification.txt", "erasure.txt", "restriction.txt", "portability.txt", "objection.txt",
           "direct_marketing_optout.txt", "consent_withdrawal.txt", "digest.txt", "art19.txt", "recipient_notice.txt", "confirm_identity.txt", "refusal.txt"],
    "sv": ["reply.txt", "acknowledgement.txt", "identity_needed.txt", "not_found.txt", "extension.txt", "footer.txt",
           "access.txt", "rectification.txt", "erasure.txt", "restriction.txt", "portability.txt", "objection.txt",
           "direct_marketing_optout.txt", "consent_withdrawal.txt", "digest.txt", "art19.txt", "recipient_notice.txt", "confirm_identity.txt", "refusal.txt"],
    "en": ["reply.txt", "acknowledgement.txt", "identity_needed.txt", "not_found.txt", "extension.txt", "footer.txt",
           "access.txt", "rectification.txt", "erasure.txt", "restriction.txt", "portability.txt", "objection.txt",
           "direct_marketing_optout.txt", "consent_withdrawal.txt", "digest.txt", "art19.txt", "recipient_notice.txt", "confirm_identity.txt", "refusal.txt"],
);

/// A template cannot run longer than this many steps: an edited template with a runaway
/// loop fails its draft instead of hanging the daemon.
const FUEL: u64 = 200_000;

#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("template {name}: {message}")]
    Render { name: String, message: String },
}

/// The reply templates. Clones share one set, so a reload reaches every holder (the
/// daemon's drafting and the console beside it).
#[derive(Clone)]
pub struct Templates {
    env: Arc<RwLock<Environment<'static>>>,
}

impl Templates {
    /// The shipped templates, each overridden by `<folder>/<lang>/<name>` when that file
    /// exists.
    pub fn new(folder: Option<PathBuf>) -> Templates {
        let mut env = Environment::new();
        env.set_auto_escape_callback(|_| AutoEscape::None);
        // A misspelt variable fails the draft rather than printing nothing.
        env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
        env.set_fuel(Some(FUEL));
        // Block tags on lines of their own leave no blank line behind, as staff expect
        // when they edit a template.
        let mut syntax = minijinja::syntax::SyntaxConfig::builder();
        syntax.trim_blocks(true).lstrip_blocks(true);
        if let Ok(syntax) = syntax.build() {
            env.set_syntax(syntax);
        }
        // `{% include "footer.txt" %}` in fi/reply.txt means fi/footer.txt.
        env.set_path_join_callback(|name, parent| match parent.rsplit_once('/') {
            Some((dir, _)) if !name.contains('/') => Cow::Owned(format!("{dir}/{name}")),
            _ => Cow::Borrowed(name),
        });
        env.set_loader(move |name| {
            if name.contains("..") {
                return Ok(None);
            }
            if let Some(folder) = &folder {
                let path = folder.join(name);
                if path.is_file() {
                    return std::fs::read_to_string(&path).map(Some).map_err(|err| {
                        minijinja::Error::new(
                            minijinja::ErrorKind::InvalidOperation,
                            format!("cannot read {}: {err}", path.display()),
                        )
                    });
                }
            }
            Ok(DEFAULTS
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, text)| (*text).to_string()))
        });
        Templates {
            env: Arc::new(RwLock::new(env)),
        }
    }

    /// Forgets every template read so far, so the next render reads the folder again, and
    /// tries each shipped name at once: what no longer parses is returned, for the log,
    /// instead of surfacing only when a draft needs it.
    pub fn reload(&self) -> Vec<TemplateError> {
        let mut env = self.env.write().unwrap_or_else(PoisonError::into_inner);
        env.clear_templates();
        DEFAULTS
            .iter()
            .filter_map(|(name, _)| {
                env.get_template(name)
                    .err()
                    .map(|err| TemplateError::Render {
                        name: (*name).to_string(),
                        message: describe(&err),
                    })
            })
            .collect()
    }

    /// Renders `<lang>/<name>` with `context`.
    pub fn render(
        &self,
        lang: Lang,
        name: &str,
        context: &serde_json::Value,
    ) -> Result<String, TemplateError> {
        let full = format!("{}/{name}", lang.code());
        let failed = |err: minijinja::Error| TemplateError::Render {
            name: full.clone(),
            message: describe(&err),
        };
        let env = self.env.read().unwrap_or_else(PoisonError::into_inner);
        let template = env.get_template(&full).map_err(failed)?;
        let text = template
            .render(minijinja::Value::from(minijinja::value::Serde(context)))
            .map_err(failed)?;
        Ok(tidy(&text))
    }
}

/// The error and where, on one line.
fn describe(err: &minijinja::Error) -> String {
    let mut text = err.to_string().replace('\n', " ");
    if let Some(line) = err.line() {
        text.push_str(&format!(" (line {line})"));
    }
    text
}

/// Trailing spaces removed, no more than one blank line in a row, one final newline.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank = 0;
    for line in text.trim().lines() {
        let line = line.trim_end();
        if line.is_empty() {
            blank += 1;
            if blank > 1 {
                continue;
            }
        } else {
            blank = 0;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reload_reads_an_edited_template_again() {
        let folder = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir(folder.path().join("en")).expect("en");
        let footer = folder.path().join("en/footer.txt");
        std::fs::write(&footer, "first wording").expect("write");
        let templates = Templates::new(Some(folder.path().to_path_buf()));
        let shared = templates.clone();
        let context = serde_json::json!({});
        let render = || templates.render(Lang::En, "footer.txt", &context);
        assert_eq!(render().expect("render"), "first wording\n");

        // Kept once read: an edit alone changes nothing while drafts are being made.
        std::fs::write(&footer, "second wording {% if %}").expect("write");
        assert_eq!(render().expect("render"), "first wording\n");
        // A reload through any clone reaches all, and names what no longer parses.
        let problems = shared.reload();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0]
                .to_string()
                .starts_with("template en/footer.txt:")
        );

        std::fs::write(&footer, "second wording").expect("write");
        assert!(shared.reload().is_empty());
        assert_eq!(render().expect("render"), "second wording\n");
    }
}
