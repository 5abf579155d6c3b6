//! Staff tokens and roles. A token is a random secret shown once; the store keeps only its
//! SHA-256 hash, and a presented token is checked against every live hash in constant time.

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

/// The staff member behind a request: the token's name (recorded in events) and role.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Staff {
    /// The token's label.
    pub name: String,
    /// Its role.
    pub role: Role,
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

/// The live token matching `secret`, comparing against every hash in constant time so that
/// timing tells nothing about how close a guess came.
pub fn authenticate(records: &[TokenRecord], secret: &str) -> Option<Staff> {
    let presented = hash_secret(secret);
    let mut found = None;
    for record in records {
        let equal: bool = record.hash.as_bytes().ct_eq(presented.as_bytes()).into();
        if equal {
            found = Some(record);
        }
    }
    let record = found?;
    Some(Staff {
        name: record.name.clone(),
        role: Role::parse(&record.role)?,
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
        }
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
            authenticate(&records, &secret),
            Some(Staff {
                name: "window".into(),
                role: Role::Counter
            })
        );
        assert_eq!(authenticate(&records, "qs_wrong"), None);
        assert_eq!(authenticate(&[], &secret), None);
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
