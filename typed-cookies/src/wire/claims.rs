//! The claims block of a tracked value (a type declared `revocable`, `one_time` or `replay`):
//! what the server-side checks need, carried inside the authenticated (and, when encrypted,
//! confidential) body, right before the payload. Flagged by bit `0x80` of the format byte.
//!
//! ```text
//! claims = session id (16) ‖ epoch (8, big-endian u64) ‖ nonce (8, big-endian u64)
//!          ‖ subject length (1) ‖ subject (0..=255 bytes of UTF-8; empty: no subject)
//! ```

use std::fmt;

use rand::RngCore as _;

/// The format-byte bit saying a claims block precedes the payload.
pub const CLAIMS_FLAG: u8 = 0x80;
/// The longest subject (user id) a value can carry, in bytes.
pub const MAX_SUBJECT_LEN: usize = 255;
/// Length of the block without its subject.
const FIXED_LEN: usize = 16 + 8 + 8 + 1;

/// The random 128-bit identity a tracked value carries (in its authenticated claims, never in
/// clear for encrypted types), shared by every reseal of one session.
///
/// ```
/// use typed_cookies::store::SessionId;
/// let id = SessionId::generate();
/// assert_eq!(id.to_string().len(), 32);
/// assert_eq!(SessionId::from_bytes(id.to_bytes()), id);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct SessionId([u8; 16]);

impl SessionId {
    /// A fresh random id from the thread-local CSPRNG.
    pub fn generate() -> Self {
        let mut bytes = [0u8; 16];
        rand::thread_rng().fill_bytes(&mut bytes);
        Self(bytes)
    }

    /// The id with these bytes.
    pub const fn from_bytes(bytes: [u8; 16]) -> Self {
        Self(bytes)
    }

    /// The id's bytes.
    pub const fn to_bytes(self) -> [u8; 16] {
        self.0
    }
}

impl fmt::Display for SessionId {
    /// 32 lowercase hex digits (how stores key it and logs name it).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

impl fmt::Debug for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SessionId({self})")
    }
}

/// The claims of one sealed value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Claims {
    /// The session's id: the same in every reseal of one session.
    pub session_id: SessionId,
    /// The subject's epoch when the session was issued.
    pub epoch: u64,
    /// Replay detection's per-response nonce (0 for types without `replay`).
    pub nonce: u64,
    /// Whose session it is, for the epoch check; `None` for anonymous values.
    pub subject: Option<Box<str>>,
}

impl Claims {
    /// Appends the block. The subject was checked against [`MAX_SUBJECT_LEN`] when the claims
    /// were made; a longer one is cut at a character boundary here rather than mis-encoded.
    pub fn write(&self, out: &mut Vec<u8>) {
        let subject = self.subject.as_deref().unwrap_or("");
        let mut cut = subject.len().min(MAX_SUBJECT_LEN);
        while !subject.is_char_boundary(cut) {
            cut -= 1;
        }
        out.extend_from_slice(&self.session_id.to_bytes());
        out.extend_from_slice(&self.epoch.to_be_bytes());
        out.extend_from_slice(&self.nonce.to_be_bytes());
        out.push(cut as u8);
        out.extend_from_slice(&subject.as_bytes()[..cut]);
    }

    /// Parses the block at the start of `bytes`: the claims and the block's length.
    pub fn parse(bytes: &[u8]) -> Option<(Self, usize)> {
        let fixed = bytes.get(..FIXED_LEN)?;
        let session_id = SessionId::from_bytes(fixed[..16].try_into().ok()?);
        let epoch = u64::from_be_bytes(fixed[16..24].try_into().ok()?);
        let nonce = u64::from_be_bytes(fixed[24..32].try_into().ok()?);
        let subject_len = usize::from(fixed[32]);
        let subject = bytes.get(FIXED_LEN..FIXED_LEN + subject_len)?;
        let subject = std::str::from_utf8(subject).ok()?;
        Some((
            Self {
                session_id,
                epoch,
                nonce,
                subject: (!subject.is_empty()).then(|| subject.into()),
            },
            FIXED_LEN + subject_len,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_round_trip_and_refuse_truncation() {
        for subject in [None, Some("ann"), Some("é".repeat(127).as_str())] {
            let claims = Claims {
                session_id: SessionId::from_bytes([7; 16]),
                epoch: 3,
                nonce: u64::MAX,
                subject: subject.map(Into::into),
            };
            let mut out = Vec::new();
            claims.write(&mut out);
            out.extend_from_slice(b"payload");
            let (parsed, len) = Claims::parse(&out).unwrap();
            assert_eq!((parsed, len), (claims, out.len() - 7));
            assert!(Claims::parse(&out[..len - 1]).is_none() || subject.is_none());
        }
        assert!(Claims::parse(&[0; FIXED_LEN - 1]).is_none());
        let mut bad = vec![0; FIXED_LEN];
        bad[32] = 2;
        bad.extend_from_slice(&[0xff, 0xfe]);
        assert!(Claims::parse(&bad).is_none(), "subject not UTF-8");
    }

    #[test]
    fn an_overlong_subject_is_cut_at_a_character_boundary() {
        let claims = Claims {
            session_id: SessionId::from_bytes([1; 16]),
            epoch: 0,
            nonce: 0,
            subject: Some("é".repeat(200).into()),
        };
        let mut out = Vec::new();
        claims.write(&mut out);
        let (parsed, _) = Claims::parse(&out).unwrap();
        assert_eq!(parsed.subject.unwrap().len(), 254);
    }
}
