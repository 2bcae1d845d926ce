//! TorchServe `config.properties`: one fixed `Access-Control-Allow-Origin` (it never looks at
//! the request's `Origin`), methods and headers as fixed lists, no credentials, no exposed
//! headers, no max-age.

use super::canonical::{Allowed, Origins, canonical};
use super::{Emitted, Refusal};
use crate::ir::CorsPolicy;

pub fn emit(policy: &CorsPolicy) -> Result<Emitted, Refusal> {
    let c = canonical(policy)?;
    let refuse = |feature: &str| Refusal {
        feature: feature.into(),
        span: c.origin_span,
    };
    if c.credentials {
        return Err(refuse(
            "credentials: TorchServe never sends `Access-Control-Allow-Credentials`",
        ));
    }
    if !c.expose.is_empty() {
        return Err(refuse(
            "exposed headers: TorchServe has no `Access-Control-Expose-Headers` setting",
        ));
    }
    let origin = match &c.origins {
        Origins::None => None,
        // Without credentials, echoing every origin and `*` let the same calls through.
        Origins::Star | Origins::EchoAny => Some("*".to_string()),
        Origins::List(list) => match list.as_slice() {
            [Allowed::Exact(o)] => Some(o.clone()),
            [Allowed::Null] => Some("null".into()),
            _ => {
                return Err(refuse(
                    "several allowed origins: TorchServe sends one fixed `Access-Control-Allow-Origin`",
                ));
            }
        },
    };
    let mut text = String::from("# CORS, normalized by cors-lint\n");
    if let Some(o) = origin {
        text.push_str(&format!("cors_allowed_origin={o}\n"));
    }
    if !c.methods.is_empty() {
        text.push_str(&format!("cors_allowed_methods={}\n", c.methods.join(", ")));
    }
    if !c.headers.is_empty() {
        text.push_str(&format!("cors_allowed_headers={}\n", c.headers.join(", ")));
    }
    let mut notes = Vec::new();
    if let Some(age) = c.max_age {
        notes.push(format!(
            "TorchServe sends no `Access-Control-Max-Age`: browsers cache preflights for 5 s instead of {age} s"
        ));
    }
    Ok(Emitted {
        text,
        file_name: "config.properties",
        notes,
        own_part: 0,
    })
}
