//! amlvnet: checks Azure network JSON against the requirements of Azure ML training
//! compute in a virtual network, before anything is deployed.
//!
//! Invariants:
//! - the core does no I/O, reads no clock, and never panics on user input
//!   (clippy denies `unwrap`, `expect`, `panic` and slice indexing) nor overflows silently
//!   (unchecked arithmetic is denied here: `checked_`, `saturating_`, or `wrapping_` where
//!   a comment says why it can't wrap);
//! - `rules` depend on `nsg` and `net`, never the reverse; checks never parse input;
//! - only `report` defines what is written out; `input` only reads.
//!
//! Flow: `input` reads every document shape into one `model`; `engine` resolves the
//! scenario and the compute subnets; each check of `rules` queries `nsg` and returns
//! findings; `report` renders them as text, JSON, SARIF or Markdown.

#![cfg_attr(not(test), deny(clippy::arithmetic_side_effects))]

pub mod engine;
pub mod flow;
#[doc(hidden)]
pub mod fuzz;
pub mod input;
#[cfg(all(feature = "js-api", target_arch = "wasm32"))]
pub mod js_api;
pub mod json;
pub mod link;
pub mod model;
pub mod net;
pub mod nsg;
pub mod report;
pub mod rules;
pub mod service_tags;

pub use engine::{check, check_model, Options};
pub use input::Document;
pub use report::{Profile, Report, Status};

/// The tool's version, as written in reports.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

pub use net::normalise_region;
