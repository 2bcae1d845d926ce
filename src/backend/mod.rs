//! Back ends: a policy written out in a target dialect, normalized (canonical order, case and
//! spelling, defaults explicit). What the target cannot express is a [`Refusal`] naming the
//! feature and the bytes that ask for it; `convert` then checks the written result against
//! the source with the semantics engine (`equiv`) before anything is kept.

pub mod canonical;
pub mod envoy_gateway;
pub mod gateway_api;
pub mod ingress_nginx;
pub mod istio;
pub mod kong;
pub mod nearest;
pub mod nginx;
pub mod torchserve;
pub mod traefik;
mod yaml_out;

use crate::frontend::Dialect;
use crate::ir::CorsPolicy;
use crate::source::Span;

/// What the target needs that a policy does not say (Kubernetes names, backends).
#[derive(Clone, Debug, Default)]
pub struct Context {
    pub name: Option<String>,
    pub namespace: Option<String>,
    /// `SERVICE:PORT` the emitted object routes to.
    pub service: Option<String>,
    pub host: Option<String>,
    /// The Gateway a route attaches to (Gateway API).
    pub gateway: Option<String>,
    /// The HTTPRoute a policy targets (Envoy Gateway).
    pub route: Option<String>,
    /// Write the target's configuration-file form instead of a Kubernetes object (Traefik's
    /// file provider, Kong's declarative `kong.yml`).
    pub file_format: bool,
    /// What the target runs (`--assume-version`): a back end writes only what that release
    /// accepts, and its output is read back under the same assumptions.
    pub target: crate::frontend::Options,
}

/// The target cannot express the policy.
#[derive(Clone, Debug)]
pub struct Refusal {
    /// What cannot be expressed, in words.
    pub feature: String,
    /// The source bytes that ask for it.
    pub span: Span,
}

/// A policy written in a target dialect.
#[derive(Clone, Debug)]
pub struct Emitted {
    pub text: String,
    /// File name the target's front end recognises (`config.properties`, `cors.conf`, …).
    pub file_name: &'static str,
    /// Approximations that change no browser verdict (e.g. a max-age the target lacks).
    pub notes: Vec<String>,
    /// Where the policy's own part starts: several policies in a configuration file share
    /// what comes before (0 for a self-contained object).
    pub own_part: usize,
}

/// Targets with a back end today.
pub const TARGETS: [Dialect; 8] = [
    Dialect::TorchServe,
    Dialect::Nginx,
    Dialect::IngressNginx,
    Dialect::GatewayApi,
    Dialect::Istio,
    Dialect::EnvoyGateway,
    Dialect::Traefik,
    Dialect::Kong,
];

pub fn emit(policy: &CorsPolicy, target: Dialect, cx: &Context) -> Result<Emitted, Refusal> {
    let mut emitted = emit_in(policy, target, cx)?;
    if canonical::canonical(policy).is_ok_and(|c| c.credentials_unobservable) {
        emitted.notes.push(
            "the source's `Access-Control-Allow-Credentials: true` next to a literal `*` changes \
             no browser call (browsers refuse credentialed calls answered with `*`): written \
             without credentials"
                .into(),
        );
    }
    Ok(emitted)
}

fn emit_in(policy: &CorsPolicy, target: Dialect, cx: &Context) -> Result<Emitted, Refusal> {
    match target {
        Dialect::TorchServe => torchserve::emit(policy),
        Dialect::Nginx => nginx::emit(policy),
        Dialect::IngressNginx => ingress_nginx::emit(policy, cx),
        Dialect::GatewayApi => gateway_api::emit(policy, cx),
        Dialect::Istio => istio::emit(policy, cx),
        Dialect::EnvoyGateway => envoy_gateway::emit(policy, cx),
        Dialect::Traefik => traefik::emit(policy, cx),
        Dialect::Kong => kong::emit(policy, cx),
    }
}
