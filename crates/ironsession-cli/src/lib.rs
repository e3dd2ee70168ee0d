//! The parts of the `ironsession` command that read untrusted input without a password, as a
//! library so that the fuzz targets in `fuzz/` run exactly the code the command runs. The command
//! itself is `src/main.rs`; this is not a stable API.
#![forbid(unsafe_code)]

pub mod error;
pub mod inspect;
pub mod paste;
pub mod shown;
pub mod times;
