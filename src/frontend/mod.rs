//! Front ends: each turns one dialect's file into CORS policies (IR) plus facts only that
//! front end can know. Dialect quirks live here, never in rules.

pub mod ingress;
pub mod kube;
pub mod nginx;
pub mod properties;
pub mod torchserve;

use crate::ir::CorsPolicy;
use crate::source::{Encoding, SourceFile, Span};
use std::collections::BTreeMap;

/// A configuration language cors-lint reads. Names are the `convert --to` names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dialect {
    TorchServe,
    Nginx,
    IngressNginx,
}

impl Dialect {
    pub fn name(self) -> &'static str {
        match self {
            Dialect::TorchServe => "torchserve",
            Dialect::Nginx => "nginx",
            Dialect::IngressNginx => "ingress-nginx",
        }
    }

    pub fn encoding(self) -> Encoding {
        match self {
            // `Properties.load(InputStream)` reads ISO-8859-1.
            Dialect::TorchServe => Encoding::Latin1,
            // nginx reads bytes; UTF-8 is what its files are written in.
            Dialect::Nginx => Encoding::Utf8,
            // Kubernetes reads YAML as UTF-8.
            Dialect::IngressNginx => Encoding::Utf8,
        }
    }

    pub fn from_name(name: &str) -> Option<Dialect> {
        match name {
            "torchserve" => Some(Dialect::TorchServe),
            "nginx" => Some(Dialect::Nginx),
            "ingress-nginx" => Some(Dialect::IngressNginx),
            _ => None,
        }
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
}

/// Facts a front end found, for its own rules.
#[derive(Clone, Debug)]
pub enum Fact {
    TorchServe(torchserve::Fact),
    Nginx(nginx::Fact),
    Ingress(ingress::Fact),
}

/// A file's policies and facts.
pub struct Lowered {
    pub dialect: Dialect,
    pub policies: Vec<CorsPolicy>,
    pub facts: Vec<Fact>,
    /// Files read along with it (nginx `include`), each at its offset in the address space
    /// the spans of `policies` and `facts` use; the file itself starts at 0.
    pub included: Vec<nginx::include::Included>,
}

/// Input the server would reject, or that cannot be read (reported as CL000).
#[derive(Clone, Debug)]
pub struct InputError {
    pub span: Option<Span>,
    pub message: String,
}

/// Which front end reads a file, and why — or why none does.
pub fn recognise(file_name: &str, bytes: &[u8]) -> Result<(Dialect, String), String> {
    let torchserve = match torchserve::recognise(file_name, bytes) {
        Ok(why) => return Ok((Dialect::TorchServe, why)),
        Err(why) => why,
    };
    let ingress = match ingress::recognise(file_name, bytes) {
        Ok(why) => return Ok((Dialect::IngressNginx, why)),
        Err(why) => why,
    };
    match nginx::recognise(file_name, bytes) {
        Ok(why) => Ok((Dialect::Nginx, why)),
        // ingress-nginx's reason only for YAML files, where it says something.
        Err(nginx) if ingress::is_yaml_name(file_name) => Err(format!(
            "torchserve: {torchserve}; ingress-nginx: {ingress}; nginx: {nginx}"
        )),
        Err(nginx) => Err(format!("torchserve: {torchserve}; nginx: {nginx}")),
    }
}

pub fn lower(
    dialect: Dialect,
    file: &SourceFile,
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
            })
        }
        Dialect::IngressNginx => {
            let l = ingress::lower(file, options)?;
            Ok(Lowered {
                dialect,
                policies: l.policies,
                facts: l.facts.into_iter().map(Fact::Ingress).collect(),
                included: Vec::new(),
            })
        }
        Dialect::Nginx => {
            let l = nginx::lower_file(file, options)?;
            Ok(Lowered {
                dialect,
                policies: l.policies,
                facts: l.facts.into_iter().map(Fact::Nginx).collect(),
                included: l.included,
            })
        }
    }
}
