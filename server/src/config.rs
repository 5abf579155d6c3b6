//! Configuration: offices, their counters, services and hours, as TOML data with an embedded
//! Kanazawa default. Nothing about Kanazawa is hard-coded in Rust (STYLE 12).

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::calendar::Schedule;
use crate::estimate::{CongestionThresholds, EstimatesConfig};
use crate::simulate::SimulationConfig;

/// The embedded default configuration (`queue-server config print`).
pub const DEFAULT_TOML: &str = include_str!("../config/default.toml");

/// The whole configuration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Services, in display order.
    pub services: Vec<ServiceConfig>,
    /// Offices; the first is the default one (the public page's `/`).
    pub offices: Vec<OfficeConfig>,
    /// Wait thresholds of the congestion lamps (default: 20 / 40 / 60 minutes).
    #[serde(default)]
    pub congestion: CongestionThresholds,
    /// What the public page tells every visitor under the status (none when absent).
    #[serde(default)]
    pub guide: Guide,
    /// The address visitors' phones reach the server at (`https://queue.example.jp`), for the
    /// QR code on printed tickets; absent: the address the staff console itself used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_base_url: Option<String>,
    /// A visitor who allowed notifications on the personal ticket page is alerted when this
    /// many people or fewer are ahead (and again when called).
    #[serde(default = "default_notify_ahead")]
    pub notify_ahead: u32,
    /// The wait predictor shown, its band, and an optional staffing plan (issue 14).
    #[serde(default)]
    pub estimates: EstimatesConfig,
    /// Scenarios of `queue-server simulate`.
    #[serde(default)]
    pub simulation: SimulationConfig,
    /// How far back the visitors' forecast looks (default 8 weeks).
    #[serde(default)]
    pub forecast: crate::history::forecast::ForecastConfig,
}

fn default_notify_ahead() -> u32 {
    3
}

/// Sentences the public page shows every visitor, in the office's own words: how long the
/// procedure takes, what happens with a forgotten PIN, whom to ask.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Guide {
    /// How long the procedure takes once called (Japanese).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub procedure_ja: Option<String>,
    /// The same in English.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub procedure_en: Option<String>,
    /// A forgotten PIN (Japanese).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pin_ja: Option<String>,
    /// The same in English.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pin_en: Option<String>,
    /// Whom to ask (Japanese).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_ja: Option<String>,
    /// The same in English.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_en: Option<String>,
}

/// One service offered at counters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceConfig {
    /// Id used in requests (`renewal`).
    pub id: String,
    /// Japanese name.
    pub name_ja: String,
    /// English name.
    pub name_en: String,
    /// Who takes this ticket, in words visitors know about themselves (Japanese).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub for_ja: Option<String>,
    /// The same in English.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub for_en: Option<String>,
    /// Ticket number prefix (`R`): numbers run per office, per day, per prefix.
    pub prefix: String,
    /// Mean minutes at the counter (renewal ≈ 10, domain R6).
    pub mean_service_minutes: f64,
}

/// One office with its counters and hours (domain R1–R2).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OfficeConfig {
    /// Id used in paths (`main`).
    pub id: String,
    /// Japanese display name.
    pub name_ja: String,
    /// English display name.
    pub name_en: String,
    /// Where in the building to go (Japanese).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub where_ja: Option<String>,
    /// The same in English.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub where_en: Option<String>,
    /// Whether and how to reserve (Japanese).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reservation_ja: Option<String>,
    /// The same in English.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reservation_en: Option<String>,
    /// Ids of the services offered here.
    pub services: Vec<String>,
    /// Counters (窓口).
    pub counters: Vec<CounterConfig>,
    /// Weekly hours and special days.
    pub schedule: Schedule,
}

/// One counter.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CounterConfig {
    /// Id used in paths (`1`).
    pub id: String,
    /// Services it serves; absent means every service of the office.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub services: Option<Vec<String>>,
}

/// Why a configuration was refused: the file, the key and why.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{file}: cannot read: {source}")]
    Read {
        /// The file.
        file: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Not valid TOML, or a key of the wrong type.
    #[error("{file}: {message}")]
    Parse {
        /// The file.
        file: String,
        /// What toml said (names the key and line).
        message: String,
    },
    /// Valid TOML that breaks a rule.
    #[error("{file}: {key}: {why}")]
    Invalid {
        /// The file.
        file: String,
        /// The key at fault (`offices[0].counters[1].services`).
        key: String,
        /// What is wrong with the value, in words for the administrator.
        why: String,
    },
}

impl Config {
    /// The embedded Kanazawa default.
    pub fn embedded() -> Result<Self, ConfigError> {
        Self::parse(DEFAULT_TOML, "<embedded default>")
    }

    /// Reads and validates a TOML file.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            file: path.to_path_buf(),
            source,
        })?;
        Self::parse(&text, &path.display().to_string())
    }

    /// Parses and validates TOML text; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<Self, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|error| ConfigError::Parse {
            file: file.to_string(),
            message: error.to_string(),
        })?;
        config.validate(file)?;
        Ok(config)
    }

    /// The office with this id.
    pub fn office(&self, id: &str) -> Option<&OfficeConfig> {
        self.offices.iter().find(|office| office.id == id)
    }

    /// The service with this id.
    pub fn service(&self, id: &str) -> Option<&ServiceConfig> {
        self.services.iter().find(|service| service.id == id)
    }

    /// The number prefix of each service `office` offers, in the office's service order.
    pub fn prefixes_of(&self, office: &OfficeConfig) -> Vec<(String, String)> {
        office
            .services
            .iter()
            .filter_map(|id| self.service(id).map(|s| (id.clone(), s.prefix.clone())))
            .collect()
    }

    fn validate(&self, file: &str) -> Result<(), ConfigError> {
        let invalid = |key: String, why: &str| ConfigError::Invalid {
            file: file.to_string(),
            key,
            why: why.to_string(),
        };
        if self.offices.is_empty() {
            return Err(invalid("offices".into(), "at least one office is needed"));
        }
        let mut service_ids = HashSet::new();
        let mut prefixes: HashMap<&str, usize> = HashMap::new();
        for (index, service) in self.services.iter().enumerate() {
            let key = |field: &str| format!("services[{index}].{field}");
            if !is_identifier(&service.id) {
                return Err(invalid(key("id"), "use lower-case letters, digits, _ or -"));
            }
            if !service_ids.insert(service.id.as_str()) {
                return Err(invalid(key("id"), "duplicate service id"));
            }
            if service.prefix.is_empty() || !service.prefix.chars().all(|c| c.is_ascii_uppercase())
            {
                return Err(invalid(
                    key("prefix"),
                    "use one or more capital letters A–Z",
                ));
            }
            if let Some(first) = prefixes.insert(service.prefix.as_str(), index) {
                return Err(invalid(
                    key("prefix"),
                    &format!(
                        "duplicate prefix {:?}: services[{first}] ({}) uses it already",
                        service.prefix, self.services[first].id
                    ),
                ));
            }
            if !(service.mean_service_minutes.is_finite() && service.mean_service_minutes > 0.0) {
                return Err(invalid(key("mean_service_minutes"), "must be above 0"));
            }
        }
        self.congestion
            .validate()
            .map_err(|why| invalid("congestion".into(), &why))?;
        self.estimates
            .validate()
            .map_err(|(key, why)| invalid(format!("estimates.{key}"), &why))?;
        self.simulation
            .validate()
            .map_err(|(key, why)| invalid(format!("simulation.{key}"), &why))?;
        self.forecast
            .validate()
            .map_err(|(key, why)| invalid(format!("forecast.{key}"), &why))?;
        let mut office_ids = HashSet::new();
        for (index, office) in self.offices.iter().enumerate() {
            let key = |field: &str| format!("offices[{index}].{field}");
            if !is_identifier(&office.id) {
                return Err(invalid(key("id"), "use lower-case letters, digits, _ or -"));
            }
            if !office_ids.insert(office.id.as_str()) {
                return Err(invalid(key("id"), "duplicate office id"));
            }
            if office.services.is_empty() {
                return Err(invalid(key("services"), "at least one service is needed"));
            }
            for service in &office.services {
                if !service_ids.contains(service.as_str()) {
                    return Err(invalid(
                        key("services"),
                        &format!("unknown service {service:?}"),
                    ));
                }
            }
            if office.counters.is_empty() {
                return Err(invalid(key("counters"), "at least one counter is needed"));
            }
            let mut counter_ids = HashSet::new();
            for (c, counter) in office.counters.iter().enumerate() {
                let counter_key = |field: &str| format!("offices[{index}].counters[{c}].{field}");
                if !is_identifier(&counter.id) {
                    return Err(invalid(
                        counter_key("id"),
                        "use lower-case letters, digits, _ or -",
                    ));
                }
                if !counter_ids.insert(counter.id.as_str()) {
                    return Err(invalid(counter_key("id"), "duplicate counter id"));
                }
                for service in counter.services.iter().flatten() {
                    if !office.services.contains(service) {
                        return Err(invalid(
                            counter_key("services"),
                            &format!("service {service:?} is not offered at this office"),
                        ));
                    }
                }
            }
            office.schedule.validate().map_err(|error| {
                invalid(
                    format!("offices[{index}].schedule.{}", error.key),
                    &error.reason,
                )
            })?;
        }
        Ok(())
    }
}

impl OfficeConfig {
    /// The services a counter serves (all of the office's when not restricted).
    pub fn counter_services(&self, counter: &CounterConfig) -> Vec<String> {
        counter
            .services
            .clone()
            .unwrap_or_else(|| self.services.clone())
    }
}

fn is_identifier(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 64
        && text
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_default_describes_kanazawa_main_office() {
        let config = Config::embedded().expect("embedded default is valid");
        let main = config.office("main").expect("main office");
        assert_eq!(main.name_ja, "金沢市役所 本庁舎");
        assert_eq!(main.name_en, "Kanazawa City Hall, Main Office");
        let counters: Vec<_> = main.counters.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(counters, ["1", "2", "3", "4"]);
        let renewal = config.service("renewal").expect("renewal service");
        assert_eq!(renewal.mean_service_minutes, 10.0, "domain R6");
        assert_eq!(config.offices[0].id, "main");
    }

    #[test]
    fn a_counter_serving_an_unknown_service_is_refused_with_its_key() {
        let text = DEFAULT_TOML.replacen(
            "{ id = \"1\" }",
            "{ id = \"1\", services = [\"passport\"] }",
            1,
        );
        let error = Config::parse(&text, "x.toml").expect_err("refused");
        let message = error.to_string();
        assert!(message.contains("x.toml"), "{message}");
        assert!(
            message.contains("offices[0].counters[0].services"),
            "{message}"
        );
        assert!(message.contains("passport"), "{message}");
    }

    #[test]
    fn the_commented_special_day_example_applies_to_the_office_it_sits_under() {
        let example: Vec<&str> = DEFAULT_TOML
            .lines()
            .skip_while(|line| *line != "# [[offices.schedule.special_days]]")
            .take_while(|line| line.starts_with("# "))
            .collect();
        assert_eq!(example.len(), 5, "the example is where the test expects it");
        let mut text = DEFAULT_TOML.to_string();
        for line in example {
            text = text.replacen(line, &line[2..], 1);
        }
        let config = Config::parse(&text, "uncommented.toml").expect("the example is valid");
        let special = |office: &str| config.office(office).map(|o| o.schedule.special_days.len());
        assert_eq!(special("main"), Some(1), "the comment says `main`");
        assert_eq!(special("center"), Some(0));
    }

    #[test]
    fn an_unknown_key_is_refused_naming_the_file() {
        let text = format!("unknown_key = 1\n{DEFAULT_TOML}");
        let message = Config::parse(&text, "y.toml")
            .expect_err("refused")
            .to_string();
        assert!(message.starts_with("y.toml"), "{message}");
        assert!(message.contains("unknown_key"), "{message}");
    }

    #[test]
    fn a_duplicate_prefix_is_refused_naming_the_prefix_and_who_has_it() {
        let text = DEFAULT_TOML.replacen("prefix = \"L\"", "prefix = \"R\"", 1);
        let message = Config::parse(&text, "z.toml")
            .expect_err("refused")
            .to_string();
        assert!(message.contains("services[1].prefix"), "{message}");
        assert!(message.contains("duplicate prefix \"R\""), "{message}");
        assert!(message.contains("services[0] (renewal)"), "{message}");
    }
}
