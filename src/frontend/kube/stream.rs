//! A file's YAML stream, read at most once however many front ends look at it.
//!
//! A Kubernetes manifest is offered to every YAML front end (to recognise it, list the
//! objects it defines, lower it): each parsing it again made saphyr most of a run's time.

use super::tree::{self, Node};
use super::yaml::{self, CharMap, YamlError};
use saphyr::MarkedYaml;
use std::cell::OnceCell;
use std::str::Utf8Error;

/// One file's bytes and what the YAML front ends read from them, each computed on first use
/// (a file no front end parses is never parsed).
pub struct Stream<'a> {
    bytes: &'a [u8],
    text: OnceCell<Result<&'a str, Utf8Error>>,
    chars: OnceCell<CharMap>,
    template: OnceCell<Option<(usize, String)>>,
    docs: OnceCell<Result<Vec<MarkedYaml<'a>>, YamlError>>,
    trees: OnceCell<Vec<OnceCell<Node>>>,
}

impl<'a> Stream<'a> {
    pub fn new(bytes: &'a [u8]) -> Stream<'a> {
        Stream {
            bytes,
            text: OnceCell::new(),
            chars: OnceCell::new(),
            template: OnceCell::new(),
            docs: OnceCell::new(),
            trees: OnceCell::new(),
        }
    }

    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The file's text, or where it stops being UTF-8.
    pub fn text(&self) -> Result<&'a str, Utf8Error> {
        *self.text.get_or_init(|| std::str::from_utf8(self.bytes))
    }

    /// The character → byte map of the text.
    pub fn chars(&self) -> &CharMap {
        self.chars.get_or_init(|| CharMap::new(self.src()))
    }

    /// The first Go/Helm template action outside a quoted string ([`yaml::template_action`]).
    pub fn template_action(&self) -> Option<&(usize, String)> {
        self.template
            .get_or_init(|| yaml::template_action(self.src()))
            .as_ref()
    }

    /// Every document of the stream, or where the YAML breaks ([`yaml::load`]).
    pub fn docs(&self) -> Result<&[MarkedYaml<'a>], &YamlError> {
        self.docs
            .get_or_init(|| yaml::load(self.src(), self.chars()))
            .as_deref()
    }

    /// Document `i` as a typed tree ([`tree::from_yaml`]), built on first use: it maps every
    /// scalar's characters, so readers ask only for the documents they need.
    pub fn tree(&self, i: usize) -> Option<&Node> {
        let docs = self.docs().ok()?;
        let cells = self
            .trees
            .get_or_init(|| docs.iter().map(|_| OnceCell::new()).collect());
        let doc = docs.get(i)?;
        Some(cells[i].get_or_init(|| tree::from_yaml(self.src(), self.chars(), doc)))
    }

    /// How many documents the stream holds (none when the YAML breaks).
    pub fn doc_count(&self) -> usize {
        self.docs().map_or(0, |d| d.len())
    }

    /// The text the YAML readers see: front ends check [`Stream::text`] first, so a file
    /// that is not UTF-8 never gets this far (it would read as empty).
    fn src(&self) -> &'a str {
        self.text().unwrap_or_default()
    }
}
