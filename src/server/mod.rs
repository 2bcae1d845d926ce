//! `cors-lint server`: the Language Server Protocol over standard input and output.
//!
//! Built on rust-analyzer's `lsp-server` (the JSON-RPC messages) and `lsp-types` (the
//! protocol's types): synchronous, one thread that reads standard input and one that
//! serves, no async runtime — the linter is synchronous and fast, so a request waits for
//! nothing but the lint of the documents changed before it. Messages that arrive together
//! are handled together: a burst of `didChange` lints each document once.
//!
//! - diagnostics of every open document a front end reads, on open, change and save
//!   (`diagnostics`), with the cross-file findings of the workspace (`workspace`);
//! - code actions: fixes, suppressions, fix-all (`actions`); hover (`hover`);
//! - `cors-lint.toml` found per file and read again when it changes (`config`);
//! - framing that survives malformed input (`transport`), positions in UTF-16 or UTF-8
//!   (`text`).

mod actions;
mod config;
mod diagnostics;
mod hover;
mod text;
mod transport;
mod workspace;

use diagnostics::Analysis;
use lsp_server::{ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types as lsp;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Write;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use text::{Encoding, Text};
use transport::{Incoming, Writer};

/// Serve on standard input and output until the client says `exit` (or goes away); the
/// process's exit code.
pub fn run() -> i32 {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let stdin = std::io::stdin();
        transport::read_all(stdin.lock(), |m| tx.send(m).is_ok());
    });
    let mut server = Server::new(Writer::new(std::io::stdout()));
    loop {
        let Ok(first) = rx.recv() else {
            return server.exit_code();
        };
        let mut batch = vec![first];
        batch.extend(rx.try_iter());
        for incoming in batch {
            if let Some(code) = server.handle(incoming) {
                return code;
            }
        }
        server.flush();
    }
}

/// An open document.
struct Doc {
    uri: lsp::Uri,
    path: Option<PathBuf>,
    text: Text,
    analysis: Option<Analysis>,
}

impl Doc {
    fn is_config(&self) -> bool {
        self.path.as_deref().is_some_and(config::is_config)
    }
}

struct Server<W: Write> {
    out: Writer<W>,
    encoding: Encoding,
    markdown: bool,
    watch: bool,
    initialized: bool,
    shutdown: bool,
    docs: BTreeMap<String, Doc>,
    configs: config::Configs,
    /// Configuration files whose diagnostics the client may hold.
    config_files: BTreeSet<PathBuf>,
    workspace: workspace::Workspace,
    /// Documents to lint again.
    dirty: BTreeSet<String>,
    /// Cross-file findings of every document to compute again.
    resolve_all: bool,
    published: HashMap<String, Vec<lsp::Diagnostic>>,
    next_id: i32,
}

/// Parameters of a message, or the error to answer.
fn params<P: serde::de::DeserializeOwned>(v: Value) -> Result<P, Response> {
    serde_json::from_value(v).map_err(|e| {
        Response::new_err(
            RequestId::from(0),
            ErrorCode::InvalidParams as i32,
            format!("invalid params: {e}"),
        )
    })
}

impl<W: Write> Server<W> {
    fn new(out: Writer<W>) -> Self {
        Server {
            out,
            encoding: Encoding::Utf16,
            markdown: true,
            watch: false,
            initialized: false,
            shutdown: false,
            docs: BTreeMap::new(),
            configs: config::Configs::default(),
            config_files: BTreeSet::new(),
            workspace: workspace::Workspace::default(),
            dirty: BTreeSet::new(),
            resolve_all: false,
            published: HashMap::new(),
            next_id: 0,
        }
    }

    fn exit_code(&self) -> i32 {
        if self.shutdown { 0 } else { 1 }
    }

    /// Handle one incoming frame; `Some(code)` when the server is to exit.
    fn handle(&mut self, incoming: Incoming) -> Option<i32> {
        match incoming {
            Incoming::Message(Message::Request(r)) => {
                self.flush();
                let id = r.id.clone();
                let method = r.method.clone();
                let response =
                    catch_unwind(AssertUnwindSafe(|| self.request(r))).unwrap_or_else(|payload| {
                        Response::new_err(
                            id.clone(),
                            ErrorCode::InternalError as i32,
                            format!(
                                "cors-lint failed on `{method}`: {}",
                                diagnostics::panic_message(&*payload)
                            ),
                        )
                    });
                self.out
                    .send(Message::Response(Response { id, ..response }));
            }
            Incoming::Message(Message::Notification(n)) => {
                if n.method == "exit" {
                    return Some(self.exit_code());
                }
                let method = n.method.clone();
                if let Err(payload) = catch_unwind(AssertUnwindSafe(|| self.notification(n))) {
                    eprintln!(
                        "cors-lint server: failed on `{method}`: {}",
                        diagnostics::panic_message(&*payload)
                    );
                }
            }
            // Answers to the server's own requests (registering file watchers).
            Incoming::Message(Message::Response(_)) => {}
            Incoming::Malformed { id, code, message } => {
                eprintln!("cors-lint server: {message}");
                self.out.send_error(id, code, &message);
            }
            Incoming::Skipped(why) => eprintln!("cors-lint server: skipped a frame: {why}"),
            Incoming::Eof => return Some(self.exit_code()),
        }
        None
    }

    fn request(&mut self, r: Request) -> Response {
        let id = r.id.clone();
        let answer = |result: Result<Value, Response>| match result {
            Ok(v) => Response::new_ok(id.clone(), v),
            Err(e) => Response {
                id: id.clone(),
                ..e
            },
        };
        let error = |code: ErrorCode, message: &str| {
            Response::new_err(id.clone(), code as i32, message.to_string())
        };
        if r.method == "initialize" {
            if self.initialized {
                return error(
                    ErrorCode::InvalidRequest,
                    "initialize was already requested",
                );
            }
            return answer(params(r.params).map(|p| self.initialize(p)));
        }
        if !self.initialized {
            return error(ErrorCode::ServerNotInitialized, "initialize first");
        }
        if self.shutdown {
            return error(ErrorCode::InvalidRequest, "shutdown was requested");
        }
        match r.method.as_str() {
            "shutdown" => {
                self.shutdown = true;
                Response::new_ok(id, Value::Null)
            }
            "textDocument/codeAction" => answer(params(r.params).map(|p| self.code_action(p))),
            "textDocument/hover" => answer(params(r.params).map(|p| self.hover(p))),
            other => error(
                ErrorCode::MethodNotFound,
                &format!("cors-lint server does not handle `{other}`"),
            ),
        }
    }

    fn notification(&mut self, n: Notification) {
        if !self.initialized || self.shutdown {
            return;
        }
        let result: Result<(), Response> = match n.method.as_str() {
            "initialized" => {
                self.start();
                Ok(())
            }
            "textDocument/didOpen" => params(n.params).map(|p| self.did_open(p)),
            "textDocument/didChange" => params(n.params).map(|p| self.did_change(p)),
            "textDocument/didSave" => params(n.params).map(|p| self.did_save(p)),
            "textDocument/didClose" => params(n.params).map(|p| self.did_close(p)),
            "workspace/didChangeWatchedFiles" => params(n.params).map(|p| self.watched(p)),
            "workspace/didChangeWorkspaceFolders" => params(n.params).map(|p| self.folders(p)),
            // `$/cancelRequest`, `$/setTrace`, `workspace/didChangeConfiguration`, …
            _ => Ok(()),
        };
        if let Err(Response {
            response_result: Err(err),
            ..
        }) = result
        {
            eprintln!("cors-lint server: `{}`: {}", n.method, err.message);
        }
    }

    fn initialize(&mut self, p: lsp::InitializeParams) -> Value {
        self.initialized = true;
        let caps = &p.capabilities;
        let offers_utf8 = caps
            .general
            .as_ref()
            .and_then(|g| g.position_encodings.as_ref())
            .is_some_and(|e| e.contains(&lsp::PositionEncodingKind::UTF8));
        self.encoding = if offers_utf8 {
            Encoding::Utf8
        } else {
            Encoding::Utf16
        };
        self.markdown = caps
            .text_document
            .as_ref()
            .and_then(|t| t.hover.as_ref())
            .and_then(|h| h.content_format.as_ref())
            .is_none_or(|f| f.is_empty() || f.contains(&lsp::MarkupKind::Markdown));
        self.watch = caps
            .workspace
            .as_ref()
            .and_then(|w| w.did_change_watched_files.as_ref())
            .and_then(|d| d.dynamic_registration)
            .unwrap_or(false);
        #[allow(deprecated)]
        let folders: Vec<PathBuf> = match &p.workspace_folders {
            Some(f) => f
                .iter()
                .filter_map(|f| text::path_of(f.uri.as_str()))
                .collect(),
            None => p
                .root_uri
                .iter()
                .filter_map(|u| text::path_of(u.as_str()))
                .collect(),
        };
        self.workspace.folders = folders;
        let result = lsp::InitializeResult {
            capabilities: lsp::ServerCapabilities {
                position_encoding: Some(if offers_utf8 {
                    lsp::PositionEncodingKind::UTF8
                } else {
                    lsp::PositionEncodingKind::UTF16
                }),
                text_document_sync: Some(lsp::TextDocumentSyncCapability::Options(
                    lsp::TextDocumentSyncOptions {
                        open_close: Some(true),
                        change: Some(lsp::TextDocumentSyncKind::INCREMENTAL),
                        save: Some(lsp::TextDocumentSyncSaveOptions::SaveOptions(
                            lsp::SaveOptions {
                                include_text: Some(false),
                            },
                        )),
                        ..Default::default()
                    },
                )),
                hover_provider: Some(lsp::HoverProviderCapability::Simple(true)),
                code_action_provider: Some(lsp::CodeActionProviderCapability::Options(
                    lsp::CodeActionOptions {
                        code_action_kinds: Some(vec![
                            lsp::CodeActionKind::QUICKFIX,
                            actions::fix_all_kind(),
                        ]),
                        ..Default::default()
                    },
                )),
                workspace: Some(lsp::WorkspaceServerCapabilities {
                    workspace_folders: Some(lsp::WorkspaceFoldersServerCapabilities {
                        supported: Some(true),
                        change_notifications: Some(lsp::OneOf::Left(true)),
                    }),
                    file_operations: None,
                }),
                ..Default::default()
            },
            server_info: Some(lsp::ServerInfo {
                name: "cors-lint".into(),
                version: Some(env!("CORS_LINT_VERSION").into()),
            }),
        };
        serde_json::to_value(result).unwrap_or(Value::Null)
    }

    /// After `initialized`: watch the files, read the workspace.
    fn start(&mut self) {
        if self.watch {
            let watchers: Vec<lsp::FileSystemWatcher> = [
                "**/cors-lint.toml",
                "**/*.{yaml,yml,conf,nginx,properties,toml}",
            ]
            .into_iter()
            .map(|g| lsp::FileSystemWatcher {
                glob_pattern: lsp::GlobPattern::String(g.into()),
                kind: None,
            })
            .collect();
            let options = lsp::DidChangeWatchedFilesRegistrationOptions { watchers };
            let registration = lsp::RegistrationParams {
                registrations: vec![lsp::Registration {
                    id: "cors-lint-watched-files".into(),
                    method: "workspace/didChangeWatchedFiles".into(),
                    register_options: serde_json::to_value(options).ok(),
                }],
            };
            self.next_id += 1;
            self.out.send(Message::Request(Request::new(
                RequestId::from(format!("cors-lint-{}", self.next_id)),
                "client/registerCapability".into(),
                registration,
            )));
        }
        self.rescan();
    }

    /// Read the workspace folders' files and configurations again.
    fn rescan(&mut self) {
        self.configs.reload();
        self.workspace.scan(&mut self.configs);
        for (path, _) in self.configs.problems() {
            self.config_files.insert(path);
        }
        self.dirty.extend(self.docs.keys().cloned());
        self.resolve_all = true;
    }

    fn did_open(&mut self, p: lsp::DidOpenTextDocumentParams) {
        let d = p.text_document;
        let key = d.uri.as_str().to_string();
        let path = text::path_of(d.uri.as_str());
        let doc = Doc {
            uri: d.uri,
            path,
            text: Text::new(d.text, d.version),
            analysis: None,
        };
        if doc.is_config()
            && let Some(path) = &doc.path
        {
            self.configs.set_buffer(path, Some(doc.text.text.clone()));
            self.config_files.insert(path.clone());
            self.config_changed();
        }
        self.docs.insert(key.clone(), doc);
        self.dirty.insert(key);
    }

    fn did_change(&mut self, p: lsp::DidChangeTextDocumentParams) {
        let key = p.text_document.uri.as_str().to_string();
        let enc = self.encoding;
        let Some(doc) = self.docs.get_mut(&key) else {
            return;
        };
        for change in p.content_changes {
            doc.text.apply(change.range, &change.text, enc);
        }
        doc.text.version = p.text_document.version;
        if doc.is_config()
            && let Some(path) = doc.path.clone()
        {
            let text = doc.text.text.clone();
            self.configs.set_buffer(&path, Some(text));
            self.config_changed();
        }
        self.dirty.insert(key);
    }

    fn did_save(&mut self, p: lsp::DidSaveTextDocumentParams) {
        let key = p.text_document.uri.as_str().to_string();
        let Some(doc) = self.docs.get_mut(&key) else {
            return;
        };
        if let Some(t) = p.text {
            doc.text = Text::new(t, doc.text.version);
        }
        let path = doc.path.clone();
        if doc.is_config() {
            self.rescan();
        } else if let Some(path) = path {
            self.workspace.refresh(&path, &mut self.configs);
        }
        self.dirty.insert(key);
    }

    fn did_close(&mut self, p: lsp::DidCloseTextDocumentParams) {
        let key = p.text_document.uri.as_str().to_string();
        let Some(doc) = self.docs.remove(&key) else {
            return;
        };
        self.dirty.remove(&key);
        self.publish(&doc.uri, Vec::new(), None);
        if let Some(path) = &doc.path {
            if doc.is_config() {
                self.configs.set_buffer(path, None);
                self.config_changed();
            } else {
                self.workspace.refresh(path, &mut self.configs);
            }
        }
        self.resolve_all = true;
    }

    fn watched(&mut self, p: lsp::DidChangeWatchedFilesParams) {
        let mut configs = false;
        for change in &p.changes {
            let Some(path) = text::path_of(change.uri.as_str()) else {
                continue;
            };
            if config::is_config(&path) {
                self.config_files.insert(path);
                configs = true;
            } else {
                self.workspace.refresh(&path, &mut self.configs);
                self.resolve_all = true;
            }
        }
        if configs {
            self.rescan();
        }
    }

    fn folders(&mut self, p: lsp::DidChangeWorkspaceFoldersParams) {
        let removed: Vec<PathBuf> = p
            .event
            .removed
            .iter()
            .filter_map(|f| text::path_of(f.uri.as_str()))
            .collect();
        self.workspace.folders.retain(|f| !removed.contains(f));
        for f in &p.event.added {
            if let Some(path) = text::path_of(f.uri.as_str())
                && !self.workspace.folders.contains(&path)
            {
                self.workspace.folders.push(path);
            }
        }
        self.rescan();
    }

    /// A configuration's text changed: every document is linted again.
    fn config_changed(&mut self) {
        self.configs.reload();
        self.dirty.extend(self.docs.keys().cloned());
        self.resolve_all = true;
    }

    /// Lint what changed, resolve objects across files, publish what is new.
    fn flush(&mut self) {
        if self.dirty.is_empty() && !self.resolve_all {
            return;
        }
        let dirty = std::mem::take(&mut self.dirty);
        for key in &dirty {
            let Some(doc) = self.docs.get(key) else {
                continue;
            };
            if doc.is_config() {
                continue;
            }
            let before = doc
                .analysis
                .as_ref()
                .and_then(|a| a.report.as_ref())
                .is_some_and(|r| !r.objects.is_empty());
            let governed = self.configs.governing(doc.path.as_deref());
            let (path, shown) = match &doc.path {
                Some(p) => (p.clone(), p.to_string_lossy().into_owned()),
                None => (
                    PathBuf::from(doc.uri.as_str()),
                    doc.uri.as_str().to_string(),
                ),
            };
            let analysis = diagnostics::analyse(&path, &shown, &doc.text.text, governed);
            let after = analysis
                .report
                .as_ref()
                .is_some_and(|r| !r.objects.is_empty());
            self.resolve_all |= before || after;
            if let Some(doc) = self.docs.get_mut(key) {
                doc.analysis = Some(analysis);
            }
        }
        self.resolve(&dirty);
        let resolve_all = std::mem::replace(&mut self.resolve_all, false);
        let keys: Vec<String> = self.docs.keys().cloned().collect();
        for key in keys {
            let doc = &self.docs[&key];
            if doc.is_config() {
                continue;
            }
            let Some(analysis) = &doc.analysis else {
                continue;
            };
            // Only a document with objects can gain or lose findings through another file.
            let has_objects = analysis
                .report
                .as_ref()
                .is_some_and(|r| !r.objects.is_empty());
            if !(dirty.contains(&key) || resolve_all && has_objects) {
                continue;
            }
            let diags = diagnostics::diagnostics(&doc.uri, &doc.text, analysis, self.encoding);
            let (uri, version) = (doc.uri.clone(), doc.text.version);
            // A changed document always hears back; another only when its findings moved.
            if dirty.contains(&key) || self.published.get(&key) != Some(&diags) {
                self.publish(&uri, diags, Some(version));
            }
        }
        self.publish_config_problems(&dirty);
    }

    /// Every document's findings with the other files' objects.
    fn resolve(&mut self, dirty: &BTreeSet<String>) {
        let open: Vec<PathBuf> = self.docs.values().filter_map(|d| d.path.clone()).collect();
        let shown: BTreeMap<String, String> = self
            .docs
            .iter()
            .map(|(k, d)| {
                let s = match &d.path {
                    Some(p) => self.workspace.shown(p),
                    None => d.uri.as_str().to_string(),
                };
                (k.clone(), s)
            })
            .collect();
        let mut resolved: Vec<(String, Vec<crate::finding::Finding>)> = Vec::new();
        for (key, doc) in &self.docs {
            let Some(analysis) = &doc.analysis else {
                continue;
            };
            let Some(report) = &analysis.report else {
                continue;
            };
            if !(self.resolve_all || dirty.contains(key)) || report.objects.is_empty() {
                if dirty.contains(key) {
                    resolved.push((key.clone(), report.findings.clone()));
                }
                continue;
            }
            let mut others: Vec<(&str, &crate::frontend::Objects)> = self
                .docs
                .iter()
                .filter(|(k, _)| *k != key)
                .filter_map(|(k, d)| {
                    let r = d.analysis.as_ref()?.report.as_ref()?;
                    (!r.objects.is_empty()).then(|| (shown[k].as_str(), &r.objects))
                })
                .collect();
            others.extend(self.workspace.disk_objects(&open));
            let findings = catch_unwind(AssertUnwindSafe(|| {
                workspace::resolve(report, &shown[key], &others, &analysis.governed.settings)
            }))
            .unwrap_or_else(|_| report.findings.clone());
            resolved.push((key.clone(), findings));
        }
        for (key, findings) in resolved {
            if let Some(a) = self.docs.get_mut(&key).and_then(|d| d.analysis.as_mut()) {
                a.findings = findings;
            }
        }
    }

    /// Each configuration file's mistakes, on that file (cleared once it reads well).
    fn publish_config_problems(&mut self, dirty: &BTreeSet<String>) {
        // Open configuration files are read even when no document is governed by them.
        let open: Vec<PathBuf> = self
            .docs
            .values()
            .filter(|d| d.is_config())
            .filter_map(|d| d.path.clone())
            .collect();
        self.config_files.extend(open);
        let files: Vec<PathBuf> = self.config_files.iter().cloned().collect();
        for path in files {
            let doc = self
                .docs
                .iter()
                .find(|(_, d)| d.path.as_deref() == Some(path.as_path()));
            let (uri, version, key) = match doc {
                Some((k, d)) => (d.uri.clone(), Some(d.text.version), k.clone()),
                None => {
                    let uri_text = text::uri_of(&path);
                    let Ok(uri) = uri_text.parse::<lsp::Uri>() else {
                        continue;
                    };
                    (uri, None, uri_text)
                }
            };
            let gone = version.is_none() && !path.is_file();
            let diags = match self.configs.load(&path) {
                Err(e) if !gone => {
                    let text = match doc {
                        Some((_, d)) => d.text.clone(),
                        None => Text::new(String::from_utf8_lossy(&e.bytes).into_owned(), 0),
                    };
                    diagnostics::config_diagnostics(&text, &e, self.encoding)
                }
                _ => Vec::new(),
            };
            if gone {
                self.config_files.remove(&path);
            }
            if dirty.contains(&key)
                || self
                    .published
                    .get(&key)
                    .map_or(!diags.is_empty(), |p| *p != diags)
            {
                self.publish(&uri, diags, version);
            }
        }
    }

    fn publish(&mut self, uri: &lsp::Uri, diagnostics: Vec<lsp::Diagnostic>, version: Option<i32>) {
        self.published
            .insert(uri.as_str().to_string(), diagnostics.clone());
        let params = lsp::PublishDiagnosticsParams {
            uri: uri.clone(),
            diagnostics,
            version,
        };
        self.out.send(Message::Notification(Notification::new(
            "textDocument/publishDiagnostics".into(),
            params,
        )));
    }

    fn code_action(&mut self, p: lsp::CodeActionParams) -> Value {
        let key = p.text_document.uri.as_str().to_string();
        let Some(doc) = self.docs.get(&key) else {
            return Value::Null;
        };
        let Some(analysis) = &doc.analysis else {
            return Value::Array(Vec::new());
        };
        let req = actions::Request {
            uri: &doc.uri,
            text: &doc.text,
            analysis,
            encoding: self.encoding,
            span: actions::span_of(&doc.text, p.range, self.encoding),
            only: p.context.only.as_deref(),
        };
        serde_json::to_value(actions::actions(&req)).unwrap_or(Value::Null)
    }

    fn hover(&mut self, p: lsp::HoverParams) -> Value {
        let at = p.text_document_position_params;
        let key = at.text_document.uri.as_str().to_string();
        let Some(doc) = self.docs.get(&key) else {
            return Value::Null;
        };
        let Some(analysis) = &doc.analysis else {
            return Value::Null;
        };
        let offset = doc.text.offset(at.position, self.encoding);
        let Some((value, span)) = hover::hover(&doc.text.text, analysis, offset) else {
            return Value::Null;
        };
        let hover = lsp::Hover {
            contents: lsp::HoverContents::Markup(lsp::MarkupContent {
                kind: if self.markdown {
                    lsp::MarkupKind::Markdown
                } else {
                    lsp::MarkupKind::PlainText
                },
                value,
            }),
            range: Some(doc.text.range(span, self.encoding)),
        };
        serde_json::to_value(hover).unwrap_or(Value::Null)
    }
}

#[cfg(test)]
mod tests;
