//! Staff tokens and roles. A token is a random secret shown once; the store keeps only its
//! SHA-256 hash, and a presented token is checked against every live hash in constant time.
//! A token may be limited to one office and may expire ([`admit`] decides, as a pure function
//! of the records, the secret, the office asked for and the time).

use chrono::{DateTime, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::store::TokenRecord;

/// What a token may do (the issue's rights table).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Reception: issue, cancel, list tickets.
    Issuer,
    /// Counter staff: every counter action on any counter, cancel, list tickets.
    Counter,
    /// Everything, including reception suspend/resume.
    Admin,
}

/// A kind of staff action, checked against a [`Role`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Permission {
    /// Issue a ticket.
    Issue,
    /// Cancel a ticket.
    Cancel,
    /// List the day's tickets.
    ListTickets,
    /// Open/pause/close a counter, call next, recall, start, finish, no-show.
    CounterAction,
    /// Suspend or resume reception for the office.
    Reception,
    /// Read the office's statistics (the staff console's report, issue 17).
    Reports,
}

impl Role {
    /// Parses `issuer`, `counter` or `admin`.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "issuer" => Some(Self::Issuer),
            "counter" => Some(Self::Counter),
            "admin" => Some(Self::Admin),
            _ => None,
        }
    }

    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Issuer => "issuer",
            Self::Counter => "counter",
            Self::Admin => "admin",
        }
    }

    /// Whether this role may do it.
    pub fn may(self, permission: Permission) -> bool {
        use Permission::*;
        match self {
            Self::Admin => true,
            Self::Issuer => matches!(permission, Issue | Cancel | ListTickets),
            Self::Counter => matches!(permission, CounterAction | Cancel | ListTickets),
        }
    }
}

/// The staff member behind a request: the token's name (recorded in events), role and scope.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Staff {
    /// The token's label.
    pub name: String,
    /// Its role.
    pub role: Role,
    /// The only office it may act on; `None`: every office.
    pub office: Option<String>,
}

/// Why a presented token does not let the request through.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// No live token has this secret (mistyped, never issued, or revoked).
    Unknown,
    /// The token's expiry has passed.
    Expired,
    /// The token is limited to another office than the one the request is for.
    OtherOffice {
        /// The office the token is limited to.
        allowed: String,
    },
}

/// A new random secret: `qs_` and 256 bits in hex.
pub fn generate_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    format!("qs_{}", hex::encode(bytes))
}

/// The hex SHA-256 of a secret, as stored.
pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// The staff member a request may act as: the token of `secret`, if it has not expired by `now()`
/// and, when the request is for an `office`, if it is not limited to another one. A token
/// expires at its `expires_at` instant exactly (the CLI sets it to the end of a day in Japan).
pub fn admit(
    records: &[TokenRecord],
    secret: &str,
    office: Option<&str>,
    now: impl FnOnce() -> DateTime<Utc>,
) -> Result<Staff, Refusal> {
    let record = find(records, secret).ok_or(Refusal::Unknown)?;
    // The clock is read only for a token that can expire.
    if record.expires_at.is_some_and(|expires| now() >= expires) {
        return Err(Refusal::Expired);
    }
    if let (Some(allowed), Some(asked)) = (&record.office, office)
        && allowed != asked
    {
        return Err(Refusal::OtherOffice {
            allowed: allowed.clone(),
        });
    }
    staff_of(record).ok_or(Refusal::Unknown)
}

/// The live token matching `secret`, comparing against every hash in constant time so that
/// timing tells nothing about how close a guess came.
fn find<'a>(records: &'a [TokenRecord], secret: &str) -> Option<&'a TokenRecord> {
    let presented = hash_secret(secret);
    let mut found = None;
    for record in records {
        let equal: bool = record.hash.as_bytes().ct_eq(presented.as_bytes()).into();
        if equal {
            found = Some(record);
        }
    }
    found
}

fn staff_of(record: &TokenRecord) -> Option<Staff> {
    Some(Staff {
        name: record.name.clone(),
        role: Role::parse(&record.role)?,
        office: record.office.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(name: &str, role: &str, secret: &str) -> TokenRecord {
        TokenRecord {
            name: name.into(),
            role: role.into(),
            hash: hash_secret(secret),
            office: None,
            expires_at: None,
        }
    }

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .expect("valid")
            .with_timezone(&Utc)
    }

    #[test]
    fn rights_follow_the_roles_table() {
        use Permission::*;
        let all = [
            Issue,
            Cancel,
            ListTickets,
            CounterAction,
            Reception,
            Reports,
        ];
        let allowed =
            |role: Role| -> Vec<Permission> { all.into_iter().filter(|p| role.may(*p)).collect() };
        assert_eq!(allowed(Role::Issuer), [Issue, Cancel, ListTickets]);
        assert_eq!(allowed(Role::Counter), [Cancel, ListTickets, CounterAction]);
        assert_eq!(allowed(Role::Admin), all);
    }

    #[test]
    fn a_token_is_found_by_its_secret_only() {
        let secret = generate_secret();
        let records = [
            record("desk", "issuer", "other"),
            record("window", "counter", &secret),
        ];
        assert_eq!(
            admit(&records, &secret, None, Utc::now),
            Ok(Staff {
                name: "window".into(),
                role: Role::Counter,
                office: None,
            })
        );
        assert_eq!(
            admit(&records, "qs_wrong", None, Utc::now),
            Err(Refusal::Unknown)
        );
        assert_eq!(admit(&[], &secret, None, Utc::now), Err(Refusal::Unknown));
    }

    #[test]
    fn an_expired_token_is_refused_as_expired_from_its_expiry_instant_on() {
        let records = [TokenRecord {
            expires_at: Some(at("2027-04-01T00:00:00+09:00")),
            ..record("desk", "issuer", "qs_desk")
        }];
        let before = at("2027-03-31T23:59:59+09:00");
        assert!(admit(&records, "qs_desk", None, || before).is_ok());
        let expiry = at("2027-04-01T00:00:00+09:00");
        assert_eq!(
            admit(&records, "qs_desk", None, || expiry),
            Err(Refusal::Expired)
        );
        assert_eq!(
            admit(&records, "qs_other", None, || expiry),
            Err(Refusal::Unknown),
            "an unknown secret says nothing about expiry"
        );
    }

    #[test]
    fn a_token_limited_to_one_office_is_refused_on_every_other() {
        let records = [TokenRecord {
            office: Some("main".into()),
            ..record("desk", "issuer", "qs_desk")
        }];
        let now = at("2026-12-01T10:00:00+09:00");
        let staff = admit(&records, "qs_desk", Some("main"), || now).expect("its own office");
        assert_eq!(staff.office.as_deref(), Some("main"));
        assert_eq!(
            admit(&records, "qs_desk", Some("center"), || now),
            Err(Refusal::OtherOffice {
                allowed: "main".into()
            })
        );
        assert!(
            admit(&records, "qs_desk", None, || now).is_ok(),
            "routes of no office (the session) accept it"
        );
        let everywhere = [record("boss", "admin", "qs_boss")];
        assert!(admit(&everywhere, "qs_boss", Some("center"), || now).is_ok());
    }

    #[test]
    fn secrets_are_long_random_and_stored_only_as_hashes() {
        let a = generate_secret();
        let b = generate_secret();
        assert_ne!(a, b);
        assert_eq!(a.len(), 3 + 64);
        assert_eq!(hash_secret(&a).len(), 64);
        assert_ne!(hash_secret(&a), a);
    }
}
