//! The language server glue.
