"""`cors-lint server` driven by a real LSP client (pytest-lsp, on pygls), as an editor does:
initialize (VS Code's capabilities: UTF-16 positions; Neovim's: UTF-8 offered), open, edit,
code actions applied client-side, save, configuration changes, cross-file objects, hover,
and malformed input. Run by tests/lsp.rs, which installs pytest-lsp and names the server
binary in CORS_LINT_BIN.
"""

from __future__ import annotations

import asyncio
import os
import pathlib
import statistics
import time

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.exceptions import JsonRpcMethodNotFound
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features
from pygls.protocol import default_converter

SERVER = os.environ["CORS_LINT_BIN"]
TIMEOUT = 20.0

# CORS020 (safe fix: add `Vary: Origin`); the line of the finding has non-ASCII and an
# astral character before it, so UTF-16 and UTF-8 columns differ.
NGINX = """map $http_origin $cors {
    default "";
    "https://app.example.com" $http_origin;
}
server {
    set $note "é😀"; add_header Access-Control-Allow-Origin $cors always;
}
"""

# Two servers, each missing `Vary: Origin`: two safe fixes for "fix all".
NGINX_TWO = """map $http_origin $cors {
    default "";
    "https://app.example.com" $http_origin;
}
server {
    listen 80;
    add_header Access-Control-Allow-Origin $cors always;
}
server {
    listen 81;
    add_header Access-Control-Allow-Origin $cors always;
}
"""

HTTPROUTE = """apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: api
spec:
  rules:
    - filters:
        - type: CORS
          cors:
            allowOrigins: ["https://app.example.com"]
      backendRefs:
        - name: api
          port: 80
"""

MIDDLEWARE = """apiVersion: traefik.io/v1alpha1
kind: Middleware
metadata:
  name: cors
  namespace: web
spec:
  headers:
    accessControlAllowOriginList: ["https://app.example.com"]
    addVaryHeader: true
"""


def ingress_route(middleware: str) -> str:
    return f"""apiVersion: traefik.io/v1alpha1
kind: IngressRoute
metadata:
  name: site
  namespace: web
spec:
  routes:
    - match: PathPrefix(`/`)
      kind: Rule
      middlewares:
        - name: {middleware}
      services:
        - name: site
          port: 80
"""


def make_client() -> LanguageClient:
    """pytest-lsp's client, also keeping every publishDiagnostics with its arrival time
    and answering the server's client/registerCapability."""
    client = LanguageClient(converter_factory=default_converter)
    client.published = []
    client.registrations = []

    def publish(ls: LanguageClient, params: types.PublishDiagnosticsParams):
        ls.diagnostics[params.uri] = params.diagnostics
        ls.published.append((time.perf_counter(), params))

    def register(ls: LanguageClient, params: types.RegistrationParams):
        ls.registrations.extend(params.registrations)

    features = dict(DEFAULT_CLIENT_FEATURES)
    features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = publish
    features[types.CLIENT_REGISTER_CAPABILITY] = register
    register_lsp_features(client, features)
    return client


@pytest_lsp.fixture(
    config=ClientServerConfig(
        server_command=[SERVER, "server"],
        client_factory=make_client,
        server_env={**os.environ, "CORS_LINT_SERVER_TEST_PANIC": "1"},
    )
)
async def client(lsp_client: LanguageClient):
    yield
    await lsp_client.shutdown_session()


@pytest.fixture
def workspace(tmp_path: pathlib.Path) -> pathlib.Path:
    ws = tmp_path / "ws"
    (ws / ".git").mkdir(parents=True)  # configuration discovery stops here
    return ws


async def start(client: LanguageClient, ws: pathlib.Path, spec: str) -> types.InitializeResult:
    return await client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities(spec),
            workspace_folders=[types.WorkspaceFolder(uri=ws.as_uri(), name="ws")],
        )
    )


VSCODE = "visual-studio-code@v1.65.2"  # UTF-16 only
NEOVIM = "neovim@v0.11.0"  # offers UTF-8


class Doc:
    """A document the test edits as an editor would, sending didChange."""

    def __init__(self, client: LanguageClient, path: pathlib.Path, text: str, language: str):
        self.client, self.path, self.text, self.version = client, path, text, 1
        self.uri = path.as_uri()
        path.write_text(text)
        client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=self.uri, language_id=language, version=1, text=text
                )
            )
        )

    def replace(self, text: str):
        self.version += 1
        self.text = text
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(
                    uri=self.uri, version=self.version
                ),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
            )
        )

    def edit(self, edits: list[types.TextEdit], encoding: str = "utf-16"):
        """Apply edits client-side and send them as incremental changes."""
        self.version += 1
        changes = []
        # Last first, so that earlier positions stay valid.
        for e in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
            start = offset(self.text, e.range.start, encoding)
            end = offset(self.text, e.range.end, encoding)
            self.text = self.text[:start] + e.new_text + self.text[end:]
            changes.append(
                types.TextDocumentContentChangePartial(range=e.range, text=e.new_text)
            )
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(
                    uri=self.uri, version=self.version
                ),
                content_changes=changes,
            )
        )

    def save(self):
        self.path.write_text(self.text)
        self.client.text_document_did_save(
            types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=self.uri))
        )


def offset(text: str, pos: types.Position, encoding: str) -> int:
    """The index into `text` of an LSP position (lines end at \\n in these files)."""
    lines = text.split("\n")
    index = sum(len(l) + 1 for l in lines[: pos.line])
    line = lines[pos.line] if pos.line < len(lines) else ""
    units = 0
    for i, ch in enumerate(line):
        if units >= pos.character:
            return index + i
        units += len(ch.encode("utf-16-le")) // 2 if encoding == "utf-16" else len(ch.encode())
    return index + len(line)


async def published(client: LanguageClient, uri: str, since: int, check=lambda p: True):
    """The first publishDiagnostics for `uri` after index `since` that `check` accepts."""
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        for _, p in client.published[since:]:
            if p.uri == uri and check(p):
                return p
        await asyncio.sleep(0.005)
    seen = [(p.uri, p.version, [d.code for d in p.diagnostics]) for _, p in client.published[since:]]
    raise AssertionError(f"no matching diagnostics for {uri}; got {seen}")


def codes(p: types.PublishDiagnosticsParams) -> list[str]:
    return sorted(str(d.code) for d in p.diagnostics)


def columns(line: str, prefix_end: str) -> tuple[int, int]:
    """The UTF-16 and UTF-8 columns where `prefix_end` starts in `line`."""
    prefix = line[: line.index(prefix_end)]
    return len(prefix.encode("utf-16-le")) // 2, len(prefix.encode())


@pytest.mark.parametrize("spec,encoding", [(VSCODE, "utf-16"), (NEOVIM, "utf-8")])
async def test_diagnostics_in_the_negotiated_encoding(client, workspace, spec, encoding):
    result = await start(client, workspace, spec)
    assert result.capabilities.position_encoding == encoding
    assert result.server_info.name == "cors-lint"
    doc = Doc(client, workspace / "nginx.conf", NGINX, "nginx")
    p = await published(client, doc.uri, 0)
    assert p.version == 1
    [d] = [d for d in p.diagnostics if d.code == "CORS020"]
    line = NGINX.split("\n")[5]
    utf16, utf8 = columns(line, "add_header")
    assert utf16 != utf8
    assert d.range.start == types.Position(line=5, character=utf16 if encoding == "utf-16" else utf8)
    assert d.severity == types.DiagnosticSeverity.Warning
    assert d.source == "cors-lint"
    assert d.code_description.href.endswith("/docs/rules/CORS020.md")
    assert "Vary: Origin" in d.message


async def test_yaml_edit_and_save(client, workspace):
    await start(client, workspace, VSCODE)
    doc = Doc(client, workspace / "route.yaml", HTTPROUTE, "yaml")
    p = await published(client, doc.uri, 0)
    assert "CORS020" in codes(p)
    # A YAML file no front end reads gets no diagnostics.
    other = Doc(client, workspace / "values.yaml", "replicas: 3\n", "yaml")
    assert len((await published(client, other.uri, 0)).diagnostics) == 0
    # An edit: every origin allowed with credentials (CORS015-like findings), then back.
    mark = len(client.published)
    doc.replace(HTTPROUTE.replace('["https://app.example.com"]', '["*"]\n            allowCredentials: true'))
    p = await published(client, doc.uri, mark, lambda p: p.version == doc.version)
    assert codes(p) != ["CORS020"], codes(p)
    mark = len(client.published)
    doc.replace(HTTPROUTE)
    p = await published(client, doc.uri, mark, lambda p: p.version == doc.version)
    assert "CORS020" in codes(p)
    # Saving publishes again.
    mark = len(client.published)
    doc.save()
    p = await published(client, doc.uri, mark)
    assert "CORS020" in codes(p)


async def code_actions(client, doc, rng, only=None):
    return await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=doc.uri),
            range=rng,
            context=types.CodeActionContext(diagnostics=[], only=only),
        )
    )


@pytest.mark.parametrize("spec,encoding", [(VSCODE, "utf-16"), (NEOVIM, "utf-8")])
async def test_quick_fix_applied_by_the_client(client, workspace, spec, encoding):
    await start(client, workspace, spec)
    doc = Doc(client, workspace / "nginx.conf", NGINX, "nginx")
    p = await published(client, doc.uri, 0)
    [d] = [d for d in p.diagnostics if d.code == "CORS020"]
    actions = await code_actions(client, doc, d.range)
    fixes = [a for a in actions if a.kind == types.CodeActionKind.QuickFix and "suppress" not in a.title]
    assert fixes and fixes[0].is_preferred, [a.title for a in actions]
    assert fixes[0].diagnostics[0].code == "CORS020"
    [(uri, edits)] = fixes[0].edit.changes.items()
    assert uri == doc.uri
    mark = len(client.published)
    doc.edit(edits, encoding)
    assert "Vary" in doc.text
    p = await published(client, doc.uri, mark, lambda p: p.version == doc.version)
    assert "CORS020" not in codes(p), codes(p)
    # The edit kept the non-ASCII text intact.
    assert 'set $note "é😀";' in doc.text


async def test_suppress_with_reason(client, workspace):
    await start(client, workspace, VSCODE)
    doc = Doc(client, workspace / "nginx.conf", NGINX_TWO, "nginx")
    p = await published(client, doc.uri, 0)
    d = [d for d in p.diagnostics if d.code == "CORS020"][0]
    actions = await code_actions(client, doc, d.range)
    [suppress] = [a for a in actions if "suppress" in a.title]
    assert suppress.title.startswith("CORS020:")
    [(_, edits)] = suppress.edit.changes.items()
    mark = len(client.published)
    doc.edit(edits)
    line = doc.text.split("\n")[d.range.start.line]
    assert line.startswith("    # cors-lint: ignore[CORS020] "), line
    p = await published(client, doc.uri, mark, lambda p: p.version == doc.version)
    # The suppressed one is gone, the other server's stays; a reason is there (no CL001).
    assert codes(p) == ["CORS020"], codes(p)


async def test_fix_all(client, workspace):
    await start(client, workspace, VSCODE)
    doc = Doc(client, workspace / "nginx.conf", NGINX_TWO, "nginx")
    p = await published(client, doc.uri, 0)
    assert codes(p) == ["CORS020", "CORS020"]
    whole = types.Range(start=types.Position(line=0, character=0), end=types.Position(line=0, character=0))
    actions = await code_actions(client, doc, whole, only=[types.CodeActionKind.SourceFixAll])
    [fix_all] = actions
    assert fix_all.kind == "source.fixAll.cors-lint"
    [(_, edits)] = fix_all.edit.changes.items()
    assert len(edits) == 2
    mark = len(client.published)
    doc.edit(edits)
    p = await published(client, doc.uri, mark, lambda p: p.version == doc.version)
    assert codes(p) == [], codes(p)
    # Only quick fixes asked for: no fix-all.
    actions = await code_actions(client, doc, whole, only=[types.CodeActionKind.QuickFix])
    assert all(a.kind == types.CodeActionKind.QuickFix for a in actions)


async def test_configuration_changes(client, workspace):
    await start(client, workspace, VSCODE)
    # VS Code registers watchers dynamically: the server asks it to watch the files it reads.
    deadline = time.monotonic() + TIMEOUT
    while not client.registrations and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    [watch] = [r for r in client.registrations if r.method == "workspace/didChangeWatchedFiles"]
    globs = [w["globPattern"] for w in watch.register_options["watchers"]]
    assert "**/cors-lint.toml" in globs, globs
    doc = Doc(client, workspace / "nginx.conf", NGINX, "nginx")
    assert "CORS020" in codes(await published(client, doc.uri, 0))
    config = workspace / "cors-lint.toml"

    def changed(kind=types.FileChangeType.Changed):
        client.workspace_did_change_watched_files(
            types.DidChangeWatchedFilesParams(changes=[types.FileEvent(uri=config.as_uri(), type=kind)])
        )

    # A configuration that ignores the code, written on disk.
    mark = len(client.published)
    config.write_text('ignore = ["CORS020"]\n')
    changed(types.FileChangeType.Created)
    p = await published(client, doc.uri, mark, lambda p: "CORS020" not in codes(p))
    assert codes(p) == []
    # A broken one: its own diagnostic, and the document falls back to the defaults.
    mark = len(client.published)
    config.write_text('ignore = ["CORS020"\nselect = 3\n')
    changed()
    p = await published(client, config.as_uri(), mark)
    assert p.diagnostics and "invalid configuration" in p.diagnostics[0].message
    assert p.diagnostics[0].range.start.line in (0, 1)
    p = await published(client, doc.uri, mark, lambda p: "CORS020" in codes(p))
    # Fixed in the editor's buffer, unsaved: the configuration is read from the buffer.
    cfg = Doc(client, config, 'ignore = ["CORS020"\nselect = 3\n', "toml")
    mark = len(client.published)
    cfg.replace('ignore = ["CORS020"]\n')
    p = await published(client, config.as_uri(), mark, lambda p: len(p.diagnostics) == 0)
    p = await published(client, doc.uri, mark, lambda p: "CORS020" not in codes(p))
    # An unknown key in the buffer: the mistake is shown at its bytes.
    mark = len(client.published)
    cfg.replace('ignore = ["CORS020"]\nignroe = ["CORS021"]\n')
    p = await published(client, config.as_uri(), mark, lambda p: len(p.diagnostics) > 0)
    assert p.diagnostics[0].range.start.line == 1
    assert "did you mean `ignore`" in p.diagnostics[0].message


async def test_cross_file_objects(client, workspace):
    # The router on disk, never opened, names another middleware: the middleware is unused.
    route_path = workspace / "route.yaml"
    route_path.write_text(ingress_route("auth"))
    await start(client, workspace, VSCODE)
    mw = Doc(client, workspace / "middleware.yaml", MIDDLEWARE, "yaml")
    p = await published(client, mw.uri, 0)
    assert codes(p) == ["TFK001"], codes(p)
    assert "nothing in the linted files names `cors`" in p.diagnostics[0].message
    # The file changes on disk: the client says so, the finding goes.
    mark = len(client.published)
    route_path.write_text(ingress_route("cors"))
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=route_path.as_uri(), type=types.FileChangeType.Changed)]
        )
    )
    p = await published(client, mw.uri, mark)
    assert codes(p) == [], codes(p)
    # Opened and edited in the editor: its unsaved text counts.
    route = Doc(client, route_path, ingress_route("cors"), "yaml")
    mark = len(client.published)
    route.replace(ingress_route("auth"))
    p = await published(client, mw.uri, mark, lambda p: codes(p) == ["TFK001"])
    mark = len(client.published)
    route.replace(ingress_route("cors"))
    p = await published(client, mw.uri, mark, lambda p: codes(p) == [])


async def hover(client, doc, line, character):
    return await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=doc.uri),
            position=types.Position(line=line, character=character),
        )
    )


async def test_hover(client, workspace):
    await start(client, workspace, VSCODE)
    doc = Doc(client, workspace / "nginx.conf", NGINX, "nginx")
    p = await published(client, doc.uri, 0)
    [d] = [d for d in p.diagnostics if d.code == "CORS020"]
    h = await hover(client, doc, d.range.start.line, d.range.start.character + 3)
    assert h.contents.kind == types.MarkupKind.Markdown
    assert "**CORS020**" in h.contents.value and "missing-vary-origin" in h.contents.value
    assert h.range == d.range
    # On the origin of the map: what the server sends to which origins.
    h = await hover(client, doc, 2, 10)
    text = h.contents.value
    assert "https://app.example.com" in text and "echoed" in text, text
    assert "accepted, e.g.: `https://app.example.com`" in text, text
    # A pattern of subdomains, as the Gateway API implementation compiles it.
    route = Doc(
        client,
        workspace / "route.yaml",
        HTTPROUTE.replace('"https://app.example.com"', '"https://*.example.com"'),
        "yaml",
    )
    await published(client, route.uri, 0)
    h = await hover(client, route, 9, 30)
    assert "the regular expression `https://.*\\.example\\.com`" in h.contents.value, h.contents.value
    # A regex open at the end: the origin someone else can own is named.
    open_end = Doc(
        client,
        workspace / "open.conf",
        NGINX.replace('"https://app.example.com"', '~^https://app\\.example\\.com'),
        "nginx",
    )
    assert "CORS016" in codes(await published(client, open_end.uri, 0))
    h = await hover(client, open_end, 2, 10)
    assert "**also accepted**: `https://app.example.com." in h.contents.value, h.contents.value
    # Nothing there: no hover.
    assert await hover(client, doc, 0, 0) is None


async def test_malformed_input_and_unknown_methods(client, workspace):
    await start(client, workspace, VSCODE)
    errors = []
    handle = client.protocol._handle_response

    def record(msg_id, result=None, error=None):
        if msg_id is None:
            errors.append(error)
            return None
        return handle(msg_id, result, error)

    client.protocol._handle_response = record
    writer = client.protocol.writer
    writer.write(b"Content-Length: 9\r\n\r\n{not json")  # bad JSON: -32700
    writer.write(b"this is no header\r\n\r\n")  # bad headers: skipped
    writer.write(b'Content-Length: 9\r\n\r\n{"a": 1}\n')  # not JSON-RPC: -32600
    deadline = time.monotonic() + TIMEOUT
    while len(errors) < 2 and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    assert [e.code for e in errors] == [-32700, -32600], errors
    # Still serving.
    with pytest.raises(JsonRpcMethodNotFound):
        await client.protocol.send_request_async("cors-lint/no-such-method", {})
    client.protocol.notify("cors-lint/no-such-notification", {})
    doc = Doc(client, workspace / "nginx.conf", NGINX, "nginx")
    assert "CORS020" in codes(await published(client, doc.uri, 0))


@pytest.mark.skipif(
    os.environ.get("CORS_LINT_DEBUG_BUILD") != "1",
    reason="only a debug build panics on request",
)
async def test_a_panic_stays_in_its_document(client, workspace):
    await start(client, workspace, VSCODE)
    bad = Doc(client, workspace / "bad.conf", NGINX + "# cors-lint-test: panic\n", "nginx")
    p = await published(client, bad.uri, 0)
    [d] = p.diagnostics
    assert "cors-lint failed on this document" in d.message
    good = Doc(client, workspace / "nginx.conf", NGINX, "nginx")
    assert "CORS020" in codes(await published(client, good.uri, 0))


async def test_latency_on_a_1000_line_file(client, workspace):
    await start(client, workspace, VSCODE)
    blocks = [NGINX.split("server {")[0]]
    while sum(b.count("\n") for b in blocks) < 1000:
        n = len(blocks)
        blocks.append(
            f"server {{\n    listen {8000 + n};\n    server_name s{n}.example.com;\n"
            f"    location /api{n} {{\n        add_header Access-Control-Allow-Origin $cors always;\n"
            f"        add_header Access-Control-Allow-Methods \"GET, POST\" always;\n"
            f"        proxy_pass http://127.0.0.1:9000;\n    }}\n}}\n"
        )
    text = "".join(blocks)
    lines = text.count("\n")
    doc = Doc(client, workspace / "big.conf", text, "nginx")
    p = await published(client, doc.uri, 0)
    assert len(p.diagnostics) > 50
    times = []
    for i in range(10):
        mark = len(client.published)
        sent = time.perf_counter()
        doc.edit(
            [
                types.TextEdit(
                    range=types.Range(
                        start=types.Position(line=6, character=0), end=types.Position(line=6, character=0)
                    ),
                    new_text=f"    # edit {i}\n",
                )
            ]
        )
        await published(client, doc.uri, mark, lambda p: p.version == doc.version)
        arrived = next(t for t, p in client.published[mark:] if p.uri == doc.uri and p.version == doc.version)
        times.append((arrived - sent) * 1000)
    print(
        f"\nLATENCY didChange -> publishDiagnostics, {lines}-line nginx file with "
        f"{len(p.diagnostics)} findings: median {statistics.median(times):.1f} ms, "
        f"min {min(times):.1f} ms, max {max(times):.1f} ms (n={len(times)})"
    )
