//! What a frame may hold before the screen takes it: a hostile or corrupted frame (a name of a
//! million characters, ten thousand counters) is refused as a whole, never drawn. The bounds are
//! far beyond any real office and far below what would make layout or memory misbehave.

use serde_json::Value;

/// Longest text in a frame (names, labels, estimate texts), in characters. The longest real
/// service name is about 40.
pub const MAX_TEXT_CHARS: usize = 256;

/// Longest list in a frame (services, counters, calls). A real office has a few dozen counters.
pub const MAX_LIST_LEN: usize = 256;

/// The snapshot's list of waiting tickets, which the lobby screen never draws (it is for the
/// personal ticket page): dropped before the frame is read, so its length does not matter.
const UNDRAWN_LISTS: [&str; 1] = ["queue"];

/// Which bound a frame broke, and where.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OutOfBounds {
    /// A text longer than [`MAX_TEXT_CHARS`].
    #[error("text of {chars} characters at {path}")]
    Text {
        /// The JSON path of the text.
        path: String,
        /// Its length.
        chars: usize,
    },
    /// A list longer than [`MAX_LIST_LEN`].
    #[error("list of {len} items at {path}")]
    List {
        /// The JSON path of the list.
        path: String,
        /// Its length.
        len: usize,
    },
}

/// Drops the lists the screen never draws from `frame`, then checks every text and list in
/// what is left.
pub fn check(frame: &mut Value) -> Result<(), OutOfBounds> {
    if let Value::Object(fields) = frame {
        for key in UNDRAWN_LISTS {
            fields.remove(key);
        }
    }
    check_value(frame, &mut String::from("$"))
}

fn check_value(value: &Value, path: &mut String) -> Result<(), OutOfBounds> {
    match value {
        Value::String(text) => {
            // Counting stops at the first character past the bound: a huge text costs no more.
            let chars = text.chars().take(MAX_TEXT_CHARS + 1).count();
            if chars > MAX_TEXT_CHARS {
                return Err(OutOfBounds::Text {
                    path: path.clone(),
                    chars: text.chars().count(),
                });
            }
        }
        Value::Array(items) => {
            if items.len() > MAX_LIST_LEN {
                return Err(OutOfBounds::List {
                    path: path.clone(),
                    len: items.len(),
                });
            }
            for (index, item) in items.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{index}]"));
                check_value(item, path)?;
                path.truncate(len);
            }
        }
        Value::Object(fields) => {
            for (key, item) in fields {
                if key.chars().take(MAX_TEXT_CHARS + 1).count() > MAX_TEXT_CHARS {
                    return Err(OutOfBounds::Text {
                        path: format!("{path} (a key)"),
                        chars: key.chars().count(),
                    });
                }
                let len = path.len();
                path.push('.');
                path.push_str(key);
                check_value(item, path)?;
                path.truncate(len);
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_real_sized_frame_passes() {
        let mut frame = json!({"office": {"name_ja": "金沢市役所 本庁舎"}, "counters": [{"id": "1"}, {"id": "2"}]});
        assert_eq!(check(&mut frame), Ok(()));
    }

    #[test]
    fn a_text_past_the_bound_is_refused_with_where_it_was() {
        let mut frame = json!({"office": {"name_ja": "長".repeat(MAX_TEXT_CHARS + 1)}});
        assert_eq!(
            check(&mut frame),
            Err(OutOfBounds::Text {
                path: "$.office.name_ja".into(),
                chars: MAX_TEXT_CHARS + 1
            })
        );
        let mut at_bound = json!({"office": {"name_ja": "長".repeat(MAX_TEXT_CHARS)}});
        assert_eq!(check(&mut at_bound), Ok(()));
    }

    #[test]
    fn a_list_past_the_bound_is_refused_even_when_nested() {
        let counters: Vec<Value> = (0..=MAX_LIST_LEN).map(|n| json!({"id": n})).collect();
        let mut frame = json!({"counters": counters});
        assert_eq!(
            check(&mut frame),
            Err(OutOfBounds::List {
                path: "$.counters".into(),
                len: MAX_LIST_LEN + 1
            })
        );
        let services = vec![json!("R"); MAX_LIST_LEN + 1];
        let mut nested = json!({"counters": [{"id": "1", "services": services}]});
        assert!(matches!(
            check(&mut nested),
            Err(OutOfBounds::List { path, .. }) if path == "$.counters[0].services"
        ));
    }

    #[test]
    fn the_waiting_list_is_dropped_whatever_its_length() {
        let queue: Vec<Value> = (0..5_000)
            .map(|n| json!({"number": format!("R{n:03}"), "service": "renewal"}))
            .collect();
        let mut frame = json!({"type": "snapshot", "queue": queue});
        assert_eq!(check(&mut frame), Ok(()));
        assert!(frame.get("queue").is_none());
    }
}
