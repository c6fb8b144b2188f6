//! What the case stage needs to know of the controller, built once from the config and
//! shared by admitting, identifying and what staff decide.

use jiff::tz::TimeZone;

use crate::classify::Classifier;
use crate::deadline::HolidayCalendar;
use crate::matching::{self, Policy};
use crate::register::normalize::EmailRules;

/// What the case stage needs to know of the controller.
pub struct Settings<'a> {
    pub timezone: &'a TimeZone,
    pub calendar: HolidayCalendar,
    /// Larger messages are quarantined unread: the file or IMAP message stays where it is.
    pub max_message_bytes: u64,
    pub classifier: &'a Classifier,
    /// How identifiers compare and whose authentication verdict is trusted.
    pub email_rules: EmailRules,
    pub phone_region: phonenumber::country::Id,
    /// The controller's own addresses: never a requester's identifier.
    pub own_addresses: Vec<String>,
    /// Staff addresses (approvers, review and digest recipients): their mail in a case's
    /// thread is staff mail, never a request of its own.
    pub staff_addresses: Vec<String>,
    pub trusted_authserv_ids: &'a [String],
    pub identity_policy: Policy,
}

impl<'a> Settings<'a> {
    /// The settings the config gives, with the classifier to use.
    pub fn new(config: &'a crate::config::Config, classifier: &'a Classifier) -> Settings<'a> {
        Settings {
            timezone: &config.controller.timezone.zone,
            calendar: crate::deadline::HolidayCalendar::of(&config.controller),
            max_message_bytes: config.ingest.max_message_bytes,
            classifier,
            email_rules: EmailRules::of(&config.register),
            phone_region: config.register.phone_region.0,
            own_addresses: vec![config.controller.privacy_address.trim().to_lowercase()],
            staff_addresses: config
                .approval_by_mail
                .approvers
                .iter()
                .chain(&config.approval_by_mail.staff_address)
                .chain(&config.reminders.staff_address)
                .map(|a| a.trim().to_lowercase())
                .collect(),
            trusted_authserv_ids: &config.identity.trusted_authserv_ids,
            identity_policy: Policy::from_config(&config.identity),
        }
    }

    /// What the matching stage needs of these settings.
    pub fn matching(&self) -> matching::Settings<'_> {
        matching::Settings {
            email_rules: &self.email_rules,
            phone_region: self.phone_region,
            own_addresses: &self.own_addresses,
            trusted_authserv_ids: self.trusted_authserv_ids,
        }
    }
}
