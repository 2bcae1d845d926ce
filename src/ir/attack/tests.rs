use super::*;
use crate::ir::origin::RegexDialect;

fn regex(pattern: &str, anchoring: Anchoring, case: Case) -> OriginMatcher {
    OriginMatcher::Regex {
        pattern: pattern.into(),
        dialect: RegexDialect::Pcre,
        anchoring,
        case,
    }
}

fn full(pattern: &str) -> OriginMatcher {
    regex(pattern, Anchoring::Full, Case::Sensitive)
}

fn search_only(pattern: &str) -> OriginMatcher {
    regex(pattern, Anchoring::None, Case::Sensitive)
}

fn witness(m: &OriginMatcher) -> Option<String> {
    match outside_origin(m, &named_domains(m)) {
        Some(Verdict::Accepts(o)) => Some(o),
        Some(Verdict::NoneOutside) => None,
        None => panic!(
            "no claim for {m:?}: {:?}",
            whole_origin_pattern(m).map(|p| reverse_dfa(&p).is_some())
        ),
    }
}

#[test]
fn misses_the_neighbour_probes_had() {
    // Gaps in the middle of a host: `simulate` and nginx echo `https://webv.x.evilisor.com`.
    let m = search_only(r"^https://webv.+isor\.com$");
    let w = witness(&m).unwrap();
    assert!(m.accepts(&w), "{w}");
    // Istio's RE2 regex with unescaped dots lets `app-example.com`-like hosts in.
    let m = full(r"https://(app|admin).example.com");
    let w = witness(&m).unwrap();
    assert!(
        m.accepts(&w) && owned_by_others(&w, &named_domains(&m)),
        "{w}"
    );
}

#[test]
fn hosts_only_the_named_domain_can_create_are_not_reported() {
    for m in [
        search_only(r"^https?:\/\/l.o\.yandex\.ru$"),
        full(r"https://([a-z0-9-]+\.)*example\.com"),
        full(r"https://(www\.)?example\.(com|org)"),
        full(r"https?://(localhost|127\.0\.0\.1)(:[0-9]+)?"),
        full(r"https://[a-z]+\.corp\.internal"),
        OriginMatcher::Subdomains {
            scheme: "https".into(),
            base: "example.co.uk".into(),
            depth: LabelDepth::OneOrMore,
            port: PortMatch::Default,
            case: Case::Insensitive,
        },
        OriginMatcher::Exact {
            origin: "https://app.example.com".into(),
            case: Case::Sensitive,
        },
    ] {
        assert_eq!(witness(&m), None, "{m:?}");
    }
}

#[test]
fn the_shortest_origin_is_reported() {
    assert_eq!(
        witness(&search_only(r"^https://app\.example\.com")).as_deref(),
        Some("https://app.example.com.com")
    );
    assert_eq!(
        witness(&search_only(r"example\.com$")).as_deref(),
        Some("https://aexample.com")
    );
    // Only `http` accepted: an `http` witness.
    assert_eq!(
        witness(&full(r"http://[a-z]+\.com")).as_deref(),
        Some("http://a.com")
    );
    // A port the pattern demands, never the scheme's default one.
    assert_eq!(
        witness(&full(r"https://[a-z]+\.com:(443|8443)")).as_deref(),
        Some("https://a.com:8443")
    );
}

#[test]
fn subdomains_of_a_public_suffix_belong_to_everyone() {
    for base in ["github.io", "vercel.app", "s3.amazonaws.com"] {
        let m = OriginMatcher::Subdomains {
            scheme: "https".into(),
            base: base.into(),
            depth: LabelDepth::ExactlyOne,
            port: PortMatch::Default,
            case: Case::Insensitive,
        };
        let w = witness(&m).unwrap();
        assert!(w.ends_with(&format!(".{base}")) && m.accepts(&w), "{w}");
    }
    // One project's preview deployments are another project's too.
    let m = full(r"https://myapp-[a-z0-9]+\.vercel\.app");
    assert!(witness(&m).is_some());
}

#[test]
fn the_search_needs_the_whole_list_beyond_com() {
    // Under `com` alone `app.herokuapp.com` would read as `herokuapp.com`'s.
    assert_eq!(witness(&full(r"https://myapp\.herokuapp\.com")), None);
    assert_eq!(
        witness(&full(r"https://[a-z]+\.herokuapp\.com")).as_deref(),
        Some("https://a.herokuapp.com")
    );
    // Only a country-code suffix: `com` finds nothing, the list does.
    let w = witness(&full(r"https://[a-z]+\.co\.uk")).unwrap();
    assert!(w.ends_with(".co.uk"), "{w}");
}

#[test]
fn every_matcher_kind_has_a_whole_origin_language_that_agrees_with_accepts() {
    let matchers = [
        OriginMatcher::Prefix {
            value: "https://app.example.com".into(),
            case: Case::Sensitive,
        },
        OriginMatcher::Suffix {
            value: "example.com".into(),
            case: Case::Insensitive,
        },
        OriginMatcher::Subdomains {
            scheme: "https".into(),
            base: "example.com".into(),
            depth: LabelDepth::ExactlyOne,
            port: PortMatch::Any,
            case: Case::Insensitive,
        },
        OriginMatcher::Subdomains {
            scheme: "http".into(),
            base: "example.com".into(),
            depth: LabelDepth::OneOrMore,
            port: PortMatch::Exact(8080),
            case: Case::Sensitive,
        },
        regex(r"example\.com", Anchoring::EndOnly, Case::Insensitive),
        regex(r"https://app", Anchoring::StartOnly, Case::Sensitive),
    ];
    let origins = [
        "https://app.example.com",
        "https://app.example.com.evil.example",
        "https://a.b.example.com",
        "https://a.example.com:8443",
        "http://a.b.example.com:8080",
        "http://a.example.com",
        "https://evilexample.com",
        "https://APP.EXAMPLE.COM",
        "https://example.com",
    ];
    for m in &matchers {
        let dfa = dfa_builder(false)
            .build(&whole_origin_pattern(m).unwrap())
            .unwrap();
        for o in origins {
            let mut at = dfa
                .start_state_forward(&Input::new("").anchored(Anchored::Yes))
                .unwrap();
            for b in o.bytes() {
                at = dfa.next_state(at, b);
            }
            let ours = dfa.is_match_state(dfa.next_eoi_state(at));
            assert_eq!(ours, m.accepts(o), "{m:?} {o}");
        }
    }
}

/// The exact search and the neighbour probes agree: every probe origin someone else owns is
/// evidence the search must also find.
#[test]
fn agrees_with_the_neighbour_probes() {
    let patterns = [
        r"^https://app\.example\.com",
        r"https://app\.example\.com$",
        r"^https://app.example.com$",
        r"^https?://(www\.)?example\.com",
        r"example\.com",
        r"^https://.*example\.com$",
        r"^https://([a-z]+\.)?example\.com$",
        r"^https://(foo|bar)\.client\.com$",
        r"^https://(foo|bar).client.com$",
        r"\.example\.org$",
    ];
    for p in patterns {
        let m = search_only(p);
        let named = named_domains(&m);
        let probes: Vec<String> = crate::ir::origin::neighbour_origins(&m)
            .into_iter()
            .map(|(o, _)| o)
            .filter(|o| owned_by_others(o, &named))
            .collect();
        let exact = witness(&m);
        assert!(
            probes.is_empty() || exact.is_some(),
            "{p}: the probes found {probes:?}, the search nothing"
        );
    }
}

#[test]
fn matchers_no_browser_origin_can_satisfy() {
    let dead = [
        // A path, junk before the scheme, a stray quote, upper case compared byte for byte.
        full(r"https://app\.example\.com/.*"),
        full(r" https://app\.example\.com"),
        full(r"//app\.example\.com"),
        full(r#"https://app\.example\.com""#),
        full(r"https://App\.example\.com"),
        search_only(r"^https://app\.example\.com/$"),
    ];
    for m in &dead {
        assert_eq!(matches_some_browser_origin(m), Some(false), "{m:?}");
    }
    let live = [
        full(r"https://app\.example\.com"),
        regex(
            r"https://App\.example\.com",
            Anchoring::Full,
            Case::Insensitive,
        ),
        search_only(r"example\.com"),
        full(r"chrome-extension://[a-p]{32}"),
        full(r"http://\[::1\]:8080"),
        OriginMatcher::Null,
    ];
    for m in &live {
        assert_eq!(matches_some_browser_origin(m), Some(true), "{m:?}");
    }
}

/// Found by the fuzz checks: a `\s` in a pattern made the probes try a host with a tab,
/// which no browser sends; it is no evidence against the search.
#[test]
fn probes_no_browser_can_send_are_no_evidence() {
    let m = search_only(r"https://.*\shop\.example\.com");
    assert!(!owned_by_others(
        "https://\thop.example.com.evil.example",
        &named_domains(&m)
    ));
    assert_eq!(witness(&m), None);
}
