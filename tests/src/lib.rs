//! Test support for aispm: the emulator harness and the demo-estate seeder.

pub mod emulator;
pub mod proxy;
pub mod runtime_api;
pub mod scenarios;
pub mod seed;
pub mod sinks;
