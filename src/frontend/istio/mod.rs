//! Istio `VirtualService` `corsPolicy` (issue 6).
//!
//! Scaffolding: recognises nothing yet; the front end is being built in issue 6.

use super::{InputError, Options};
use crate::ir::CorsPolicy;
use crate::source::SourceFile;

/// What only this front end knows, for its own rules.
#[derive(Clone, Debug)]
pub enum Fact {}

/// A file's policies and facts.
pub struct Lowered {
    pub policies: Vec<CorsPolicy>,
    pub facts: Vec<Fact>,
}

/// Whether a file holds configuration this front end reads, and why.
pub fn recognise(_file_name: &str, _bytes: &[u8]) -> Result<String, String> {
    Err("not read yet".into())
}

pub fn lower(_file: &SourceFile, _options: &Options) -> Result<Lowered, InputError> {
    Ok(Lowered {
        policies: Vec::new(),
        facts: Vec::new(),
    })
}
