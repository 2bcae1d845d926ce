//! Front ends: each turns one dialect's file into CORS policies (IR) plus facts only that
//! front end can know. Dialect quirks live here, never in rules.

pub mod envoy_gateway;
pub mod gateway_api;
pub mod ingress;
pub mod istio;
pub mod kong;
pub mod kube;
pub mod nginx;
pub mod objects;
pub mod properties;
pub mod torchserve;
pub mod traefik;

pub use objects::{Object, Objects};

use crate::ir::CorsPolicy;
use crate::source::{Encoding, SourceFile, Span};
use kube::Stream;
use std::collections::BTreeMap;

/// A configuration language cors-lint reads. Names are the `convert --to` names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dialect {
    TorchServe,
    Nginx,
    IngressNginx,
    GatewayApi,
    Istio,
    EnvoyGateway,
    Traefik,
    Kong,
}

/// Every dialect, in the order files are offered to front ends.
pub const DIALECTS: [Dialect; 8] = [
    Dialect::TorchServe,
    Dialect::IngressNginx,
    Dialect::GatewayApi,
    Dialect::Istio,
    Dialect::EnvoyGateway,
    Dialect::Traefik,
    Dialect::Kong,
    Dialect::Nginx,
];

impl Dialect {
    pub fn name(self) -> &'static str {
        match self {
            Dialect::TorchServe => "torchserve",
            Dialect::Nginx => "nginx",
            Dialect::IngressNginx => "ingress-nginx",
            Dialect::GatewayApi => "gateway-api",
            Dialect::Istio => "istio",
            Dialect::EnvoyGateway => "envoy-gateway",
            Dialect::Traefik => "traefik",
            Dialect::Kong => "kong",
        }
    }

    pub fn encoding(self) -> Encoding {
        match self {
            // `Properties.load(InputStream)` reads ISO-8859-1.
            Dialect::TorchServe => Encoding::Latin1,
            // nginx reads bytes; UTF-8 is what its files are written in.
            Dialect::Nginx => Encoding::Utf8,
            // YAML and TOML are UTF-8.
            Dialect::IngressNginx
            | Dialect::GatewayApi
            | Dialect::Istio
            | Dialect::EnvoyGateway
            | Dialect::Traefik
            | Dialect::Kong => Encoding::Utf8,
        }
    }

    pub fn from_name(name: &str) -> Option<Dialect> {
        DIALECTS.into_iter().find(|d| d.name() == name)
    }

    /// Kubernetes manifests: a file may hold objects of several of these dialects, and
    /// every one of their front ends reads it.
    pub fn is_kubernetes(self) -> bool {
        matches!(
            self,
            Dialect::IngressNginx
                | Dialect::GatewayApi
                | Dialect::Istio
                | Dialect::EnvoyGateway
                | Dialect::Traefik
                | Dialect::Kong
        )
    }
}

/// The environment the server will run with, for values that read it.
#[derive(Clone, Debug, Default)]
pub enum Env {
    /// Not given: values that read the environment are reported as depending on it.
    #[default]
    Unknown,
    /// Exactly these variables are set; any other is unset.
    Known(BTreeMap<String, String>),
}

/// What the file alone does not say about the deployment.
#[derive(Clone, Debug, Default)]
pub struct Options {
    pub env: Env,
    /// TorchServe runs with `--disable-token-auth`.
    pub ts_disable_token_auth: bool,
    /// TorchServe runs with `--enable-model-api`.
    pub ts_enable_model_api: bool,
    /// The nginx release to model (`--assume-version nginx=…`); `None`: the newest known.
    pub nginx_version: Option<nginx::headers::Version>,
    /// nginx's configuration prefix for `include` (`--nginx-prefix`).
    pub nginx_prefix: Option<std::path::PathBuf>,
    /// The ingress-nginx controller release (`--assume-version ingress-nginx=…`); `None`:
    /// the newest known.
    pub ingress_nginx_version: Option<ingress::controller::Version>,
    /// The Gateway API release whose CRDs the cluster runs (`--assume-version
    /// gateway-api=…`); `None`: the newest known.
    pub gateway_api_version: Option<gateway_api::Version>,
    /// The implementation serving Gateway API routes whose GatewayClass the file does not
    /// show (`--assume-version envoy-gateway|istio|nginx-gateway-fabric=…`).
    pub gateway_api_implementation: Option<gateway_api::implementation::Implementation>,
    /// The Traefik release (`--assume-version traefik=…`); `None`: the newest known.
    pub traefik_version: Option<traefik::Version>,
}

/// Facts a front end found, for its own rules.
#[derive(Clone, Debug)]
pub enum Fact {
    TorchServe(torchserve::Fact),
    Nginx(nginx::Fact),
    Ingress(ingress::Fact),
    GatewayApi(gateway_api::Fact),
    Istio(istio::Fact),
    EnvoyGateway(envoy_gateway::Fact),
    Traefik(traefik::Fact),
    Kong(kong::Fact),
}

/// A file's policies and facts.
pub struct Lowered {
    pub dialect: Dialect,
    pub policies: Vec<CorsPolicy>,
    pub facts: Vec<Fact>,
    /// Files read along with it (nginx `include`), each at its offset in the address space
    /// the spans of `policies` and `facts` use; the file itself starts at 0.
    pub included: Vec<nginx::include::Included>,
    pub objects: Objects,
}

/// Input the server would reject, or that cannot be read (reported as CL000).
#[derive(Clone, Debug)]
pub struct InputError {
    pub span: Option<Span>,
    pub message: String,
}

impl InputError {
    /// `line:column` of the error in `file`, when it has a place.
    pub fn position(&self, file: &SourceFile) -> Option<String> {
        self.span
            .map(|s| file.position(s.start))
            .map(|p| format!("{}:{}", p.line, p.column))
    }
}

/// Which front end reads a file, and why — or why none does.
pub fn recognise(file_name: &str, bytes: &[u8]) -> Result<(Dialect, String), String> {
    recognise_stream(file_name, &Stream::new(bytes))
}

/// [`recognise`], the YAML front ends sharing `stream` (the file's bytes, parsed at most
/// once; [`lower_stream`] can reuse it).
pub fn recognise_stream(file_name: &str, stream: &Stream) -> Result<(Dialect, String), String> {
    let mut why_not = Vec::new();
    for d in DIALECTS {
        match recognise_as(d, file_name, stream) {
            Ok(why) => return Ok((d, why)),
            Err(why) => why_not.push((d, why)),
        }
    }
    // The YAML front ends' reasons only for YAML files, where they say something.
    let yaml = ingress::is_yaml_name(file_name);
    if let Some(found) = recognise_undecodable(file_name, stream) {
        return Ok(found);
    }
    let reasons: Vec<String> = why_not
        .into_iter()
        .filter(|(d, why)| {
            !d.is_kubernetes() || (yaml && (*d == Dialect::IngressNginx || why != "not read yet"))
        })
        .map(|(d, why)| format!("{}: {why}", d.name()))
        .collect();
    Err(reasons.join("; "))
}

/// A YAML or TOML file that is not UTF-8 (ISO-8859-1 bytes, UTF-16) but would be read if it
/// were: it is that front end's, which then refuses it with a located error, rather than a
/// file no front end reads.
fn recognise_undecodable(file_name: &str, stream: &Stream) -> Option<(Dialect, String)> {
    let bytes = stream.bytes();
    let toml = file_name.ends_with(".toml");
    if !(ingress::is_yaml_name(file_name) || toml) || std::str::from_utf8(bytes).is_ok() {
        return None;
    }
    let decoded = match crate::source::Utf16::of(bytes) {
        Some(utf16) => utf16.decode(bytes),
        None => String::from_utf8_lossy(bytes).into_owned(),
    };
    let stream = Stream::new(decoded.as_bytes());
    DIALECTS
        .into_iter()
        .filter(|d| d.is_kubernetes())
        .find_map(|d| recognise_as(d, file_name, &stream).ok().map(|why| (d, why)))
        .map(|(d, why)| (d, format!("{why}, in a file that is not UTF-8")))
}

fn recognise_as(d: Dialect, file_name: &str, stream: &Stream) -> Result<String, String> {
    match d {
        Dialect::TorchServe => torchserve::recognise(file_name, stream.bytes()),
        Dialect::Nginx => nginx::recognise(file_name, stream.bytes()),
        Dialect::IngressNginx => ingress::recognise_stream(file_name, stream),
        Dialect::GatewayApi => gateway_api::recognise_stream(file_name, stream),
        Dialect::Istio => istio::recognise_stream(file_name, stream),
        Dialect::EnvoyGateway => envoy_gateway::recognise_stream(file_name, stream),
        Dialect::Traefik => traefik::recognise_stream(file_name, stream),
        Dialect::Kong => kong::recognise_stream(file_name, stream),
    }
}

pub fn lower(
    dialect: Dialect,
    file: &SourceFile,
    options: &Options,
) -> Result<Lowered, InputError> {
    lower_stream(dialect, file, &Stream::new(file.bytes()), options)
}

/// [`lower`], the YAML front ends sharing `stream`, the stream of `file`'s bytes (perhaps
/// already parsed by [`recognise_stream`]).
pub fn lower_stream(
    dialect: Dialect,
    file: &SourceFile,
    stream: &Stream,
    options: &Options,
) -> Result<Lowered, InputError> {
    match dialect {
        Dialect::TorchServe => {
            let l = torchserve::lower(file, options)?;
            Ok(Lowered {
                dialect,
                policies: l.policies,
                facts: l.facts.into_iter().map(Fact::TorchServe).collect(),
                included: Vec::new(),
                objects: Objects::default(),
            })
        }
        Dialect::IngressNginx
        | Dialect::GatewayApi
        | Dialect::Istio
        | Dialect::EnvoyGateway
        | Dialect::Traefik
        | Dialect::Kong => {
            // Every YAML front end that recognises the file reads it (an Ingress next to a
            // KongPlugin, an HTTPRoute next to a SecurityPolicy); TOML is Traefik's alone.
            let mut out = Lowered {
                dialect,
                policies: Vec::new(),
                facts: Vec::new(),
                included: Vec::new(),
                objects: Objects::default(),
            };
            for d in DIALECTS.into_iter().filter(|d| d.is_kubernetes()) {
                if d != dialect && recognise_as(d, file.name(), stream).is_err() {
                    continue;
                }
                let (policies, facts, objects) = lower_kubernetes(d, file.name(), stream, options)?;
                out.policies.extend(policies);
                out.facts.extend(facts);
                out.objects.extend(objects);
            }
            Ok(out)
        }
        Dialect::Nginx => {
            let l = nginx::lower_file(file, options)?;
            Ok(Lowered {
                dialect,
                policies: l.policies,
                facts: l.facts.into_iter().map(Fact::Nginx).collect(),
                included: l.included,
                objects: Objects::default(),
            })
        }
    }
}

/// One YAML (or Traefik TOML) front end's policies, facts and objects.
fn lower_kubernetes(
    dialect: Dialect,
    file_name: &str,
    stream: &Stream,
    options: &Options,
) -> Result<(Vec<CorsPolicy>, Vec<Fact>, Objects), InputError> {
    let objects = match dialect {
        Dialect::Traefik => traefik::objects(file_name, stream),
        Dialect::Kong => kong::objects(stream),
        Dialect::GatewayApi => gateway_api::objects(stream),
        Dialect::EnvoyGateway => envoy_gateway::objects(stream),
        _ => Objects::default(),
    };
    let (p, f) = match dialect {
        Dialect::IngressNginx => {
            let l = ingress::lower_stream(stream, options)?;
            (l.policies, l.facts.into_iter().map(Fact::Ingress).collect())
        }
        Dialect::GatewayApi => {
            let l = gateway_api::lower_stream(stream, options)?;
            (
                l.policies,
                l.facts.into_iter().map(Fact::GatewayApi).collect(),
            )
        }
        Dialect::Istio => {
            let l = istio::lower_stream(stream, options)?;
            (l.policies, l.facts.into_iter().map(Fact::Istio).collect())
        }
        Dialect::EnvoyGateway => {
            let l = envoy_gateway::lower_stream(stream, options)?;
            (
                l.policies,
                l.facts.into_iter().map(Fact::EnvoyGateway).collect(),
            )
        }
        Dialect::Traefik => {
            let l = traefik::lower_stream(file_name, stream, options)?;
            (l.policies, l.facts.into_iter().map(Fact::Traefik).collect())
        }
        Dialect::Kong => {
            let l = kong::lower_stream(stream, options)?;
            (l.policies, l.facts.into_iter().map(Fact::Kong).collect())
        }
        Dialect::TorchServe | Dialect::Nginx => (Vec::new(), Vec::new()),
    };
    Ok((p, f, objects))
}
