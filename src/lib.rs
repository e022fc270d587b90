//! qcls: a checker and language server for Horizon Robotics quant_config files.
//!
//! Layers, lowest first (each only uses the ones above it in this list):
//! `text` → `syntax` → `spec` → `model` → `analysis` → `server` / `cli`.

pub mod analysis;
pub mod cli;
pub mod model;
pub mod server;
pub mod spec;
pub mod syntax;
pub mod text;
