//! The pages' style and scripts, embedded in the binary: no CDN and no external font, so the
//! pages work on a City Hall intranet and on a visitor's weak phone connection alike.
//!
//! Each page loads one script and one style sheet. Their URLs carry a hash of the embedded
//! bytes (`?v=…`), so a browser may keep them for a year and still never runs an old script
//! against a new page.

use std::sync::LazyLock;

use sha2::{Digest, Sha256};

/// One embedded file.
#[derive(Debug)]
pub struct Asset {
    /// Name under `/assets/`.
    pub name: &'static str,
    /// `Content-Type`.
    pub content_type: &'static str,
    /// The bytes.
    pub body: &'static str,
}

/// Every asset. The live-feed client is shared by both pages, bundled in front of each page's
/// own script (one request instead of two on a slow link).
pub static ASSETS: [Asset; 4] = [
    Asset {
        name: "site.css",
        content_type: "text/css; charset=utf-8",
        body: include_str!("../../../assets/site.css"),
    },
    Asset {
        name: "public.js",
        content_type: "text/javascript; charset=utf-8",
        body: concat!(
            include_str!("../../../assets/live.js"),
            include_str!("../../../assets/public.js")
        ),
    },
    Asset {
        name: "ticket.js",
        content_type: "text/javascript; charset=utf-8",
        body: concat!(
            include_str!("../../../assets/live.js"),
            include_str!("../../../assets/ticket.js")
        ),
    },
    Asset {
        name: "staff.js",
        content_type: "text/javascript; charset=utf-8",
        body: concat!(
            include_str!("../../../assets/live.js"),
            include_str!("../../../assets/staff.js")
        ),
    },
];

/// The asset with this name.
pub fn find(name: &str) -> Option<&'static Asset> {
    ASSETS.iter().find(|asset| asset.name == name)
}

/// Hash of every embedded asset, the `v` of their URLs.
pub fn version() -> &'static str {
    static VERSION: LazyLock<String> = LazyLock::new(|| {
        let mut hash = Sha256::new();
        for asset in &ASSETS {
            hash.update(asset.name.as_bytes());
            hash.update(asset.body.as_bytes());
        }
        hex::encode(&hash.finalize()[..6])
    });
    &VERSION
}

/// `/assets/NAME?v=VERSION`.
pub fn url(name: &str) -> String {
    format!("/assets/{name}?v={}", version())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_asset_is_found_by_name_and_versioned_by_content() {
        for asset in &ASSETS {
            assert!(find(asset.name).is_some());
            assert!(url(asset.name).ends_with(version()));
        }
        assert!(find("../Cargo.toml").is_none());
        assert_eq!(version().len(), 12);
    }
}
