//! What `inspect` shows of a foreign value without keys: lines for people and fields for
//! JSON, built side by side. **Nothing in it is authenticated**: every string comes from
//! whoever wrote the value, and is printed through the command's escaping (`output`).

use serde_json::{Map, Value};

use crate::render::{hex, json_line};

/// The unauthenticated structure of a value, for `inspect`.
#[derive(Debug, Default)]
pub struct Seen {
    /// `(label, text)` lines, in order.
    pub lines: Vec<(&'static str, String)>,
    /// The same, as JSON fields.
    pub fields: Map<String, Value>,
}

impl Seen {
    /// One line and one JSON field.
    pub fn add(&mut self, label: &'static str, text: String, key: &str, value: Value) {
        self.lines.push((label, text));
        self.fields.insert(key.to_owned(), value);
    }

    /// A line only.
    pub fn line(&mut self, label: &'static str, text: impl Into<String>) {
        self.lines.push((label, text.into()));
    }

    /// The claimed payload: JSON when `bytes` are JSON (`unverified_payload`), else their hex
    /// (`unverified_payload_hex`) with `not_json` saying what they may be.
    pub fn payload(&mut self, bytes: &[u8], not_json: &str) {
        match serde_json::from_slice::<Value>(bytes) {
            Ok(v) => self.add(
                "payload",
                format!("{}  (UNVERIFIED: anyone can write this)", json_line(&v)),
                "unverified_payload",
                v,
            ),
            Err(_) => self.add(
                "payload",
                format!("{not_json}: {} (UNVERIFIED)", hex(bytes)),
                "unverified_payload_hex",
                hex(bytes).into(),
            ),
        }
    }
}
