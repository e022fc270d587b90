//! qcls: a checker and language server for Horizon Robotics quant_config files.
//!
//! Layers, lowest first (each only uses the ones above it in this list):
//! `text` → `syntax` → `spec` → `model` → `analysis` → `server` / `cli`; `parallel` and `memory` are
//! helpers any of them may use.

pub mod analysis;
pub mod cli;
mod memory;
pub use memory::without_huge_pages;
pub mod model;
mod parallel;
pub mod server;
pub mod spec;
pub mod syntax;
pub mod text;

// The tree of a big config and the index of a big model are hundreds of thousands of small
// allocations; mimalloc allocates and frees them about twice as fast as glibc (README,
// Performance).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
