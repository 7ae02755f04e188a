//! [`Codec`]: how a payload becomes bytes. JSON by default (readable when signed, evolves with
//! `#[serde(default)]`); postcard on request (about half the size and twice the speed, but
//! positional, so the derive folds a schema fingerprint into its namespace).

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::{OpenError, SealError};

/// The payload encoding.
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

    /// Appends the encoding of `value` to `out`.
    pub(crate) fn encode<T: Serialize + ?Sized>(
        self,
        value: &T,
        out: &mut Vec<u8>,
    ) -> Result<(), SealError> {
        let serialize = |reason: String| SealError::Serialize { reason };
        match self {
            Codec::Json => {
                serde_json::to_writer(&mut *out, value).map_err(|e| serialize(e.to_string()))
            }
            Codec::Postcard => postcard::serialize_with_flavor(value, AppendTo(out))
                .map_err(|e| serialize(e.to_string())),
        }
    }

    /// Decodes the whole of `bytes` as a `T`; trailing bytes are a mismatch too.
    pub(crate) fn decode<T: DeserializeOwned>(self, bytes: &[u8]) -> Result<T, OpenError> {
        let mismatch = || OpenError::PayloadMismatch {
            type_name: std::any::type_name::<T>(),
        };
        match self {
            Codec::Json => serde_json::from_slice(bytes).map_err(|_| mismatch()),
            Codec::Postcard => match postcard::take_from_bytes(bytes) {
                Ok((value, [])) => Ok(value),
                _ => Err(mismatch()),
            },
        }
    }
}

/// A postcard output that appends to the engine's buffer: slices with one `extend_from_slice`
/// (`postcard::to_extend` goes through `Extend` and moves the buffer in and out).
struct AppendTo<'a>(&'a mut Vec<u8>);

impl postcard::ser_flavors::Flavor for AppendTo<'_> {
    type Output = ();

    #[inline]
    fn try_push(&mut self, byte: u8) -> postcard::Result<()> {
        self.0.push(byte);
        Ok(())
    }

    #[inline]
    fn try_extend(&mut self, bytes: &[u8]) -> postcard::Result<()> {
        self.0.extend_from_slice(bytes);
        Ok(())
    }

    fn finalize(self) -> postcard::Result<()> {
        Ok(())
    }
}
