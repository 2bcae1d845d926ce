//! The rules: one file each, metadata and docs in `rules/<CODE>.toml`.
//!
//! `CORS` rules read only the IR and fire the same for every dialect; a front end's own
//! prefix (`TS` for TorchServe) marks rules on facts only that front end can know. No rule
//! parses a dialect.

mod common;
mod meta;

pub use meta::{Docs, Example, ExampleKind, FixKind, MARK_CLOSE, MARK_OPEN, RuleMeta};

use crate::finding::{Finding, Related, escape_controls};
use crate::frontend::Fact;
use crate::ir::CorsPolicy;
use crate::source::{SourceFile, Span};
use std::sync::LazyLock;

/// What a rule sees of one file.
pub struct Unit<'a> {
    pub file: &'a SourceFile,
    pub policies: &'a [CorsPolicy],
    pub facts: &'a [Fact],
    /// The organisation's policy from `cors-lint.toml`, if any.
    pub org_policy: Option<&'a crate::config::policy::OrgPolicy>,
}

impl Unit<'_> {
    /// TorchServe facts, for `TS` rules.
    pub fn torchserve_facts(&self) -> impl Iterator<Item = &crate::frontend::torchserve::Fact> {
        self.facts.iter().filter_map(|f| match f {
            Fact::TorchServe(f) => Some(f),
            _ => None,
        })
    }

    /// nginx facts, for `NGX` rules.
    pub fn nginx_facts(&self) -> impl Iterator<Item = &crate::frontend::nginx::Fact> {
        self.facts.iter().filter_map(|f| match f {
            Fact::Nginx(f) => Some(f),
            _ => None,
        })
    }

    /// ingress-nginx facts, for `INGX` rules.
    pub fn ingress_facts(&self) -> impl Iterator<Item = &crate::frontend::ingress::Fact> {
        self.facts.iter().filter_map(|f| match f {
            Fact::Ingress(f) => Some(f),
            _ => None,
        })
    }

    /// Gateway API facts, for `GW` rules.
    pub fn gateway_api_facts(&self) -> impl Iterator<Item = &crate::frontend::gateway_api::Fact> {
        self.facts.iter().filter_map(|f| match f {
            Fact::GatewayApi(f) => Some(f),
            _ => None,
        })
    }

    /// Traefik facts, for `TFK` rules.
    pub fn traefik_facts(&self) -> impl Iterator<Item = &crate::frontend::traefik::Fact> {
        self.facts.iter().filter_map(|f| match f {
            Fact::Traefik(f) => Some(f),
            _ => None,
        })
    }

    /// Istio facts, for `IST` rules.
    pub fn istio_facts(&self) -> impl Iterator<Item = &crate::frontend::istio::Fact> {
        self.facts.iter().filter_map(|f| match f {
            Fact::Istio(f) => Some(f),
            _ => None,
        })
    }

    /// Envoy Gateway facts, for `EG` rules.
    pub fn envoy_gateway_facts(
        &self,
    ) -> impl Iterator<Item = &crate::frontend::envoy_gateway::Fact> {
        self.facts.iter().filter_map(|f| match f {
            Fact::EnvoyGateway(f) => Some(f),
            _ => None,
        })
    }

    /// Kong facts, for `KONG` rules.
    pub fn kong_facts(&self) -> impl Iterator<Item = &crate::frontend::kong::Fact> {
        self.facts.iter().filter_map(|f| match f {
            Fact::Kong(f) => Some(f),
            _ => None,
        })
    }

    /// 1-based line of a byte offset, for messages that refer to another line.
    pub fn line(&self, offset: usize) -> usize {
        self.file.position(offset).line
    }
}

pub trait Rule: Sync {
    fn meta(&self) -> &'static RuleMeta;
    fn check(&self, unit: &Unit, out: &mut Reporter);
}

/// Collects one rule's findings; code, name and severity come from its metadata.
pub struct Reporter<'a> {
    meta: &'static RuleMeta,
    findings: &'a mut Vec<Finding>,
}

impl<'a> Reporter<'a> {
    pub fn new(meta: &'static RuleMeta, findings: &'a mut Vec<Finding>) -> Self {
        Reporter { meta, findings }
    }

    /// The finding reported last (to add a fix after the fact).
    pub fn last(&mut self) -> &mut Finding {
        self.findings.last_mut().expect("a finding was reported")
    }

    /// Report a finding at `span`; chain `.help()`/`.related()` on the result.
    pub fn report(
        &mut self,
        span: Span,
        label: impl Into<String>,
        message: impl Into<String>,
    ) -> &mut Finding {
        self.findings.push(Finding {
            code: code_str(self.meta),
            name: name_str(self.meta),
            severity: self.meta.severity,
            message: escape_controls(&message.into()),
            note: None,
            help: None,
            span,
            label: escape_controls(&label.into()),
            related: Vec::new(),
            fix: None,
        });
        self.findings.last_mut().expect("just pushed")
    }
}

/// Builder-style additions to a finding.
pub trait FindingExt {
    /// Why the headline holds: mechanism, caveats, the simulated call.
    fn note(&mut self, note: impl Into<String>) -> &mut Self;
    fn help(&mut self, help: impl Into<String>) -> &mut Self;
    fn related(&mut self, span: Span, message: impl Into<String>) -> &mut Self;
    fn fix(&mut self, fix: crate::finding::Fix) -> &mut Self;
    /// A severity other than the rule's default, for this finding's impact.
    fn severity(&mut self, severity: crate::finding::Severity) -> &mut Self;
}

impl FindingExt for Finding {
    fn note(&mut self, note: impl Into<String>) -> &mut Self {
        self.note = Some(escape_controls(&note.into()));
        self
    }

    fn help(&mut self, help: impl Into<String>) -> &mut Self {
        self.help = Some(escape_controls(&help.into()));
        self
    }

    fn related(&mut self, span: Span, message: impl Into<String>) -> &mut Self {
        self.related.push(Related {
            span,
            message: escape_controls(&message.into()),
        });
        self
    }

    fn fix(&mut self, fix: crate::finding::Fix) -> &mut Self {
        self.fix = Some(fix);
        self
    }

    fn severity(&mut self, severity: crate::finding::Severity) -> &mut Self {
        self.severity = severity;
        self
    }
}

// Metadata is `'static` (compiled in and parsed once), so codes and names can be `&'static str`.
fn code_str(meta: &'static RuleMeta) -> &'static str {
    meta.code.as_str()
}

fn name_str(meta: &'static RuleMeta) -> &'static str {
    meta.name.as_str()
}

/// Declare a rule type bound to `rules/<CODE>.toml`, checked by the function `$check`.
macro_rules! declare_rule {
    ($ty:ident, $code:literal, $check:path) => {
        pub struct $ty;

        impl $crate::rules::Rule for $ty {
            fn meta(&self) -> &'static $crate::rules::RuleMeta {
                static META: ::std::sync::LazyLock<$crate::rules::RuleMeta> =
                    ::std::sync::LazyLock::new(|| {
                        $crate::rules::RuleMeta::parse(
                            $code,
                            include_str!(concat!(
                                env!("CARGO_MANIFEST_DIR"),
                                "/rules/",
                                $code,
                                ".toml"
                            )),
                        )
                    });
                &META
            }

            fn check(&self, unit: &$crate::rules::Unit, out: &mut $crate::rules::Reporter) {
                $check(unit, out)
            }
        }
    };
}

mod cors001_invalid_allow_origin;
mod cors002_wildcard_origin;
mod cors003_wildcard_origin_unauthenticated_admin;
mod cors004_preflight_rejected;
mod cors005_preflight_not_ok_on_routes;
mod cors006_control_character_in_header;
mod cors007_whitespace_around_header_value;
mod cors008_suspicious_allowed_method;
mod cors009_unparsable_allow_list;
mod cors010_wildcard_allowed_headers;
mod cors011_only_safelisted_entries;
mod cors012_placeholder_header;
mod cors013_null_origin;
mod cors014_missing_allow_origin;
mod cors015_origin_reflected;
mod cors016_origin_matcher_too_broad;
mod cors017_wildcard_origin_with_credentials;
mod cors018_insecure_origin_with_credentials;
mod cors019_development_origin_allowed;
mod cors020_missing_vary_origin;
mod cors021_headers_missing_on_errors;
mod cors022_cors_headers_lost;
mod cors023_repeated_cors_header;
mod cors024_max_age_above_browser_cap;
mod cors025_any_subdomain_trusted;
mod cors026_backend_cors_headers_pass_through;
mod cors027_unmatched_preflight_forwarded;
mod cors028_request_echoed_with_credentials;
mod cors029_short_default_max_age;
mod cors030_credentials_for_any_origin;
mod cors032_outside_org_policy;
mod cors033_unmatchable_origin_entry;
mod eg001_target_not_in_file;
mod eg002_security_policy_rejected;
mod eg003_overridden_by_route_filter;
mod gw001_rejected_by_api_server;
mod gw002_cors_filter_allows_no_origin;
mod gw003_implementation_dependent;
mod ingx001_implicit_credentials;
mod ingx002_origin_fails_open;
mod ingx003_origin_entry_dropped;
mod ingx004_star_shadows_list;
mod ingx005_invalid_value_defaulted;
mod ingx006_non_string_annotation;
mod ingx007_unknown_annotation;
mod ingx008_cors_annotations_ignored;
mod ingx009_snippet_refused_by_default;
mod ingx010_controller_retired;
mod ingx011_configmap_cors_key;
mod ist001_deprecated_allow_origin;
mod ist002_rejected_by_istio;
mod kong001_plugin_not_referenced;
mod kong002_origin_entry_never_matches;
mod kong003_preflight_forwarded;
mod kong004_host_only_regex;
mod kong005_invalid_config_type;
mod ngx001_include_not_followed;
mod ngx002_location_never_selected;
mod tfk001_middleware_not_used;
mod tfk002_hand_written_cors_header;
mod tfk003_invalid_origin_regex;
mod tfk004_wildcard_credentials_version;
mod tfk005_shadowed_origin_entry;
mod tfk006_invalid_field_type;
mod tfk007_unknown_cors_field;
mod ts001_ignored_cors_key;
mod ts002_unknown_key;
mod ts003_duplicate_key;
mod ts004_environment_dependent;
mod ts005_unresolvable_substitution;
mod ts006_non_boolean;
mod ts007_invalid_listener_address;

/// Every rule, in code order.
pub static RULES: &[&dyn Rule] = &[
    &cors001_invalid_allow_origin::InvalidAllowOrigin,
    &cors002_wildcard_origin::WildcardOrigin,
    &cors003_wildcard_origin_unauthenticated_admin::WildcardOriginUnauthenticatedAdmin,
    &cors004_preflight_rejected::PreflightRejected,
    &cors005_preflight_not_ok_on_routes::PreflightNotOkOnRoutes,
    &cors006_control_character_in_header::ControlCharacterInHeader,
    &cors007_whitespace_around_header_value::WhitespaceAroundHeaderValue,
    &cors008_suspicious_allowed_method::SuspiciousAllowedMethod,
    &cors009_unparsable_allow_list::UnparsableAllowList,
    &cors010_wildcard_allowed_headers::WildcardAllowedHeaders,
    &cors011_only_safelisted_entries::OnlySafelistedEntries,
    &cors012_placeholder_header::PlaceholderHeader,
    &cors013_null_origin::NullOrigin,
    &cors014_missing_allow_origin::MissingAllowOrigin,
    &cors015_origin_reflected::OriginReflected,
    &cors016_origin_matcher_too_broad::OriginMatcherTooBroad,
    &cors017_wildcard_origin_with_credentials::WildcardOriginWithCredentials,
    &cors018_insecure_origin_with_credentials::InsecureOriginWithCredentials,
    &cors019_development_origin_allowed::DevelopmentOriginAllowed,
    &cors020_missing_vary_origin::MissingVaryOrigin,
    &cors021_headers_missing_on_errors::HeadersMissingOnErrors,
    &cors022_cors_headers_lost::CorsHeadersLost,
    &cors023_repeated_cors_header::RepeatedCorsHeader,
    &cors024_max_age_above_browser_cap::MaxAgeAboveBrowserCap,
    &cors025_any_subdomain_trusted::AnySubdomainTrusted,
    &cors026_backend_cors_headers_pass_through::BackendCorsHeadersPassThrough,
    &cors027_unmatched_preflight_forwarded::UnmatchedPreflightForwarded,
    &cors028_request_echoed_with_credentials::RequestEchoedWithCredentials,
    &cors029_short_default_max_age::ShortDefaultMaxAge,
    &eg001_target_not_in_file::TargetNotInFile,
    &eg002_security_policy_rejected::SecurityPolicyRejected,
    &eg003_overridden_by_route_filter::OverriddenByRouteFilter,
    &gw001_rejected_by_api_server::RejectedByApiServer,
    &gw002_cors_filter_allows_no_origin::CorsFilterAllowsNoOrigin,
    &gw003_implementation_dependent::ImplementationDependent,
    &cors030_credentials_for_any_origin::CredentialsForAnyOrigin,
    &cors032_outside_org_policy::OutsideOrgPolicy,
    &cors033_unmatchable_origin_entry::UnmatchableOriginEntry,
    &ingx001_implicit_credentials::ImplicitCredentials,
    &ingx002_origin_fails_open::OriginFailsOpen,
    &ingx003_origin_entry_dropped::OriginEntryDropped,
    &ingx004_star_shadows_list::StarShadowsList,
    &ingx005_invalid_value_defaulted::InvalidValueDefaulted,
    &ingx006_non_string_annotation::NonStringAnnotation,
    &ingx007_unknown_annotation::UnknownAnnotation,
    &ingx008_cors_annotations_ignored::CorsAnnotationsIgnored,
    &ingx009_snippet_refused_by_default::SnippetRefusedByDefault,
    &ingx010_controller_retired::ControllerRetired,
    &ingx011_configmap_cors_key::ConfigMapCorsKey,
    &ist001_deprecated_allow_origin::DeprecatedAllowOrigin,
    &ist002_rejected_by_istio::RejectedByIstio,
    &kong001_plugin_not_referenced::PluginNotReferenced,
    &kong002_origin_entry_never_matches::OriginEntryNeverMatches,
    &kong003_preflight_forwarded::PreflightForwarded,
    &kong004_host_only_regex::HostOnlyRegex,
    &kong005_invalid_config_type::InvalidConfigType,
    &ngx001_include_not_followed::IncludeNotFollowed,
    &ngx002_location_never_selected::LocationNeverSelected,
    &tfk001_middleware_not_used::MiddlewareNotUsed,
    &tfk002_hand_written_cors_header::HandWrittenCorsHeader,
    &tfk003_invalid_origin_regex::InvalidOriginRegex,
    &tfk004_wildcard_credentials_version::WildcardCredentialsVersion,
    &tfk005_shadowed_origin_entry::ShadowedOriginEntry,
    &tfk006_invalid_field_type::InvalidFieldType,
    &tfk007_unknown_cors_field::UnknownCorsField,
    &ts001_ignored_cors_key::IgnoredCorsKey,
    &ts002_unknown_key::UnknownKey,
    &ts003_duplicate_key::DuplicateKey,
    &ts004_environment_dependent::EnvironmentDependent,
    &ts005_unresolvable_substitution::UnresolvableSubstitution,
    &ts006_non_boolean::NonBoolean,
    &ts007_invalid_listener_address::InvalidListenerAddress,
];

/// CL000: the file cannot be read or parsed. Reported by the engine, not by a rule.
pub static CL000: LazyLock<RuleMeta> = LazyLock::new(|| {
    RuleMeta::parse(
        "CL000",
        include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/CL000.toml")),
    )
});

/// CL001: a suppression without a reason. Reported by the suppression pass.
pub static CL001: LazyLock<RuleMeta> = LazyLock::new(|| {
    RuleMeta::parse(
        "CL001",
        include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/CL001.toml")),
    )
});

/// CL002: a suppression that suppresses nothing. Reported by the suppression pass.
pub static CL002: LazyLock<RuleMeta> = LazyLock::new(|| {
    RuleMeta::parse(
        "CL002",
        include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/CL002.toml")),
    )
});

/// Metadata of every code, the engine's (CL) first, then in code order.
pub fn all_meta() -> Vec<&'static RuleMeta> {
    let mut all: Vec<&'static RuleMeta> = vec![&CL000, &CL001, &CL002];
    all.extend(RULES.iter().map(|r| r.meta()));
    all
}

pub fn find_meta(code: &str) -> Option<&'static RuleMeta> {
    all_meta()
        .into_iter()
        .find(|m| m.code.eq_ignore_ascii_case(code) || m.name == code)
}
