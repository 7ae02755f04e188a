//! How deeply JSON nests, against what [`Serializer::open`](super::Serializer::open) reads:
//! serde_json refuses input nested more than [`MAX`] arrays and objects deep (its recursion
//! limit), so [`Serializer::seal`](super::Serializer::seal) refuses to write such JSON rather
//! than make a value it cannot read back. It matters most in a Flask session, where escaping
//! a dict whose only key spells a tag (`{" m": …}` → `{" di": {" m__": …}}`) doubles the
//! depth of data a user chose.

/// The deepest nesting serde_json reads: its recursion limit of 128 refuses the 128th level.
pub(super) const MAX: usize = 127;

/// How many arrays and objects deep `json` (text serde_json wrote) nests; brackets inside
/// strings do not count.
pub(super) fn of(json: &[u8]) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    let (mut in_string, mut escaped) = (false, false);
    for &b in json {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(depth: usize) -> String {
        format!("{}1{}", "[".repeat(depth), "]".repeat(depth))
    }

    #[test]
    fn max_is_what_serde_json_reads() {
        let read = |text: &str| serde_json::from_str::<serde_json::Value>(text).is_ok();
        assert!(read(&nested(MAX)));
        assert!(!read(&nested(MAX + 1)));
        assert_eq!(of(nested(MAX).as_bytes()), MAX);
    }

    #[test]
    fn counts_brackets_outside_strings_only() {
        assert_eq!(of(b"1"), 0);
        assert_eq!(of(b"{}"), 1);
        assert_eq!(of(br#"{"a":[1,{"b":[]}],"c":{}}"#), 4);
        assert_eq!(of(br#"["[[{{",{"\"[":"\\"},"]]"]"#), 2);
        assert_eq!(of(br#"{"\\\"{{":[["\\"]]}"#), 3);
    }
}
