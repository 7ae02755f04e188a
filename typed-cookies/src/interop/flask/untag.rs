//! Flask's `TaggedJSONSerializer.loads` untagging (`_untag_scan`, children first), turning
//! each tag into the plain JSON a Rust type reads: a tuple as an array, bytes as an array of
//! numbers, a UUID as its hyphenated string, a datetime as RFC 3339, Markup as a string, and
//! an escaped dict (`{" di": {"<key>__": …}}`) as the dict `{"<key>": …}`.
//!
//! A tag whose content Flask never writes (bytes that are not base64, an escaped dict of two
//! keys, a tuple of a string…) is refused rather than guessed at.

use base64::Engine as _;
use serde_json::{Map, Value};

use super::python::{format_rfc3339, parse_http_date, parse_uuid, uuid_hyphenated};
use super::tagged::{DICT, TAGS};

/// The plain JSON of Flask's tagged JSON; `None` for a tag Flask would not have written.
pub(super) fn untag(value: Value) -> Option<Value> {
    match value {
        Value::Object(map) => {
            let map = map
                .into_iter()
                .map(|(k, v)| Some((k, untag(v)?)))
                .collect::<Option<Map<String, Value>>>()?;
            if map.len() != 1 || !map.keys().all(|key| TAGS.contains(&key.as_str())) {
                return Some(Value::Object(map));
            }
            let (key, inner) = map.into_iter().next()?;
            untag_one(&key, inner)
        }
        Value::Array(items) => Some(Value::Array(
            items.into_iter().map(untag).collect::<Option<_>>()?,
        )),
        other => Some(other),
    }
}

/// `tags[key].to_python(inner)`, as plain JSON (`inner` is untagged already).
fn untag_one(key: &str, inner: Value) -> Option<Value> {
    match (key, inner) {
        (" t", Value::Array(items)) => Some(Value::Array(items)),
        (" m", Value::String(text)) => Some(Value::String(text)),
        (" b", Value::String(text)) => {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(text)
                .ok()?;
            Some(Value::Array(bytes.into_iter().map(Value::from).collect()))
        }
        (" u", Value::String(text)) => Some(Value::String(uuid_hyphenated(parse_uuid(&text)?))),
        (" d", Value::String(text)) => {
            Some(Value::String(format_rfc3339(parse_http_date(&text)?)?))
        }
        (DICT, Value::Object(escaped)) if escaped.len() == 1 => {
            let (key, value) = escaped.into_iter().next()?;
            // Flask writes `key + "__"` and cuts two characters; anything else is not its
            // escape (and cutting two bytes off could split a character).
            let key = key.strip_suffix("__")?.to_owned();
            Some(Value::Object(Map::from_iter([(key, value)])))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn untags_flask_values() {
        let v = json!({
            "t": {" t": [1, {" b": "AAE="}]},
            "u": {" u": "12345678123456781234567812345678"},
            "d": {" d": "Wed, 21 Oct 2015 07:28:00 GMT"},
            "m": {" m": "<b>"},
            "di": {" di": {" t__": {" di": {" di__": 1}}}},
        });
        assert_eq!(
            untag(v).unwrap(),
            json!({
                "t": [1, [0, 1]],
                "u": "12345678-1234-5678-1234-567812345678",
                "d": "2015-10-21T07:28:00Z",
                "m": "<b>",
                "di": {" t": {" di": 1}},
            })
        );
    }

    #[test]
    fn refuses_what_flask_never_writes() {
        for bad in [
            json!({" b": "!!"}),
            json!({" d": "yesterday"}),
            json!({" u": 5}),
            json!({" t": "ab"}),
            json!({" m": {"a": 1}}),
            json!({" di": 3}),
            json!({" di": {"x": 1}}),
            json!({" di": {}}),
            json!({" di": {"a__": 1, "b__": 2}}),
            // A key ending inside a multi-byte character is refused, not cut (was a panic).
            json!({" di": {"€": 1}}),
        ] {
            assert_eq!(untag(bad.clone()), None, "{bad}");
        }
        assert_eq!(untag(json!({" di": {"€__": 1}})), Some(json!({"€": 1})));
    }
}
