//! Schema fingerprint for the compact codec: a 64-bit digest of the type's shape as written —
//! field and variant names and order, field types as tokens, and every `#[serde(...)]`
//! attribute. Folded into the subkey namespace, so a value sealed before a field was added,
//! removed, reordered, renamed or retyped fails authentication instead of mis-decoding.
//!
//! It cannot see through a field's type: changing the fields of a struct *used* as a field
//! type (or what a type alias points to) does not change the fingerprint.

use quote::ToTokens;
use sha2::{Digest, Sha256};
use syn::{Attribute, Data, DeriveInput, Fields};

/// The fingerprint of `input`.
pub fn fingerprint(input: &DeriveInput) -> u64 {
    let mut text = String::new();
    serde_attrs(&input.attrs, &mut text);
    match &input.data {
        Data::Struct(s) => {
            text.push_str("struct");
            fields(&s.fields, &mut text);
        }
        Data::Enum(e) => {
            text.push_str("enum");
            for variant in &e.variants {
                text.push_str(&format!("|variant {}", variant.ident));
                serde_attrs(&variant.attrs, &mut text);
                fields(&variant.fields, &mut text);
            }
        }
        Data::Union(_) => text.push_str("union"),
    }
    let digest = Sha256::digest(text.as_bytes());
    u64::from_be_bytes(digest[..8].try_into().expect("SHA-256 is 32 bytes"))
}

fn fields(fields: &Fields, text: &mut String) {
    let kind = match fields {
        Fields::Named(_) => "{",
        Fields::Unnamed(_) => "(",
        Fields::Unit => ";",
    };
    text.push_str(kind);
    for (index, field) in fields.iter().enumerate() {
        let name = field
            .ident
            .as_ref()
            .map_or_else(|| index.to_string(), ToString::to_string);
        text.push_str(&format!("{name}: {};", field.ty.to_token_stream()));
        serde_attrs(&field.attrs, text);
    }
}

fn serde_attrs(attrs: &[Attribute], text: &mut String) {
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        text.push_str(&format!("#[{}]", attr.meta.to_token_stream()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(tokens: proc_macro2::TokenStream) -> u64 {
        fingerprint(&syn::parse2(tokens).unwrap())
    }

    #[test]
    fn changes_with_every_part_of_the_shape() {
        let base = of(quote::quote!(
            struct S {
                a: u64,
                b: String,
            }
        ));
        assert_eq!(
            base,
            of(quote::quote!(
                #[cookie(name = "x")]
                struct S {
                    a: u64,
                    b: String,
                }
            ))
        );
        for changed in [
            quote::quote!(
                struct S {
                    a: u32,
                    b: String,
                }
            ),
            quote::quote!(
                struct S {
                    b: String,
                    a: u64,
                }
            ),
            quote::quote!(
                struct S {
                    a: u64,
                    c: String,
                }
            ),
            quote::quote!(
                struct S {
                    a: u64,
                    b: String,
                    c: bool,
                }
            ),
            quote::quote!(
                struct S {
                    a: u64,
                    #[serde(skip)]
                    b: String,
                }
            ),
            quote::quote!(
                struct S(u64, String);
            ),
            quote::quote!(
                enum S {
                    A { a: u64, b: String },
                }
            ),
        ] {
            assert_ne!(of(changed.clone()), base, "{changed}");
        }
    }
}
