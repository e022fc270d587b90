//! Pure functions over (tree, spec, model): diagnostics, precision, editor features.
