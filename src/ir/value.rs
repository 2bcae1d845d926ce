//! A header value a server sends verbatim, with where it came from.

use crate::source::{MappedText, Span};
use std::ops::Range;

/// Where a value comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ValueSource {
    /// Written in the linted file.
    File,
    /// Read from an environment variable at start-up (e.g. TorchServe `TS_CORS_ALLOWED_ORIGIN`
    /// with `enable_envvars_config=true`); the span is the setting that enables it.
    Environment { variable: String },
    /// Written with variables the server replaces by one literal (nginx `set`,
    /// `$server_name`); `written` is the text as written.
    Expanded { written: String },
}

/// Whether the value is known at lint time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolution {
    Known,
    /// It depends on environment variables whose values were not given.
    DependsOn {
        variables: Vec<String>,
    },
}

/// Whether the server can put the value on the wire.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Delivery {
    Sent,
    /// Writing a response with this header fails, so requests get no HTTP response at all
    /// (e.g. Netty's header validation throws); `reason` is the server's error.
    BreaksEveryResponse {
        reason: String,
    },
}

#[derive(Clone, Debug)]
pub struct HeaderValue {
    text: MappedText,
    pub source: ValueSource,
    pub resolution: Resolution,
    pub delivery: Delivery,
}

impl HeaderValue {
    pub fn new(text: MappedText, source: ValueSource, resolution: Resolution) -> Self {
        HeaderValue {
            text,
            source,
            resolution,
            delivery: Delivery::Sent,
        }
    }

    pub fn with_delivery(mut self, delivery: Delivery) -> Self {
        self.delivery = delivery;
        self
    }

    /// A value written in the file and fully known.
    pub fn from_file(text: MappedText) -> Self {
        HeaderValue::new(text, ValueSource::File, Resolution::Known)
    }

    /// The text with the file bytes of each character.
    pub fn mapped(&self) -> &MappedText {
        &self.text
    }

    /// The exact characters the server puts on the wire.
    pub fn text(&self) -> &str {
        self.text.as_str()
    }

    pub fn is_known(&self) -> bool {
        self.resolution == Resolution::Known
    }

    /// The value with its file bytes passed through `f` (see [`MappedText::remap`]).
    pub fn remap(&self, f: &dyn Fn(Span) -> Span) -> HeaderValue {
        HeaderValue {
            text: self.text.remap(f),
            ..self.clone()
        }
    }

    /// The file bytes of the whole value.
    pub fn span(&self) -> Span {
        self.text.span()
    }

    /// The file bytes of part of the value (byte range of [`Self::text`]).
    pub fn span_of(&self, range: Range<usize>) -> Span {
        self.text.span_of(range)
    }

    /// The value as a browser sees it: HTTP strips leading and trailing spaces and tabs
    /// (verified in Chromium, `../shared/facts/browser.md`).
    pub fn browser_view(&self) -> (&str, Range<usize>) {
        let t = self.text();
        let start = t.len() - t.trim_start_matches([' ', '\t']).len();
        let end = t.trim_end_matches([' ', '\t']).len().max(start);
        (&t[start..end], start..end)
    }
}
