//! cors-lint: a static CORS config linter and policy compiler.
//!
//! Data flow: [`walk`] finds files → [`frontend`] recognises and lowers each into the
//! [`ir`] (CORS policies + front-end facts) → [`rules`] report [`finding::Finding`]s →
//! [`report`] prints them. See ARCHITECTURE.md.

pub mod backend;
pub mod behaviour;
pub mod cli;
pub mod config;
pub mod equiv;
pub mod finding;
pub mod format;
pub mod frontend;
pub mod fsutil;
pub mod ir;
pub mod lint;
pub mod memo;
pub mod regex_cache;
pub mod report;
pub mod rules;
pub mod selection;
pub mod server;
pub mod sim;
pub mod source;
pub mod spelling;
pub mod suppress;
pub mod walk;
