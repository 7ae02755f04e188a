//! zlib (RFC 1950) for the `.`-prefixed compressed payloads of Django and itsdangerous, with
//! a hard cap on the inflated size.

use std::io::{Read, Write};

use flate2::read::ZlibDecoder;
use flate2::write::ZlibEncoder;
use flate2::Compression;

use super::MAX_INFLATED_LEN;

/// `zlib.compress(data)` (level 6, Python's default).
pub(crate) fn compress(data: &[u8]) -> Vec<u8> {
    let mut enc = ZlibEncoder::new(Vec::with_capacity(data.len() / 2 + 16), Compression::new(6));
    // Writing into a Vec cannot fail.
    let _ = enc.write_all(data);
    enc.finish().unwrap_or_default()
}

/// Inflates a zlib stream; `None` if it is corrupt, has trailing garbage, or would inflate
/// past [`MAX_INFLATED_LEN`].
pub(crate) fn decompress(data: &[u8]) -> Option<Vec<u8>> {
    let mut dec = ZlibDecoder::new(data);
    let mut out = Vec::new();
    let limit = MAX_INFLATED_LEN as u64 + 1;
    (&mut dec).take(limit).read_to_end(&mut out).ok()?;
    if out.len() > MAX_INFLATED_LEN {
        return None;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_bomb() {
        let data = b"hello hello hello hello hello".repeat(10);
        assert_eq!(decompress(&compress(&data)).unwrap(), data);
        let bomb = compress(&vec![0u8; MAX_INFLATED_LEN + 1]);
        assert!(bomb.len() < 200);
        assert_eq!(decompress(&bomb), None);
        assert!(decompress(&compress(&vec![0u8; MAX_INFLATED_LEN])).is_some());
        assert_eq!(decompress(b"not zlib"), None);
        assert_eq!(decompress(&[]), None);
    }
}
