//! [`Ctxt`]: the error context the parse and validate steps report into, so one build shows
//! every mistake of an attribute at once (serde_derive's `internals/ctxt.rs`).
//!
//! A context must be [`check`](Ctxt::check)ed, which consumes it; dropping one unchecked
//! panics, so no step can collect errors and then lose them.

use std::cell::RefCell;
use std::fmt::Display;

use proc_macro2::Span;

/// Where an error goes in the report: errors about the type's shape first, then those about
/// what was written (in the order the steps find them), then what is missing — a "missing
/// `salt`" is easier to act on once the rest of the attribute is right.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Section {
    Shape,
    Written,
    Missing,
}

/// Collects the errors of one derive; see the module docs.
pub struct Ctxt {
    /// `None` once checked.
    errors: RefCell<Option<Vec<(Section, syn::Error)>>>,
}

impl Ctxt {
    /// An empty context; it still has to be checked.
    pub fn new() -> Self {
        Self {
            errors: RefCell::new(Some(Vec::new())),
        }
    }

    /// Reports `message` about what was written at `span`.
    pub fn error(&self, span: Span, message: impl Display) {
        self.push(Section::Written, syn::Error::new(span, message));
    }

    /// Reports an error `syn` produced (broken attribute syntax).
    pub fn syn_error(&self, error: syn::Error) {
        self.push(Section::Written, error);
    }

    /// Reports that the type's shape (not its attribute) rules the derive out.
    pub fn shape_error(&self, span: Span, message: impl Display) {
        self.push(Section::Shape, syn::Error::new(span, message));
    }

    /// Reports that something required was not written; listed after every other error.
    pub fn missing(&self, span: Span, message: impl Display) {
        self.push(Section::Missing, syn::Error::new(span, message));
    }

    fn push(&self, section: Section, error: syn::Error) {
        self.errors
            .borrow_mut()
            .as_mut()
            .expect("error reported to a checked Ctxt")
            .push((section, error));
    }

    /// Consumes the context: every error, combined in report order, or `Ok` if there were none.
    pub fn check(self) -> Result<(), syn::Error> {
        let mut errors = self.errors.borrow_mut().take().expect("Ctxt checked twice");
        // Stable: within a section, errors keep the order they were found in.
        errors.sort_by_key(|(section, _)| *section);
        let mut errors = errors.into_iter().map(|(_, error)| error);
        let Some(mut all) = errors.next() else {
            return Ok(());
        };
        for error in errors {
            all.combine(error);
        }
        Err(all)
    }
}

impl Drop for Ctxt {
    fn drop(&mut self) {
        if !std::thread::panicking() && self.errors.borrow().is_some() {
            panic!("typed-cookies-derive: a Ctxt was dropped without being checked");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(cx: Ctxt) -> Vec<String> {
        match cx.check() {
            Ok(()) => Vec::new(),
            Err(e) => e.into_iter().map(|e| e.to_string()).collect(),
        }
    }

    #[test]
    fn no_errors_checks_ok() {
        assert!(Ctxt::new().check().is_ok());
    }

    #[test]
    fn shape_first_missing_last_otherwise_in_order() {
        let cx = Ctxt::new();
        let at = Span::call_site();
        cx.missing(at, "m1");
        cx.error(at, "w1");
        cx.shape_error(at, "s1");
        cx.syn_error(syn::Error::new(at, "w2"));
        cx.missing(at, "m2");
        assert_eq!(messages(cx), ["s1", "w1", "w2", "m1", "m2"]);
    }

    #[test]
    #[should_panic(expected = "without being checked")]
    fn an_unchecked_context_panics() {
        let cx = Ctxt::new();
        cx.error(Span::call_site(), "lost");
    }
}
