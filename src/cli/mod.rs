//! The command line: check, explain, schema.
