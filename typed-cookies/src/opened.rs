//! [`Opened`]: an opened value with what the header said about it.

use time::OffsetDateTime;

use crate::seal::Meta;

/// A value that opened, with when it was sealed and whether the primary key sealed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opened<T> {
    value: T,
    issued_at: OffsetDateTime,
    sealed_with_primary: bool,
}

impl<T> Opened<T> {
    pub(crate) fn new(value: T, meta: Meta) -> Self {
        Self {
            value,
            issued_at: OffsetDateTime::from_unix_timestamp(meta.issued_at)
                .unwrap_or(OffsetDateTime::UNIX_EPOCH),
            sealed_with_primary: meta.key_index == 0,
        }
    }

    /// The value.
    pub fn value(&self) -> &T {
        &self.value
    }

    /// The value, by move.
    pub fn into_value(self) -> T {
        self.value
    }

    /// When it was sealed (from the authenticated header).
    pub fn issued_at(&self) -> OffsetDateTime {
        self.issued_at
    }

    /// `false` when a fallback key sealed it: reseal it so it survives that key's retirement.
    pub fn sealed_with_primary(&self) -> bool {
        self.sealed_with_primary
    }
}
