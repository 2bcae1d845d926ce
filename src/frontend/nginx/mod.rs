//! nginx: configuration files and the snippets ingress-nginx embeds.

pub mod eval;
pub mod headers;
pub mod map;
pub mod syntax;
