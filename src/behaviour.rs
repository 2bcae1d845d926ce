//! Does an edit of a file change what browsers may do? The one test a safe fix and `fmt`
//! must pass: the edited bytes are read again by the file's front end, and every policy must
//! let browsers make exactly the calls the original's policies let them make, with the same
//! readable headers, on answers and on the server's errors ([`equiv::compare_behaviour`]).

use crate::equiv::{self, Difference};
use crate::frontend::{self, Dialect, Options};
use crate::ir::CorsPolicy;
use crate::source::SourceFile;
use std::fmt;

/// Why an edit does not keep the file's behaviour.
#[derive(Clone, Debug)]
pub enum Change {
    /// The front end refuses the edited file (the message, located).
    Unreadable(String),
    /// The edited file holds another number of policies.
    PolicyCount { before: usize, after: usize },
    /// A call gets another verdict or other readable headers under the policy of `scope`.
    Call {
        scope: String,
        difference: Box<Difference>,
    },
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Change::Unreadable(_) => write!(f, "the result would not parse"),
            Change::PolicyCount { .. } => {
                write!(f, "the result would hold another number of policies")
            }
            Change::Call { difference: d, .. } => write!(
                f,
                "that would change what browsers may do: {} would be {} instead of {}",
                d.call,
                d.after.describe(),
                d.before.describe()
            ),
        }
    }
}

/// The policies `bytes` lower to as the file `name`; `Err` is the front end's refusal, with
/// its line and column.
pub fn lower(
    bytes: &[u8],
    name: &str,
    dialect: Dialect,
    options: &Options,
) -> Result<Vec<CorsPolicy>, String> {
    let file = SourceFile::new(name, bytes.to_vec(), dialect.encoding());
    frontend::lower(dialect, &file, options)
        .map(|l| l.policies)
        .map_err(|e| match e.position(&file) {
            Some(at) => format!("{at}: {}", e.message),
            None => e.message,
        })
}

/// `Ok` when `edited`, read as the file `name`, lets browsers do exactly what `before` (the
/// original's policies) lets them do.
pub fn check(
    name: &str,
    dialect: Dialect,
    options: &Options,
    before: &[CorsPolicy],
    edited: &[u8],
) -> Result<(), Change> {
    let after = lower(edited, name, dialect, options).map_err(Change::Unreadable)?;
    if after.len() != before.len() {
        return Err(Change::PolicyCount {
            before: before.len(),
            after: after.len(),
        });
    }
    for (b, a) in before.iter().zip(&after) {
        if let Some(d) = equiv::compare_behaviour(b, a)
            .differences
            .into_iter()
            .next()
        {
            return Err(Change::Call {
                scope: b.scope.description.clone(),
                difference: Box::new(d),
            });
        }
    }
    Ok(())
}
