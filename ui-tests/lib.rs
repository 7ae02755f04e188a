//! Empty library: this package only hosts the trybuild cases in `pass/` and `fail/`.
