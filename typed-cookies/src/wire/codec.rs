//! [`Codec`]: how a payload becomes bytes. JSON by default (readable when signed, evolves with
//! `#[serde(default)]`); postcard on request (about half the size and twice the speed, but
//! positional, so the derive folds a schema fingerprint into its namespace).

use serde::de::DeserializeOwned;
use serde::Serialize;

/// The payload encoding, chosen with `codec = ".."` on a derived type (JSON by default).
///
/// ```
/// use serde::{Deserialize, Serialize};
/// use typed_cookies::{Codec, SealedCookie};
///
/// #[derive(Serialize, Deserialize, SealedCookie)]
/// #[cookie(name = "cart", salt = "docs.codec.v1", max_age = "7d", codec = "postcard")]
/// struct Cart { items: Vec<u32> }
///
/// assert_eq!(Cart::CONFIG.format().codec, Codec::Postcard);
/// assert_eq!(Codec::Json.label(), "json");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Codec {
    /// `serde_json`: self-describing; unknown fields ignored, missing ones can default.
    Json,
    /// `postcard`: compact and positional; a changed struct would mis-decode an old value,
    /// which is why typed cookies using it get a schema fingerprint in their namespace (field
    /// and variant names and order, field types as written, `#[serde]` attributes). The
    /// fingerprint does not see inside a field's type: when a nested struct changes, bump the
    /// salt's version.
    Postcard,
}

impl Codec {
    /// The label used in messages and subkey derivation: `json` or `postcard`.
    pub const fn label(self) -> &'static str {
        match self {
            Codec::Json => "json",
            Codec::Postcard => "postcard",
        }
    }

    /// Appends the encoding of `value` to `out` within its capacity, never reallocating it
    /// (a reallocation would free a copy of the plaintext without wiping it). Returns the
    /// length of the whole encoding; when that is more than the spare capacity, `out` holds
    /// only the part that fit, and the caller refuses the value as too large.
    pub(crate) fn encode<T: Serialize + ?Sized>(
        self,
        value: &T,
        out: &mut Vec<u8>,
    ) -> Result<usize, EncodeError> {
        let serialize = EncodeError;
        let mut to = AppendTo {
            out,
            len: 0,
            overflowed: false,
        };
        match self {
            Codec::Json => {
                serde_json::to_writer(&mut to, value).map_err(|e| serialize(e.to_string()))?;
            }
            Codec::Postcard => {
                postcard::serialize_with_flavor(value, &mut to)
                    .map_err(|e| serialize(e.to_string()))?;
            }
        }
        Ok(to.len)
    }

    /// Decodes the whole of `bytes` as a `T`; trailing bytes are a mismatch too. `None` when
    /// it does not decode (the engine reports which type it was opened as).
    pub(crate) fn decode<T: DeserializeOwned>(self, bytes: &[u8]) -> Option<T> {
        match self {
            // One UTF-8 check of the whole payload, then `from_str`, which trusts it: cheaper
            // than `from_slice`, which checks every string it reads on its own (~4 % of a
            // ~1 KB signed JSON round trip). JSON text is UTF-8 by definition and
            // `serde_json` only ever writes UTF-8, so every payload we seal still opens; the
            // one difference is stricter (a string read as raw bytes, which `from_slice` did
            // not check, must now be UTF-8 too).
            Codec::Json => serde_json::from_str(std::str::from_utf8(bytes).ok()?).ok(),
            Codec::Postcard => match postcard::take_from_bytes(bytes) {
                Ok((value, [])) => Some(value),
                _ => None,
            },
        }
    }
}

/// The serializer's message when a payload could not be encoded (the engine turns it into
/// [`SealError::Serialize`](crate::SealError::Serialize)).
#[derive(Debug)]
pub(crate) struct EncodeError(pub String);

/// An output that appends to the engine's buffer without ever growing it: bytes past its
/// capacity are counted, not stored (and once one write did not fit, no later one is stored).
/// Slices go in with one `extend_from_slice` (`postcard::to_extend` goes through `Extend` and
/// moves the buffer in and out).
struct AppendTo<'a> {
    out: &'a mut Vec<u8>,
    /// Bytes written so far, stored or not.
    len: usize,
    /// A write did not fit: nothing more is stored.
    overflowed: bool,
}

impl AppendTo<'_> {
    #[inline]
    fn append(&mut self, bytes: &[u8]) {
        if !self.overflowed && bytes.len() <= self.out.capacity() - self.out.len() {
            self.out.extend_from_slice(bytes);
        } else {
            self.overflowed = true;
        }
        self.len += bytes.len();
    }
}

impl std::io::Write for AppendTo<'_> {
    #[inline]
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.append(bytes);
        Ok(bytes.len())
    }

    #[inline]
    fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.append(bytes);
        Ok(())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl postcard::ser_flavors::Flavor for &mut AppendTo<'_> {
    type Output = ();

    #[inline]
    fn try_push(&mut self, byte: u8) -> postcard::Result<()> {
        self.append(&[byte]);
        Ok(())
    }

    #[inline]
    fn try_extend(&mut self, bytes: &[u8]) -> postcard::Result<()> {
        self.append(bytes);
        Ok(())
    }

    fn finalize(self) -> postcard::Result<()> {
        Ok(())
    }
}
