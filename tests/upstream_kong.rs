//! Kong's `cors` plugin integration spec (Kong/kong @
//! 22246ef28c16842098369b494eef879222e30c7b, `spec/03-plugins/13-cors/01-access_spec.lua`,
//! "Plugin: cors (access)"), re-expressed. The spec starts a Kong with one route per host
//! (`cors1.test`, `cors2.test`, …, `cors-regex-N.test`), each with its own `cors` plugin,
//! and sends requests to those hosts; here each plugin becomes a `KongPlugin` object and a
//! route plugin of a declarative `kong.yml` (with the route's host), which must answer
//! alike, and the request a case sends is answered by cors-lint's model (`sim::respond`) of
//! that plugin. The host only selects the plugin, so every case that depends on routes only
//! that way is expressible; what depends on the upstream service or on other plugins is
//! listed in `NOT_EXPRESSIBLE` or checked in part, as each case says. The expectations are
//! the spec's `assert.equal`/`assert.is_nil` lines, byte for byte; no Kong code is copied.
//!
//! `handler.lua:N` is a line of `kong/plugins/cors/handler.lua` @ 22246ef2. cors-lint models
//! the handler @ 01789df4 (src/frontend/kong); the spec here is newer, with 826214be
//! ("treat empty Origin header same as missing header", Kong/kong#14368), which changed the
//! handler too: see `empty_origin_before_826214be`.

use cors_lint::frontend::kong::is_literal;
use cors_lint::frontend::{self, Dialect, Options};
use cors_lint::ir::CorsPolicy;
use cors_lint::lint::{Settings, lint_bytes};
use cors_lint::sim::{self, ServerRequest, ServerResponse};
use cors_lint::source::SourceFile;

const SPEC: &str = "Kong/kong@22246ef2 spec/03-plugins/13-cors/01-access_spec.lua";

/// `CORS_DEFAULT_METHODS`, 01-access_spec.lua:7.
const DEFAULT_METHODS: &str = "GET,HEAD,PUT,PATCH,POST,DELETE,OPTIONS,TRACE,CONNECT";

/// One `bp.plugins:insert { name = "cors", … }` of the spec's `lazy_setup`.
struct Plugin {
    /// The host of the route it is attached to.
    host: &'static str,
    /// The line of its `bp.plugins:insert`.
    line: u32,
    /// Its `config`, as YAML lines (empty: no `config`, every default).
    config: &'static str,
}

const PLUGINS: &[Plugin] = &[
    // 01-access_spec.lua:330 @ 22246ef2 (route1): no config.
    Plugin {
        host: "cors1.test",
        line: 330,
        config: "",
    },
    // 01-access_spec.lua:335 @ 22246ef2 (route2).
    Plugin {
        host: "cors2.test",
        line: 335,
        config: "origins: [example.test]\nmethods: [GET]\nheaders: [origin, type, accepts]\n\
                 exposed_headers: [x-auth-token]\nmax_age: 23\ncredentials: true\n",
    },
    // 01-access_spec.lua:348 @ 22246ef2 (route3).
    Plugin {
        host: "cors3.test",
        line: 348,
        config: "origins: [example.test]\nmethods: [GET]\nheaders: [origin, type, accepts]\n\
                 exposed_headers: [x-auth-token]\nmax_age: 23\npreflight_continue: true\n",
    },
    // 01-access_spec.lua:361 @ 22246ef2 (route4; the `key-auth` plugin of :366 on the same route is not a cors-lint
    // input, see the 401 case).
    Plugin {
        host: "cors4.test",
        line: 361,
        config: "",
    },
    // 01-access_spec.lua:371 @ 22246ef2 (route5).
    Plugin {
        host: "cors5.test",
        line: 371,
        config: "origins: ['*']\ncredentials: true\n",
    },
    // 01-access_spec.lua:380 @ 22246ef2 (route6).
    Plugin {
        host: "cors6.test",
        line: 380,
        config: "origins: [example.test, example.org]\nmethods: [GET]\n\
                 headers: [origin, type, accepts]\nexposed_headers: [x-auth-token]\nmax_age: 23\n\
                 preflight_continue: true\n",
    },
    // 01-access_spec.lua:393 @ 22246ef2 (route7).
    Plugin {
        host: "cors7.test",
        line: 393,
        config: "origins: ['*']\ncredentials: false\n",
    },
    // 01-access_spec.lua:402 @ 22246ef2 (route8).
    Plugin {
        host: "cors-empty-origins.test",
        line: 402,
        config: "origins: []\n",
    },
    // 01-access_spec.lua:410 @ 22246ef2 (route9): `[[.*\.?example(?:-foo)?.test]]`.
    Plugin {
        host: "cors9.test",
        line: 410,
        config: "origins: ['.*\\.?example(?:-foo)?.test']\n",
    },
    // 01-access_spec.lua:418 @ 22246ef2 (route10).
    Plugin {
        host: "cors10.test",
        line: 418,
        config: "origins: ['http://my-site.test', 'http://my-other-site.test']\n",
    },
    // 01-access_spec.lua:426 @ 22246ef2 (route11).
    Plugin {
        host: "cors11.test",
        line: 426,
        config: "origins: ['http://my-site.test', 'https://my-other-site.test:9000']\n",
    },
    // 01-access_spec.lua:434 @ 22246ef2 (route12), with its `methods = ngx.null` (:452): Kong
    // accepts a null for the field, which is not `required` (kong/db/schema/init.lua:877-887),
    // and reads it back as nil (:1950), as if absent (see `null_methods_is_the_default`).
    Plugin {
        host: "cors12.test",
        line: 434,
        config: CORS12,
    },
    // 01-access_spec.lua:460 @ 22246ef2 (route13).
    Plugin {
        host: "cors13.test",
        line: 460,
        config: "preflight_continue: false\nprivate_network: true\norigins: [allowed-domain.test]\n",
    },
    // 01-access_spec.lua:470 @ 22246ef2 (route14).
    Plugin {
        host: "cors14.test",
        line: 470,
        config: "preflight_continue: false\norigins: [foo.bar, '*']\n",
    },
    // 01-access_spec.lua:479 @ 22246ef2 (route15).
    Plugin {
        host: "cors15.test",
        line: 479,
        config: "allow_origin_absent: false\norigins: [foo.bar]\nexposed_headers: [x-auth-token]\n\
                 credentials: true\n",
    },
    // 01-access_spec.lua:490 @ 22246ef2 (route16).
    Plugin {
        host: "cors16.test",
        line: 490,
        config: "allow_origin_absent: true\norigins: [foo.bar]\nexposed_headers: [x-auth-token]\n\
                 credentials: true\n",
    },
    // 01-access_spec.lua:501 @ 22246ef2 (route_timeout), :514 (route_error) and :527
    // (route_upstream): the same config.
    Plugin {
        host: "cors-timeout.test",
        line: 501,
        config: ROUTE3_LIKE,
    },
    Plugin {
        host: "cors-error.test",
        line: 514,
        config: ROUTE3_LIKE,
    },
    Plugin {
        host: "cors-upstream.test",
        line: 527,
        config: ROUTE3_LIKE,
    },
];

const CORS12: &str = "credentials: true\npreflight_continue: false\nmax_age: 1728000\n\
                      headers: [DNT, X-CustomHeader, Keep-Alive, User-Agent, X-Requested-With, \
                      If-Modified-Since, Cache-Control, Content-Type, Authorization]\n\
                      methods: null\norigins: [a.xxx.test, allowed-domain.test]\n";

const ROUTE3_LIKE: &str = "origins: [example.test]\nmethods: [GET]\nheaders: [origin, type, accepts]\n\
                           exposed_headers: [x-auth-token]\nmax_age: 10\npreflight_continue: true\n";

/// Who answers the request.
#[derive(Clone, Copy, PartialEq, Debug)]
enum By {
    /// The plugin answers a preflight itself (`kong.response.exit(HTTP_OK)`,
    /// handler.lua:245): the spec asserts status 200 and `Content-Length: 0`.
    Kong,
    /// The request goes on to the upstream service (the spec's mock upstream): its status
    /// is the upstream's, which no configuration holds, so what is checked is that
    /// cors-lint's model says the upstream answers, and the headers.
    Upstream,
}

struct Case {
    /// The line of the `it(`.
    line: u32,
    it: &'static str,
    /// The `Host` the spec sends (which selects the plugin).
    host: &'static str,
    method: &'static str,
    /// The other request headers.
    headers: &'static [(&'static str, &'static str)],
    by: By,
    /// The status the spec asserts when it is not the upstream's 200: another plugin's or
    /// an upstream failure's, on which Kong's `header_filter` still runs.
    status_elsewhere: Option<u16>,
    /// `assert.equal(value, res.headers[name])` (`Some`) and `assert.is_nil` (`None`).
    expect: &'static [(&'static str, Option<&'static str>)],
}

const ACRM_GET: (&str, &str) = ("Access-Control-Request-Method", "GET");

const CASES: &[Case] = &[
    // 01-access_spec.lua:617 @ 22246ef2, "HTTP method: OPTIONS".
    Case {
        line: 617,
        it: "gives appropriate defaults",
        host: "cors1.test",
        method: "OPTIONS",
        headers: &[("Origin", "origin1.test"), ACRM_GET],
        by: By::Kong,
        status_elsewhere: None,
        expect: &[
            ("Access-Control-Allow-Methods", Some(DEFAULT_METHODS)),
            ("Access-Control-Allow-Origin", Some("*")),
            ("Access-Control-Allow-Headers", None),
            ("Access-Control-Expose-Headers", None),
            ("Access-Control-Allow-Credentials", None),
            ("Access-Control-Max-Age", None),
            ("Vary", None),
        ],
    },
    // 01-access_spec.lua:637 @ 22246ef2.
    Case {
        line: 637,
        it: "gives * wildcard when config.origins is empty",
        host: "cors-empty-origins.test",
        method: "OPTIONS",
        headers: &[("Origin", "empty-origin.test"), ACRM_GET],
        by: By::Kong,
        status_elsewhere: None,
        expect: &[
            ("Access-Control-Allow-Methods", Some(DEFAULT_METHODS)),
            ("Access-Control-Allow-Origin", Some("*")),
            ("Access-Control-Allow-Headers", None),
            ("Access-Control-Expose-Headers", None),
            ("Access-Control-Allow-Credentials", None),
            ("Access-Control-Max-Age", None),
            ("Vary", None),
        ],
    },
    // 01-access_spec.lua:663 @ 22246ef2.
    Case {
        line: 663,
        it: "gives appropriate defaults when origin is explicitly set to * and config.credentials=true",
        host: "cors5.test",
        method: "OPTIONS",
        headers: &[("Origin", "origin5.test"), ACRM_GET],
        by: By::Kong,
        status_elsewhere: None,
        expect: &[
            ("Access-Control-Allow-Methods", Some(DEFAULT_METHODS)),
            ("Access-Control-Allow-Origin", Some("origin5.test")),
            ("Access-Control-Allow-Credentials", Some("true")),
            ("Vary", Some("Origin")),
            ("Access-Control-Allow-Headers", None),
            ("Access-Control-Expose-Headers", None),
            ("Access-Control-Max-Age", None),
        ],
    },
    // 01-access_spec.lua:683 @ 22246ef2.
    Case {
        line: 683,
        it: "gives * wildcard when origin has multiple entries and have * included",
        host: "cors14.test",
        method: "OPTIONS",
        headers: &[("Origin", "http://www.example.net"), ACRM_GET],
        by: By::Kong,
        status_elsewhere: None,
        expect: &[
            ("Access-Control-Allow-Methods", Some(DEFAULT_METHODS)),
            ("Access-Control-Allow-Origin", Some("*")),
            ("Access-Control-Allow-Headers", None),
            ("Access-Control-Expose-Headers", None),
            ("Access-Control-Allow-Credentials", None),
            ("Access-Control-Max-Age", None),
        ],
    },
    // 01-access_spec.lua:702 @ 22246ef2.
    Case {
        line: 702,
        it: "accepts config options",
        host: "cors2.test",
        method: "OPTIONS",
        headers: &[("Origin", "origin5.test"), ACRM_GET],
        by: By::Kong,
        status_elsewhere: None,
        expect: &[
            ("Access-Control-Allow-Methods", Some("GET")),
            ("Access-Control-Allow-Origin", Some("example.test")),
            ("Access-Control-Max-Age", Some("23")),
            ("Access-Control-Allow-Credentials", Some("true")),
            ("Access-Control-Allow-Headers", Some("origin,type,accepts")),
            ("Vary", Some("Origin")),
            ("Access-Control-Expose-Headers", None),
        ],
    },
    // 01-access_spec.lua:722 @ 22246ef2: an `OPTIONS` without `Origin` to `/status/201` reaches the mock upstream, which
    // answers 201 (not modelled: checked is that the upstream answers).
    Case {
        line: 722,
        it: "preflight_continue enabled",
        host: "cors3.test",
        method: "OPTIONS",
        headers: &[],
        by: By::Upstream,
        status_elsewhere: None,
        expect: &[],
    },
    // 01-access_spec.lua:735 @ 22246ef2.
    Case {
        line: 735,
        it: "replies with request-headers if present in request",
        host: "cors5.test",
        method: "OPTIONS",
        headers: &[
            ("Origin", "origin5.test"),
            ("Access-Control-Request-Headers", "origin,accepts"),
            ACRM_GET,
        ],
        by: By::Kong,
        status_elsewhere: None,
        expect: &[("Access-Control-Allow-Headers", Some("origin,accepts"))],
    },
    // 01-access_spec.lua:751 @ 22246ef2, three requests: `OPTIONS` without `Access-Control-Request-Method` is no
    // preflight; the upstream answers and `header_filter` adds the headers.
    Case {
        line: 751,
        it: "properly validates flat strings (legitimate)",
        host: "cors10.test",
        method: "OPTIONS",
        headers: &[("Origin", "http://my-site.test")],
        by: By::Upstream,
        status_elsewhere: None,
        expect: &[("Access-Control-Allow-Origin", Some("http://my-site.test"))],
    },
    // 01-access_spec.lua:751 @ 22246ef2, the same `it`.
    Case {
        line: 751,
        it: "properly validates flat strings (illegitimate)",
        host: "cors10.test",
        method: "OPTIONS",
        headers: &[("Origin", "http://bad-guys.test")],
        by: By::Upstream,
        status_elsewhere: None,
        expect: &[("Access-Control-Allow-Origin", None)],
    },
    // 01-access_spec.lua:751 @ 22246ef2, the same `it`.
    Case {
        line: 751,
        it: "properly validates flat strings (tricky illegitimate)",
        host: "cors10.test",
        method: "OPTIONS",
        headers: &[("Origin", "http://my-site.test.bad-guys.test")],
        by: By::Upstream,
        status_elsewhere: None,
        expect: &[("Access-Control-Allow-Origin", None)],
    },
    // 01-access_spec.lua:805 @ 22246ef2, "HTTP method: others".
    Case {
        line: 805,
        it: "gives appropriate defaults",
        host: "cors1.test",
        method: "GET",
        headers: &[],
        by: By::Upstream,
        status_elsewhere: None,
        expect: &[
            ("Access-Control-Allow-Origin", Some("*")),
            ("Access-Control-Allow-Methods", None),
            ("Access-Control-Allow-Headers", None),
            ("Access-Control-Expose-Headers", None),
            ("Access-Control-Allow-Credentials", None),
            ("Access-Control-Max-Age", None),
            ("Vary", None),
        ],
    },
    // 01-access_spec.lua:822 @ 22246ef2.
    Case {
        line: 822,
        it: "proxies a non-preflight OPTIONS request",
        host: "cors1.test",
        method: "OPTIONS",
        headers: &[],
        by: By::Upstream,
        status_elsewhere: None,
        expect: &[
            ("Access-Control-Allow-Origin", Some("*")),
            ("Access-Control-Allow-Methods", None),
            ("Access-Control-Allow-Headers", None),
            ("Access-Control-Expose-Headers", None),
            ("Access-Control-Allow-Credentials", None),
            ("Access-Control-Max-Age", None),
            ("Vary", None),
        ],
    },
    // 01-access_spec.lua:842 @ 22246ef2.
    Case {
        line: 842,
        it: "accepts config options",
        host: "cors2.test",
        method: "GET",
        headers: &[],
        by: By::Upstream,
        status_elsewhere: None,
        expect: &[
            ("Access-Control-Allow-Origin", Some("example.test")),
            ("Access-Control-Expose-Headers", Some("x-auth-token")),
            ("Access-Control-Allow-Credentials", Some("true")),
            ("Vary", Some("Origin")),
            ("Access-Control-Allow-Methods", None),
            ("Access-Control-Allow-Headers", None),
            ("Access-Control-Max-Age", None),
        ],
    },
    // 01-access_spec.lua:859 @ 22246ef2: the upstream (127.0.0.2:26865) times out, Kong answers 502.
    Case {
        line: 859,
        it: "works even when upstream timeouts",
        host: "cors-timeout.test",
        method: "GET",
        headers: &[],
        by: By::Upstream,
        status_elsewhere: Some(502),
        expect: &[
            ("Access-Control-Allow-Origin", Some("example.test")),
            ("Access-Control-Expose-Headers", Some("x-auth-token")),
            ("Vary", Some("Origin")),
            ("Access-Control-Allow-Credentials", None),
            ("Access-Control-Allow-Methods", None),
            ("Access-Control-Allow-Headers", None),
            ("Access-Control-Max-Age", None),
        ],
    },
    // 01-access_spec.lua:876 @ 22246ef2: the `error-generator-last` plugin (:541) fails in `access`, Kong answers 500.
    Case {
        line: 876,
        it: "works even when a runtime error occurs",
        host: "cors-error.test",
        method: "GET",
        headers: &[],
        by: By::Upstream,
        status_elsewhere: Some(500),
        expect: &[
            ("Access-Control-Allow-Origin", Some("example.test")),
            ("Access-Control-Expose-Headers", Some("x-auth-token")),
            ("Vary", Some("Origin")),
            ("Access-Control-Allow-Credentials", None),
            ("Access-Control-Allow-Methods", None),
            ("Access-Control-Allow-Headers", None),
            ("Access-Control-Max-Age", None),
        ],
    },
    // 01-access_spec.lua:893 @ 22246ef2: the mock upstream answers `/asdasdasd` 404.
    Case {
        line: 893,
        it: "works with 404 responses",
        host: "cors1.test",
        method: "GET",
        headers: &[],
        by: By::Upstream,
        status_elsewhere: Some(404),
        expect: &[
            ("Access-Control-Allow-Origin", Some("*")),
            ("Access-Control-Allow-Methods", None),
            ("Access-Control-Allow-Headers", None),
            ("Access-Control-Expose-Headers", None),
            ("Access-Control-Allow-Credentials", None),
            ("Access-Control-Max-Age", None),
            ("Vary", None),
        ],
    },
    // 01-access_spec.lua:911 @ 22246ef2: `key-auth` (:366) answers 401.
    Case {
        line: 911,
        it: "works with 40x responses returned by another plugin",
        host: "cors4.test",
        method: "GET",
        headers: &[],
        by: By::Upstream,
        status_elsewhere: Some(401),
        expect: &[
            ("Access-Control-Allow-Origin", Some("*")),
            ("Access-Control-Allow-Methods", None),
            ("Access-Control-Allow-Headers", None),
            ("Access-Control-Expose-Headers", None),
            ("Access-Control-Allow-Credentials", None),
            ("Access-Control-Max-Age", None),
            ("Vary", None),
        ],
    },
    // 01-access_spec.lua:928 @ 22246ef2, the five `domains` sent to cors9.test (`.*\.?example(?:-foo)?.test`: the `:` of
    // `(?:` makes Kong match the whole `Origin`, handler.lua:132, 149-151, and a scheme-less
    // one is kept whole, :40-44). The first request, to cors6.test, is in `schemeless_origins`.
    Case {
        line: 928,
        it: "sets CORS orgin based on origin host (cors9.test, example.test)",
        host: "cors9.test",
        method: "GET",
        headers: &[("Origin", "example.test")],
        by: By::Upstream,
        status_elsewhere: None,
        expect: &[
            ("Access-Control-Allow-Origin", Some("example.test")),
            ("Vary", Some("Origin")),
        ],
    },
    // 01-access_spec.lua:928 @ 22246ef2, the same `it`.
    Case {
        line: 928,
        it: "sets CORS orgin based on origin host (cors9.test, www.example.test)",
        host: "cors9.test",
        method: "GET",
        headers: &[("Origin", "www.example.test")],
        by: By::Upstream,
        status_elsewhere: None,
        expect: &[
            ("Access-Control-Allow-Origin", Some("www.example.test")),
            ("Vary", Some("Origin")),
        ],
    },
    // 01-access_spec.lua:928 @ 22246ef2, the same `it`.
    Case {
        line: 928,
        it: "sets CORS orgin based on origin host (cors9.test, example-foo.test)",
        host: "cors9.test",
        method: "GET",
        headers: &[("Origin", "example-foo.test")],
        by: By::Upstream,
        status_elsewhere: None,
        expect: &[
            ("Access-Control-Allow-Origin", Some("example-foo.test")),
            ("Vary", Some("Origin")),
        ],
    },
    // 01-access_spec.lua:928 @ 22246ef2, the same `it`.
    Case {
        line: 928,
        it: "sets CORS orgin based on origin host (cors9.test, www.example-foo.test)",
        host: "cors9.test",
        method: "GET",
        headers: &[("Origin", "www.example-foo.test")],
        by: By::Upstream,
        status_elsewhere: None,
        expect: &[
            ("Access-Control-Allow-Origin", Some("www.example-foo.test")),
            ("Vary", Some("Origin")),
        ],
    },
    // 01-access_spec.lua:928 @ 22246ef2, the same `it`.
    Case {
        line: 928,
        it: "sets CORS orgin based on origin host (cors9.test, www.example-fo0.test)",
        host: "cors9.test",
        method: "GET",
        headers: &[("Origin", "www.example-fo0.test")],
        by: By::Upstream,
        status_elsewhere: None,
        expect: &[
            ("Access-Control-Allow-Origin", None),
            ("Vary", Some("Origin")),
        ],
    },
    // 01-access_spec.lua:976 @ 22246ef2, two requests.
    Case {
        line: 976,
        it: "does not automatically parse the host (http)",
        host: "cors6.test",
        method: "GET",
        headers: &[("Origin", "http://example.test")],
        by: By::Upstream,
        status_elsewhere: None,
        expect: &[("Access-Control-Allow-Origin", None)],
    },
    // 01-access_spec.lua:976 @ 22246ef2, the same `it`.
    Case {
        line: 976,
        it: "does not automatically parse the host (https)",
        host: "cors6.test",
        method: "GET",
        headers: &[("Origin", "https://example.test")],
        by: By::Upstream,
        status_elsewhere: None,
        expect: &[("Access-Control-Allow-Origin", None)],
    },
    // 01-access_spec.lua:999 @ 22246ef2, six requests; the second (`http://my-site.test:80`) is in
    // `default_port_is_normalised`.
    Case {
        line: 999,
        it: "validates scheme and port (http://my-site.test)",
        host: "cors11.test",
        method: "GET",
        headers: &[("Origin", "http://my-site.test")],
        by: By::Upstream,
        status_elsewhere: None,
        expect: &[("Access-Control-Allow-Origin", Some("http://my-site.test"))],
    },
    // 01-access_spec.lua:999 @ 22246ef2, the same `it`.
    Case {
        line: 999,
        it: "validates scheme and port (http://my-site.test:8000)",
        host: "cors11.test",
        method: "GET",
        headers: &[("Origin", "http://my-site.test:8000")],
        by: By::Upstream,
        status_elsewhere: None,
        expect: &[("Access-Control-Allow-Origin", None)],
    },
    // 01-access_spec.lua:999 @ 22246ef2, the same `it`.
    Case {
        line: 999,
        it: "validates scheme and port (https://my-site.test)",
        host: "cors11.test",
        method: "GET",
        headers: &[("Origin", "https://my-site.test")],
        by: By::Upstream,
        status_elsewhere: None,
        expect: &[("Access-Control-Allow-Origin", None)],
    },
    // 01-access_spec.lua:999 @ 22246ef2, the same `it`.
    Case {
        line: 999,
        it: "validates scheme and port (https://my-other-site.test:9000)",
        host: "cors11.test",
        method: "GET",
        headers: &[("Origin", "https://my-other-site.test:9000")],
        by: By::Upstream,
        status_elsewhere: None,
        expect: &[(
            "Access-Control-Allow-Origin",
            Some("https://my-other-site.test:9000"),
        )],
    },
    // 01-access_spec.lua:999 @ 22246ef2, the same `it`.
    Case {
        line: 999,
        it: "validates scheme and port (https://my-other-site.test:9001)",
        host: "cors11.test",
        method: "GET",
        headers: &[("Origin", "https://my-other-site.test:9001")],
        by: By::Upstream,
        status_elsewhere: None,
        expect: &[("Access-Control-Allow-Origin", None)],
    },
    // 01-access_spec.lua:1061 @ 22246ef2.
    Case {
        line: 1061,
        it: "does not sets CORS origin if origin host is not in origin_domains list",
        host: "cors6.test",
        method: "GET",
        headers: &[("Origin", "http://www.example.net")],
        by: By::Upstream,
        status_elsewhere: None,
        expect: &[("Access-Control-Allow-Origin", None)],
    },
    // 01-access_spec.lua:1073 @ 22246ef2.
    Case {
        line: 1073,
        it: "responds with the requested Origin when config.credentials=true",
        host: "cors5.test",
        method: "GET",
        headers: &[("Origin", "http://www.example.net")],
        by: By::Upstream,
        status_elsewhere: None,
        expect: &[
            (
                "Access-Control-Allow-Origin",
                Some("http://www.example.net"),
            ),
            ("Access-Control-Allow-Credentials", Some("true")),
            ("Vary", Some("Origin")),
        ],
    },
    // 01-access_spec.lua:1087 @ 22246ef2.
    Case {
        line: 1087,
        it: "responds with the requested Origin (including port) when config.credentials=true",
        host: "cors5.test",
        method: "GET",
        headers: &[("Origin", "http://www.example.net:3000")],
        by: By::Upstream,
        status_elsewhere: None,
        expect: &[
            (
                "Access-Control-Allow-Origin",
                Some("http://www.example.net:3000"),
            ),
            ("Access-Control-Allow-Credentials", Some("true")),
            ("Vary", Some("Origin")),
        ],
    },
    // 01-access_spec.lua:1101 @ 22246ef2.
    Case {
        line: 1101,
        it: "responds with * when origin is explicitly set to * and config.credentials=false",
        host: "cors7.test",
        method: "GET",
        headers: &[("Origin", "http://www.example.net")],
        by: By::Upstream,
        status_elsewhere: None,
        expect: &[
            ("Access-Control-Allow-Origin", Some("*")),
            ("Access-Control-Allow-Credentials", None),
            ("Vary", None),
        ],
    },
    // 01-access_spec.lua:1115 @ 22246ef2.
    Case {
        line: 1115,
        it: "responds with * when origin has multiple entries and have * included",
        host: "cors14.test",
        method: "GET",
        headers: &[("Origin", "http://www.example.net")],
        by: By::Upstream,
        status_elsewhere: None,
        expect: &[("Access-Control-Allow-Origin", Some("*"))],
    },
    // 01-access_spec.lua:1127 @ 22246ef2, the second request (:1148): the upstream's own `Access-Control-Allow-Origin: *`
    // is removed (`clear_header`, handler.lua:169), and cors-lint, which models no backend
    // header, sends none either. The first request is in `schemeless_origins`.
    Case {
        line: 1127,
        it: "removes upstream ACAO header when no match is found (disallowed-domain.test)",
        host: "cors12.test",
        method: "GET",
        headers: &[("Origin", "disallowed-domain.test")],
        by: By::Upstream,
        status_elsewhere: None,
        expect: &[
            ("Access-Control-Allow-Origin", None),
            ("Access-Control-Allow-Credentials", Some("true")),
        ],
    },
    // 01-access_spec.lua:1170 @ 22246ef2 with `Origin` absent (`ABSENT_ORIGIN_HEADERS[1]` is nil); the `""` half is
    // `empty_origin_before_826214be`.
    Case {
        line: 1170,
        it: "when allow_origin_absent is disabled with missing Origin header value:nil, no ACAO is returned",
        host: "cors15.test",
        method: "GET",
        headers: &[],
        by: By::Upstream,
        status_elsewhere: None,
        expect: CORS15_EXPECT,
    },
    // 01-access_spec.lua:1185 @ 22246ef2, both halves.
    Case {
        line: 1185,
        it: "when allow_origin_absent is enabled with missing Origin header value:nil, ACAO is returned",
        host: "cors16.test",
        method: "GET",
        headers: &[],
        by: By::Upstream,
        status_elsewhere: None,
        expect: CORS16_EXPECT,
    },
    // 01-access_spec.lua:1185 @ 22246ef2, the same `it`.
    Case {
        line: 1185,
        it: "when allow_origin_absent is enabled with missing Origin header value:, ACAO is returned",
        host: "cors16.test",
        method: "GET",
        headers: &[("Origin", "")],
        by: By::Upstream,
        status_elsewhere: None,
        expect: CORS16_EXPECT,
    },
];

/// 01-access_spec.lua:1180-1182.
const CORS15_EXPECT: &[(&str, Option<&str>)] = &[
    ("Access-Control-Allow-Origin", None),
    ("Access-Control-Allow-Credentials", None),
    ("Access-Control-Expose-Headers", None),
];

/// 01-access_spec.lua:1195-1197.
const CORS16_EXPECT: &[(&str, Option<&str>)] = &[
    ("Access-Control-Allow-Origin", Some("foo.bar")),
    ("Access-Control-Allow-Credentials", Some("true")),
    ("Access-Control-Expose-Headers", Some("x-auth-token")),
];

/// Spec cases cors-lint cannot take as input, and why.
const NOT_EXPRESSIBLE: &[(u32, &str, &str)] = &[(
    963,
    "sets Vary and don't override existing Vary header",
    "the expected `Vary: Accept-Encoding` and `Vary: Origin` lines join the upstream's own \
     `Vary` (asked for in the query string) with the plugin's `add_header` \
     (handler.lua:61-67); cors-lint models what the plugin sends, not the upstream's headers",
)];

/// The plugin as a `KongPlugin` object.
fn kong_plugin(host: &str, config: &str) -> String {
    let name = host.trim_end_matches(".test");
    let mut out = format!(
        "apiVersion: configuration.konghq.com/v1\nkind: KongPlugin\nmetadata:\n  name: {name}\nplugin: cors\n"
    );
    if !config.is_empty() {
        out.push_str("config:\n");
        for l in config.lines() {
            out.push_str(&format!("  {l}\n"));
        }
    }
    out
}

/// The plugin on its route in a declarative `kong.yml`, as the spec's blueprint inserts it.
fn declarative(host: &str, config: &str) -> String {
    let name = host.trim_end_matches(".test");
    let mut out = format!(
        "_format_version: \"3.0\"\nservices:\n  - name: mock-upstream\n    url: http://mock-upstream.test:15555\n    routes:\n      - name: {name}\n        hosts: [{}]\n        plugins:\n          - name: cors\n",
        host
    );
    if !config.is_empty() {
        out.push_str("            config:\n");
        for l in config.lines() {
            out.push_str(&format!("              {l}\n"));
        }
    }
    out
}

fn plugin(host: &str) -> &'static Plugin {
    PLUGINS
        .iter()
        .find(|p| p.host == host)
        .unwrap_or_else(|| panic!("no plugin for {host}"))
}

fn lower(name: &str, text: &str) -> CorsPolicy {
    let file = SourceFile::new(name, text.as_bytes().to_vec(), Dialect::Kong.encoding());
    let mut policies = frontend::lower(Dialect::Kong, &file, &Options::default())
        .unwrap_or_else(|e| panic!("{name}: {}\n{text}", e.message))
        .policies;
    assert_eq!(policies.len(), 1, "{name}: one policy\n{text}");
    policies.pop().unwrap()
}

/// Both forms of `p`'s plugin.
fn forms(p: &Plugin) -> [(&'static str, String); 2] {
    forms_of(p.host, p.config)
}

/// Both forms of the plugin with `config` on the route for `host`.
fn forms_of(host: &str, config: &str) -> [(&'static str, String); 2] {
    [
        ("kongplugin.yaml", kong_plugin(host, config)),
        ("kong.yml", declarative(host, config)),
    ]
}

/// The KONG rules cors-lint reports on the plugin (both forms must agree).
fn kong_findings(p: &Plugin) -> Vec<&'static str> {
    let mut all = Vec::new();
    for (name, text) in forms(p) {
        let report = lint_bytes(
            name.into(),
            text.into_bytes(),
            Dialect::Kong,
            String::new(),
            &Settings::default(),
        );
        let mut codes: Vec<&'static str> = report
            .findings
            .iter()
            .map(|f| f.code)
            .filter(|c| c.starts_with("KONG") && *c != "KONG001")
            .collect();
        codes.sort();
        codes.dedup();
        all.push(codes);
    }
    assert_eq!(all[0], all[1], "{}: the two forms differ", p.host);
    all.pop().unwrap()
}

/// What the plugin for `host` answers `method` with `headers` (both forms must agree), and
/// its policy.
fn answer(host: &str, method: &str, headers: &[(&str, &str)]) -> (ServerResponse, CorsPolicy) {
    let p = plugin(host);
    let req = ServerRequest {
        method: method.into(),
        path: "/".into(),
        headers: headers
            .iter()
            .map(|(n, v)| (n.to_ascii_lowercase(), v.to_string()))
            .collect(),
    };
    let mut answers = Vec::new();
    for (name, text) in forms(p) {
        let policy = lower(name, &text);
        let r = sim::respond(&policy, &policy.scope.listeners[0], &req, &[]);
        answers.push((r, policy));
    }
    assert_eq!(
        answers[0].0, answers[1].0,
        "{host}: the KongPlugin and kong.yml forms answer differently"
    );
    answers.pop().unwrap()
}

const KONG_ANSWERS: &str = "Kong's cors plugin answers a preflight itself";
const UPSTREAM_ANSWERS: &str = "the upstream service answers";

/// The spec's assertions on the response, as mismatches (empty: all hold).
fn mismatches(r: &ServerResponse, by: By, expect: &[(&str, Option<&str>)]) -> Vec<String> {
    let mut out = Vec::new();
    let who = if r.reason.contains(KONG_ANSWERS) {
        Some(By::Kong)
    } else if r.reason.contains(UPSTREAM_ANSWERS) {
        Some(By::Upstream)
    } else {
        None
    };
    if who != Some(by) {
        out.push(format!("answered by {who:?} ({}), not {by:?}", r.reason));
    }
    // `assert.res_status(200, res)` on the plugin's own answer (handler.lua:245). The
    // upstream's status is the upstream's: cors-lint's model does not know it.
    if by == By::Kong && r.status != Some(200) {
        out.push(format!("status {:?}", r.status));
    }
    for (name, want) in expect {
        // Lua's `res.headers[name]` holds one value per line; the plugin sets each once.
        let values: Vec<&str> = r
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect();
        let got = match values.as_slice() {
            [] => None,
            [one] => Some(*one),
            _ => {
                out.push(format!("{name} sent {} times: {values:?}", values.len()));
                continue;
            }
        };
        if got != *want {
            out.push(format!("{name}: {got:?}, the spec wants {want:?}"));
        }
    }
    out
}

#[test]
fn access_spec_cases() {
    for (line, it, _) in NOT_EXPRESSIBLE {
        assert!(
            CASES.iter().all(|c| c.line != *line),
            "{SPEC}:{line} {it:?} is both expressed and not"
        );
    }
    for c in CASES {
        let (r, policy) = answer(c.host, c.method, c.headers);
        let bad = mismatches(&r, c.by, c.expect);
        assert!(
            bad.is_empty(),
            "{SPEC}:{} {:?} ({}, plugin :{}): {bad:?}\n{:?}",
            c.line,
            c.it,
            c.host,
            plugin(c.host).line,
            r.headers
        );
        if c.status_elsewhere.is_some() {
            // Kong's `header_filter` (handler.lua:249) runs on every response, errors and
            // other plugins' answers included: cors-lint's model must say so.
            assert!(
                policy.emission.on_errors,
                "{SPEC}:{} {:?}: the headers must reach a {:?} response",
                c.line, c.it, c.status_elsewhere
            );
        }
    }
}

/// One of the spec's `regex_testcases` (01-access_spec.lua:29-237), run by the loop at
/// :584-615: `OPTIONS` with `Origin` and `Access-Control-Request-Method: GET` to
/// `cors-regex-N.test`, whose plugin has only these `origins` (:549-561).
struct RegexCase {
    /// The line of the `origins = …` entry.
    line: u32,
    /// The entries, as YAML flow-sequence items.
    origins: &'static [&'static str],
    tests: &'static [(&'static str, Accept)],
}

/// The spec's `accept` value for an origin.
#[derive(Clone, Copy)]
enum Accept {
    /// `false`: no `Access-Control-Allow-Origin`.
    No,
    /// `true`: the origin itself.
    Yes,
    /// A string: that value.
    Sends(&'static str),
}

use Accept::{No, Sends, Yes};

const REGEX_CASES: &[RegexCase] = &[
    // 01-access_spec.lua:32 @ 22246ef2.
    RegexCase {
        line: 32,
        origins: &["foo.test"],
        tests: &[
            ("http://evil.test", Sends("foo.test")),
            ("http://foo.test", Sends("foo.test")),
            ("http://foo.test.evil.test", Sends("foo.test")),
            ("http://something.foo.test", Sends("foo.test")),
            ("http://evilfoo.test", Sends("foo.test")),
            ("http://foo.test:80", Sends("foo.test")),
            ("http://foo.test:8000", Sends("foo.test")),
            ("https://foo.test:8000", Sends("foo.test")),
            ("http://foo.test:90", Sends("foo.test")),
            ("http://foobtest", Sends("foo.test")),
            ("https://bar.test:1234", Sends("foo.test")),
        ],
    },
    // 01-access_spec.lua:49 @ 22246ef2.
    RegexCase {
        line: 49,
        origins: &["https://bar.test:1234"],
        tests: &[
            ("http://evil.test", Sends("https://bar.test:1234")),
            ("http://foo.test", Sends("https://bar.test:1234")),
            ("http://foo.test.evil.test", Sends("https://bar.test:1234")),
            ("http://something.foo.test", Sends("https://bar.test:1234")),
            ("http://evilfoo.test", Sends("https://bar.test:1234")),
            ("http://foo.test:80", Sends("https://bar.test:1234")),
            ("http://foo.test:8000", Sends("https://bar.test:1234")),
            ("https://foo.test:8000", Sends("https://bar.test:1234")),
            ("http://foo.test:90", Sends("https://bar.test:1234")),
            ("http://foobtest", Sends("https://bar.test:1234")),
            ("https://bar.test:1234", Sends("https://bar.test:1234")),
        ],
    },
    // 01-access_spec.lua:66 @ 22246ef2: `"foo\\.test"`.
    RegexCase {
        line: 66,
        origins: &["'foo\\.test'"],
        tests: &[
            ("http://evil.test", No),
            ("http://foo.test", Yes),
            ("http://foo.test.evil.test", No),
            ("http://something.foo.test", No),
            ("http://evilfoo.test", No),
            ("http://foo.test:80", Sends("http://foo.test")),
            ("http://foo.test:8000", Yes),
            ("https://foo.test:8000", Yes),
            ("http://foo.test:90", Yes),
            ("http://foobtest", No),
            ("https://bar.test:1234", No),
        ],
    },
    // 01-access_spec.lua:83 @ 22246ef2.
    RegexCase {
        line: 83,
        origins: &["'(.*[./])?foo\\.test'"],
        tests: &[
            ("http://evil.test", No),
            ("http://foo.test", Yes),
            ("http://foo.test.evil.test", No),
            ("http://something.foo.test", Yes),
            ("http://evilfoo.test", No),
            ("http://foo.test:80", Sends("http://foo.test")),
            ("http://foo.test:8000", Yes),
            ("https://foo.test:8000", Yes),
            ("http://foo.test:90", Yes),
            ("http://foobtest", No),
            ("https://bar.test:1234", No),
        ],
    },
    // 01-access_spec.lua:100 @ 22246ef2.
    RegexCase {
        line: 100,
        origins: &["'(.*[./])?foo\\.test:8000'"],
        tests: &[
            ("http://evil.test", No),
            ("http://foo.test", No),
            ("http://foo.test.evil.test", No),
            ("http://something.foo.test", No),
            ("http://evilfoo.test", No),
            ("http://foo.test:80", No),
            ("http://foo.test:8000", Yes),
            ("https://foo.test:8000", Yes),
            ("http://foo.test:90", No),
            ("http://foobtest", No),
            ("https://bar.test:1234", No),
        ],
    },
    // 01-access_spec.lua:117 @ 22246ef2.
    RegexCase {
        line: 117,
        origins: &["'https://(.*[.])?foo\\.test:8000'"],
        tests: &[
            ("http://evil.test", No),
            ("http://foo.test", No),
            ("http://foo.test.evil.test", No),
            ("http://something.foo.test", No),
            ("http://foo.test:80", No),
            ("http://foo.test:8000", No),
            ("https://foo.test:8000", Yes),
            ("http://foo.test:90", No),
            ("http://foobtest", No),
            ("https://bar.test:1234", No),
        ],
    },
    // 01-access_spec.lua:133 @ 22246ef2.
    RegexCase {
        line: 133,
        origins: &["'^http://(.*[.])?foo\\.test(:(80|90))?$'"],
        tests: &[
            ("http://evil.test", No),
            ("http://foo.test", Yes),
            ("http://foo.test.evil.test", No),
            ("http://something.foo.test", Yes),
            ("http://foo.test:80", Sends("http://foo.test")),
            ("http://foo.test:8000", No),
            ("https://foo.test:8000", No),
            ("http://foo.test:90", Yes),
            ("http://foobtest", No),
            ("https://bar.test:1234", No),
        ],
    },
    // 01-access_spec.lua:149 @ 22246ef2.
    RegexCase {
        line: 149,
        origins: &["foo.test", "bar.test"],
        tests: &[
            ("http://evil.test", No),
            ("http://foo.test", No),
            ("http://foo.test.evil.test", No),
            ("http://foo.test:80", No),
            ("http://foo.test:8000", No),
            ("http://foo.test:90", No),
            ("http://foobtest", No),
            ("https://bar.test:1234", No),
        ],
    },
    // 01-access_spec.lua:163 @ 22246ef2.
    RegexCase {
        line: 163,
        origins: &["'http://foo.test'", "'https://bar.test:1234'"],
        tests: &[
            ("http://evil.test", No),
            ("http://foo.test", Yes),
            ("http://foo.test.evil.test", No),
            ("http://foo.test:80", Sends("http://foo.test")),
            ("http://foo.test:8000", No),
            ("http://foo.test:90", No),
            ("http://foobtest", No),
            ("https://bar.test:1234", Yes),
        ],
    },
    // 01-access_spec.lua:177 @ 22246ef2.
    RegexCase {
        line: 177,
        origins: &["bar.test", "'foo\\.test'"],
        tests: &[
            ("http://evil.test", No),
            ("http://foo.test", Yes),
            ("http://foo.test.evil.test", No),
            ("http://something.foo.test", No),
            ("http://foo.test:80", Sends("http://foo.test")),
            ("http://foo.test:8000", Yes),
            ("http://foo.test:90", Yes),
            ("http://foobtest", No),
            ("https://bar.test:1234", No),
        ],
    },
    // 01-access_spec.lua:192 @ 22246ef2.
    RegexCase {
        line: 192,
        origins: &["bar.test", "'(.*\\.)?foo\\.test'"],
        tests: &[
            ("http://evil.test", No),
            ("http://foo.test", Yes),
            ("http://foo.test.evil.test", No),
            ("http://something.foo.test", Yes),
            ("http://foo.test:80", Sends("http://foo.test")),
            ("http://foo.test:8000", Yes),
            ("http://foo.test:90", Yes),
            ("http://foobtest", No),
            ("https://bar.test:1234", No),
        ],
    },
    // 01-access_spec.lua:207 @ 22246ef2.
    RegexCase {
        line: 207,
        origins: &["bar.test", "'(.*[./])?foo\\.test:8000'"],
        tests: &[
            ("http://evil.test", No),
            ("http://foo.test", No),
            ("http://foo.test.evil.test", No),
            ("http://something.foo.test", No),
            ("http://foo.test:80", No),
            ("http://foo.test:8000", Yes),
            ("https://foo.test:8000", Yes),
            ("http://foo.test:90", No),
            ("http://foobtest", No),
            ("https://bar.test:1234", No),
        ],
    },
    // 01-access_spec.lua:223 @ 22246ef2.
    RegexCase {
        line: 223,
        origins: &["bar.test", "'https://(.*\\.)?foo\\.test:8000'"],
        tests: &[
            ("http://evil.test", No),
            ("http://foo.test", No),
            ("http://foo.test.evil.test", No),
            ("http://something.foo.test", No),
            ("http://foo.test:80", No),
            ("http://foo.test:8000", No),
            ("https://foo.test:8000", Yes),
            ("http://foo.test:90", No),
            ("http://foobtest", No),
            ("https://bar.test:1234", No),
        ],
    },
];

/// A regex case's plugin: its host (`cors-regex-N.test`, :550-552) and `config` (:554-560).
fn regex_plugin(i: usize, c: &RegexCase) -> (String, String) {
    (
        format!("cors-regex-{}.test", i + 1),
        format!("origins: [{}]\n", c.origins.join(", ")),
    )
}

/// The regex case's preflight, and the spec's assertions on it (:600-612).
fn regex_preflight(p: &(String, String), origin: &str, accept: Accept) -> Vec<String> {
    let req = ServerRequest {
        method: "OPTIONS".into(),
        path: "/".into(),
        headers: vec![
            ("origin".into(), origin.into()),
            ("access-control-request-method".into(), "GET".into()),
        ],
    };
    let mut answers = Vec::new();
    for (name, text) in forms_of(&p.0, &p.1) {
        let policy = lower(name, &text);
        answers.push(sim::respond(&policy, &policy.scope.listeners[0], &req, &[]));
    }
    assert_eq!(answers[0], answers[1], "{}: the two forms differ", p.0);
    let expect: Vec<(&str, Option<&str>)> = match accept {
        No => vec![("Access-Control-Allow-Origin", None)],
        Yes | Sends(_) => vec![
            ("Access-Control-Allow-Methods", Some(DEFAULT_METHODS)),
            (
                "Access-Control-Allow-Origin",
                Some(match accept {
                    Sends(v) => v,
                    _ => origin,
                }),
            ),
            ("Access-Control-Allow-Headers", None),
            ("Access-Control-Expose-Headers", None),
            ("Access-Control-Allow-Credentials", None),
            ("Access-Control-Max-Age", None),
        ],
    };
    mismatches(&answers[0], By::Kong, &expect)
}

/// Kong answers an accepted origin with `normalized_req_origin.domain` (handler.lua:163):
/// `normalize_origin` (:38-59) drops a written default port. That happens only in the
/// matching loop, i.e. with more than one entry or a single regex entry (checked by
/// `default_port_is_normalised`).
fn default_port_normalised(c: &RegexCase, origin: &str, accept: Accept) -> bool {
    let single_literal = c.origins.len() == 1 && is_literal(c.origins[0].trim_matches('\''));
    !single_literal && origin.ends_with(":80") && !matches!(accept, No)
}

#[test]
fn regex_testcases_preflights() {
    let mut run = 0;
    for (i, c) in REGEX_CASES.iter().enumerate() {
        let p = regex_plugin(i, c);
        for &(origin, accept) in c.tests {
            if default_port_normalised(c, origin, accept) {
                continue;
            }
            let bad = regex_preflight(&p, origin, accept);
            assert!(
                bad.is_empty(),
                "{SPEC}:{} origins {:?}, Origin {origin}: {bad:?}",
                c.line,
                c.origins
            );
            run += 1;
        }
    }
    assert_eq!(run, 129 - 6, "every sub-case but the six default-port ones");
}

/// 01-access_spec.lua:73, :90, :139, :168, :183, :198 (`http://foo.test:80` answered
/// `http://foo.test`) and :1010-1018 (`http://my-site.test:80` answered
/// `http://my-site.test` on cors11.test): Kong compares and answers the *normalised*
/// request origin (handler.lua:139-143, 163), which cors-lint models as
/// `OnMatch::EchoNormalisedOrigin`: the matchers see `http://foo.test` and it is what is
/// echoed. No browser sends a default port in `Origin`, so no lint verdict depends on it;
/// the simulated answer to such a request does.
#[test]
fn default_port_is_normalised() {
    let mut bad = Vec::new();
    for (i, c) in REGEX_CASES.iter().enumerate() {
        let p = regex_plugin(i, c);
        for &(origin, accept) in c.tests {
            if default_port_normalised(c, origin, accept) {
                let m = regex_preflight(&p, origin, accept);
                if !m.is_empty() {
                    bad.push(format!("{SPEC}:{} {origin}: {m:?}", c.line));
                }
            }
        }
    }
    let (r, _) = answer(
        "cors11.test",
        "GET",
        &[("Origin", "http://my-site.test:80")],
    );
    let m = mismatches(
        &r,
        By::Upstream,
        &[("Access-Control-Allow-Origin", Some("http://my-site.test"))],
    );
    if !m.is_empty() {
        bad.push(format!("{SPEC}:1010 http://my-site.test:80: {m:?}"));
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// The first request of 01-access_spec.lua:928 ("sets CORS orgin based on origin host",
/// cors6.test) and of :1127 (cors12.test, `allowed-domain.test`) send an `Origin` without
/// a scheme — `example.test` — which no browser sends (an origin is serialised
/// `scheme://host[:port]`). Kong's `normalize_origin` finds no host in it and keeps it whole
/// (handler.lua:40-44), so it equals a scheme-less literal entry (:159) and Kong answers it.
/// cors-lint reads literal entries against browser origins, which they never match (KONG002,
/// reported for each entry): it sends no `Access-Control-Allow-Origin` where the spec
/// expects the scheme-less value. (The rest of :928, cors9.test's regex, agrees: see
/// `CASES`.)
#[test]
fn schemeless_origins() {
    // cors6.test: `example.test` and `example.org`, both scheme-less literals.
    assert!(kong_findings(plugin("cors6.test")).contains(&"KONG002"));
    let (r, _) = answer("cors6.test", "GET", &[("Origin", "example.test")]);
    let spec = [
        ("Access-Control-Allow-Origin", Some("example.test")),
        ("Vary", Some("Origin")),
    ];
    assert_eq!(
        mismatches(&r, By::Upstream, &spec),
        ["Access-Control-Allow-Origin: None, the spec wants Some(\"example.test\")"],
        "{SPEC}:936"
    );
    // cors12.test: `a.xxx.test` and `allowed-domain.test`, scheme-less literals.
    assert!(kong_findings(plugin("cors12.test")).contains(&"KONG002"));
    let (r, _) = answer("cors12.test", "GET", &[("Origin", "allowed-domain.test")]);
    let spec = [
        ("Access-Control-Allow-Origin", Some("allowed-domain.test")),
        ("Access-Control-Allow-Credentials", Some("true")),
        ("Vary", Some("Origin")),
    ];
    assert_eq!(
        mismatches(&r, By::Upstream, &spec),
        ["Access-Control-Allow-Origin: None, the spec wants Some(\"allowed-domain.test\")"],
        "{SPEC}:1143"
    );
}

/// 01-access_spec.lua:1170 with `Origin: ""` (`ABSENT_ORIGIN_HEADERS[2]`, cors15.test,
/// `allow_origin_absent: false`): the spec wants no CORS header, since 826214be made
/// `header_filter` skip an empty `Origin` like a missing one (`is_origin_provided`,
/// handler.lua:33-35, 255). cors-lint models handler.lua @ 01789df4, before it, where the
/// check is `not req_origin` and Lua's `""` is true: the empty `Origin` goes on through
/// `configure_origin`, whose single literal entry is sent whatever the request (:82-94),
/// with credentials (:182) and `exposed_headers` (:262-265) — the answer the spec expects
/// for `allow_origin_absent: true` (:1195-1197), which cors-lint gives.
#[test]
fn empty_origin_before_826214be() {
    let (r, _) = answer("cors15.test", "GET", &[("Origin", "")]);
    assert_eq!(
        mismatches(&r, By::Upstream, CORS15_EXPECT).len(),
        3,
        "{SPEC}:1170 Origin \"\": no longer different from 826214be's Kong? {:?}",
        r.headers
    );
    let m = mismatches(&r, By::Upstream, CORS16_EXPECT);
    assert!(
        m.is_empty(),
        "{SPEC}:1170 Origin \"\" as handler.lua @ 01789df4 answers: {m:?}"
    );
}

/// 01-access_spec.lua:789 ("support private-network", cors13.test): with
/// `private_network: true` Kong answers a preflight carrying
/// `Access-Control-Request-Private-Network: true` with
/// `Access-Control-Allow-Private-Network: true` (handler.lua:240-243). cors-lint checks the
/// field's type (KONG005) but cannot model what it sends: the IR's extra response headers
/// (`CorsPolicy::response_headers`) go on every response but a preflight the server answers
/// itself, whatever the request, while this one goes only on such a preflight and only when
/// the request asks for it; a place for it is a new `CorsPolicy` field, which every front
/// end builds.
#[test]
#[ignore = "cors-lint gap: the IR has no place for a preflight-only header sent on request \
            (Kong's private_network, Access-Control-Allow-Private-Network)"]
fn private_network() {
    let (r, _) = answer(
        "cors13.test",
        "OPTIONS",
        &[
            ("Origin", "allowed-domain.test"),
            ("Access-Control-Request-Private-Network", "true"),
            ("Access-Control-Request-Method", "PUT"),
        ],
    );
    let m = mismatches(
        &r,
        By::Kong,
        &[("Access-Control-Allow-Private-Network", Some("true"))],
    );
    assert!(m.is_empty(), "{SPEC}:789: {m:?}");
}

/// 01-access_spec.lua:434-458 (route12) writes `methods = ngx.null`. Kong's schema accepts a
/// null for a field that is not `required` (kong/db/schema/init.lua:877-887; `methods` has a
/// default but no `required`, schema.lua:41-46) and reads it back as nil (init.lua:1950), so
/// `access` sends the default methods (handler.lua:231-232), and the spec's requests to the
/// route are answered. A null for a `required` field (`credentials`, schema.lua:48) is
/// refused ("required field missing", init.lua:884-886): KONG005, and no plugin.
#[test]
fn null_methods_is_the_default() {
    for (name, text) in forms_of("cors12.test", CORS12) {
        assert!(!codes_of(name, &text).contains(&"KONG005"), "{name}");
        let policy = lower(name, &text);
        let r = sim::respond(
            &policy,
            &policy.scope.listeners[0],
            &ServerRequest {
                method: "OPTIONS".into(),
                path: "/".into(),
                headers: vec![
                    ("origin".into(), "allowed-domain.test".into()),
                    ("access-control-request-method".into(), "GET".into()),
                ],
            },
            &[],
        );
        let m = mismatches(
            &r,
            By::Kong,
            &[("Access-Control-Allow-Methods", Some(DEFAULT_METHODS))],
        );
        assert!(m.is_empty(), "{name}: {m:?}");
    }
    let refused = CORS12.replace("credentials: true", "credentials: null");
    for (name, text) in forms_of("cors12.test", &refused) {
        assert!(codes_of(name, &text).contains(&"KONG005"), "{name}");
    }
}

/// Every rule cors-lint reports on a file.
fn codes_of(name: &str, text: &str) -> Vec<&'static str> {
    lint_bytes(
        name.into(),
        text.as_bytes().to_vec(),
        Dialect::Kong,
        String::new(),
        &Settings::default(),
    )
    .findings
    .iter()
    .map(|f| f.code)
    .collect()
}
