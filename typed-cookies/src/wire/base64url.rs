//! Base64url without padding, the outer encoding of every value: `base64-simd` on the hot path
//! (AVX2/SSSE3/NEON when the CPU has them), byte-for-byte what the `base64` crate's
//! `URL_SAFE_NO_PAD` engine writes and accepts — the scalar engine was a fifth of the
//! engine's own time.

use base64_simd::URL_SAFE_NO_PAD;

/// Encodes `bytes` into a new string (its one allocation, of the exact length).
pub(crate) fn encode(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode_to_string(bytes)
}

/// Appends the encoding of `bytes` to `text` (which grows only if its capacity is short).
pub(crate) fn encode_append(bytes: &[u8], text: &mut String) {
    URL_SAFE_NO_PAD.encode_append(bytes, text);
}

/// Decodes `text` into `buf` (replacing its contents, keeping its capacity). Strict: no
/// padding, no whitespace, no other alphabet, and unused trailing bits must be zero, so each
/// byte string has exactly one encoding.
pub(crate) fn decode_into(text: &[u8], buf: &mut Vec<u8>) -> Result<(), ()> {
    buf.clear();
    // Writes straight into the spare capacity (no zero-filling of the output first, which
    // `resize` + `decode` did: ~1 KB of memset per open of a ~1 KB session). The engine's
    // scratch buffer always has the room, so this never reallocates there.
    URL_SAFE_NO_PAD
        .decode_append(text, buf)
        .map_err(|_| buf.clear())
}

#[cfg(test)]
mod tests {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD as REFERENCE;
    use base64::Engine as _;

    use super::*;

    fn bytes(len: usize, seed: u8) -> Vec<u8> {
        (0..len)
            .map(|i| (i as u8).wrapping_mul(151).wrapping_add(seed))
            .collect()
    }

    #[test]
    fn encodes_like_the_base64_crate() {
        for len in 0..300 {
            let input = bytes(len, len as u8);
            let ours = encode(&input);
            assert_eq!(ours, REFERENCE.encode(&input), "len {len}");
            let mut appended = String::from("sid=");
            encode_append(&input, &mut appended);
            assert_eq!(appended, format!("sid={ours}"), "len {len}");
            let mut back = vec![9; 3];
            decode_into(ours.as_bytes(), &mut back).unwrap();
            assert_eq!(back, input, "len {len}");
        }
    }

    #[test]
    fn accepts_and_rejects_exactly_what_the_base64_crate_does() {
        let alphabet: Vec<char> =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/ .\n"
                .chars()
                .collect();
        let mut buf = Vec::new();
        let mut check = |text: &str| {
            let reference = REFERENCE.decode(text).ok();
            let ours = decode_into(text.as_bytes(), &mut buf)
                .ok()
                .map(|()| buf.clone());
            assert_eq!(ours, reference, "{text:?}");
        };
        for &a in &alphabet {
            check(&a.to_string());
            for &b in &alphabet {
                check(&format!("{a}{b}"));
                for &c in &alphabet {
                    check(&format!("{a}{b}{c}"));
                    check(&format!("AQIDBAUG{a}{b}{c}"));
                    check(&format!(
                        "{a}{b}{c}AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyAh"
                    ));
                }
            }
        }
    }
}
