//! `faaslint lsp`: a language server on stdio (lsp-server, as rust-analyzer and ruff use).
//!
//! Every change re-lints the workspace with the open buffers laid over the files on disk, so the
//! template-to-handler links stay current: edit `template.yaml` and the open handler files'
//! diagnostics follow. While a buffer does not parse, its last good findings on unchanged lines
//! are kept beside the syntax error instead of the editor going blank.

use crate::diagnostic::Severity;
use crate::source::{SourceFile, Span};
use crate::{rules, CheckOptions, Report};
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// How the client counts columns.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Encoding {
    Utf8,
    Utf16,
}

/// One finding as the editor sees it, with what hover and code actions need.
#[derive(Clone, Debug)]
struct Finding {
    code: &'static str,
    range: Value,
    start_line: usize,
    line_text: String,
    lsp: Value,
}

struct Document {
    text: String,
    version: i64,
}

pub struct Server {
    root: PathBuf,
    encoding: Encoding,
    pull: bool,
    /// The client asks again for pulled diagnostics when told (`workspace/diagnostic/refresh`).
    refresh: bool,
    next_request: i32,
    documents: HashMap<PathBuf, Document>,
    files: Vec<PathBuf>,
    findings: HashMap<PathBuf, Vec<Finding>>,
    /// Findings of the last lint in which the file parsed.
    last_good: HashMap<PathBuf, Vec<Finding>>,
    /// Each template function's place and what its hover shows: the event graph's edges into
    /// and out of it.
    connections: HashMap<PathBuf, Vec<(Value, String)>>,
}

/// Runs the server on stdin/stdout until the client says exit.
pub fn run_stdio() -> Result<(), String> {
    let (connection, threads) = tolerant_stdio();
    let result = serve(&connection);
    drop(connection);
    threads
        .join()
        .map_err(|_| "an I/O thread failed".to_string())?;
    result
}

/// Like `Connection::stdio`, but a malformed message gets a JSON-RPC parse error back instead of
/// ending the session.
fn tolerant_stdio() -> (Connection, std::thread::JoinHandle<()>) {
    let (to_client, from_server) = crossbeam_channel::unbounded::<Message>();
    let (to_server, from_client) = crossbeam_channel::unbounded::<Message>();
    let stdout = Arc::new(Mutex::new(std::io::stdout()));
    let writer_out = Arc::clone(&stdout);
    let writer = std::thread::spawn(move || {
        for message in from_server {
            let mut out = writer_out.lock().expect("stdout lock");
            if message.write(&mut *out).is_err() {
                break;
            }
        }
    });
    std::thread::spawn(move || {
        let stdin = std::io::stdin();
        let mut input = stdin.lock();
        while let Some(body) = read_frame(&mut input) {
            match serde_json::from_str::<Message>(&body) {
                Ok(message) => {
                    let exit = matches!(&message, Message::Notification(n) if n.method == "exit");
                    if to_server.send(message).is_err() || exit {
                        break;
                    }
                }
                Err(error) => {
                    let reply = json!({"jsonrpc": "2.0", "id": null, "error": {
                        "code": ErrorCode::ParseError as i32,
                        "message": format!("malformed message: {error}")}});
                    let text = reply.to_string();
                    let mut out = stdout.lock().expect("stdout lock");
                    let _ = write!(out, "Content-Length: {}\r\n\r\n{text}", text.len());
                    let _ = out.flush();
                }
            }
        }
    });
    (
        Connection {
            sender: to_client,
            receiver: from_client,
        },
        writer,
    )
}

/// One `Content-Length` framed body; `None` at end of input.
fn read_frame(input: &mut impl BufRead) -> Option<String> {
    let mut length = None;
    loop {
        let mut header = String::new();
        if input.read_line(&mut header).ok()? == 0 {
            return None;
        }
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some(value) = header.strip_prefix("Content-Length:") {
            length = value.trim().parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    input.read_exact(&mut body).ok()?;
    Some(String::from_utf8_lossy(&body).into_owned())
}

/// The server loop over any connection (stdio, or in memory for tests).
pub fn serve(connection: &Connection) -> Result<(), String> {
    let (id, params) = connection.initialize_start().map_err(|e| e.to_string())?;
    let mut server = Server::new(&params);
    let capabilities = server.capabilities();
    connection
        .initialize_finish(id, json!({"capabilities": capabilities, "serverInfo": {"name": "faaslint", "version": env!("CARGO_PKG_VERSION")}}))
        .map_err(|e| e.to_string())?;
    server.refresh_files();
    for message in &connection.receiver {
        match message {
            Message::Request(request) => {
                if connection
                    .handle_shutdown(&request)
                    .map_err(|e| e.to_string())?
                {
                    return Ok(());
                }
                let response = server.request(request);
                let _ = connection.sender.send(Message::Response(response));
            }
            Message::Notification(notification) => {
                for message in server.notification(notification) {
                    let _ = connection.sender.send(message);
                }
            }
            Message::Response(_) => {}
        }
    }
    Ok(())
}

fn uri_to_path(uri: &str) -> Option<PathBuf> {
    let bytes: Vec<u8> =
        percent_encoding::percent_decode_str(uri.strip_prefix("file://")?).collect();
    // On Unix, the raw bytes: a file name that is not UTF-8 keeps its real name.
    #[cfg(unix)]
    let path =
        PathBuf::from(<std::ffi::OsString as std::os::unix::ffi::OsStringExt>::from_vec(bytes));
    #[cfg(not(unix))]
    let path = PathBuf::from(String::from_utf8_lossy(&bytes).into_owned());
    Some(path)
}

fn path_to_uri(path: &Path) -> String {
    // On Unix, the raw bytes: a file name that is not UTF-8 keeps its real name.
    #[cfg(unix)]
    let bytes = std::os::unix::ffi::OsStrExt::as_bytes(path.as_os_str()).to_vec();
    #[cfg(not(unix))]
    let bytes = path.to_string_lossy().into_owned().into_bytes();
    format!("file://{}", crate::source::uri_path(&bytes))
}

/// The comment that starts a suppression in this file, if it can hold comments.
fn comment_prefix(path: &Path) -> Option<&'static str> {
    match path.extension()?.to_str()? {
        "py" | "yaml" | "yml" | "toml" | "tf" => Some("#"),
        "ts" | "tsx" | "mts" | "cts" | "js" | "jsx" | "mjs" | "cjs" | "rs" | "jsonc" | "go"
        | "java" | "cs" => Some("//"),
        _ => None,
    }
}

impl Server {
    fn new(params: &Value) -> Server {
        let root = params["rootUri"]
            .as_str()
            .or_else(|| params["workspaceFolders"][0]["uri"].as_str())
            .and_then(uri_to_path)
            .or_else(|| params["rootPath"].as_str().map(PathBuf::from))
            .unwrap_or_else(|| std::env::current_dir().unwrap_or_default());
        let encodings = params["capabilities"]["general"]["positionEncodings"].as_array();
        let utf8 = encodings.is_some_and(|list| list.iter().any(|e| e == "utf-8"));
        Server {
            root,
            encoding: if utf8 {
                Encoding::Utf8
            } else {
                Encoding::Utf16
            },
            pull: params["capabilities"]["textDocument"]["diagnostic"].is_object(),
            refresh: params["capabilities"]["workspace"]["diagnostics"]["refreshSupport"].as_bool()
                == Some(true),
            next_request: 0,
            documents: HashMap::new(),
            files: Vec::new(),
            findings: HashMap::new(),
            last_good: HashMap::new(),
            connections: HashMap::new(),
        }
    }

    fn capabilities(&self) -> Value {
        let mut capabilities = json!({
            "positionEncoding": if self.encoding == Encoding::Utf8 { "utf-8" } else { "utf-16" },
            "textDocumentSync": {"openClose": true, "change": 1, "save": {"includeText": false}},
            "hoverProvider": true,
            "codeActionProvider": {"codeActionKinds": ["quickfix"]},
        });
        if self.pull {
            capabilities["diagnosticProvider"] =
                json!({"interFileDependencies": true, "workspaceDiagnostics": false});
        }
        capabilities
    }

    /// The workspace's lintable files (walked again when files are saved, created or deleted).
    fn refresh_files(&mut self) {
        let settings = crate::config::Settings::discover(&self.root)
            .and_then(|file| crate::config::Settings::load(&file).ok())
            .unwrap_or_else(|| crate::config::Settings::defaults(self.root.clone()));
        self.files = crate::walk::walk(&self.root, &settings).files;
    }

    fn request(&mut self, request: Request) -> Response {
        let id = request.id.clone();
        let result = match request.method.as_str() {
            "textDocument/hover" => self.hover(&request.params),
            "textDocument/codeAction" => self.code_actions(&request.params),
            "textDocument/diagnostic" => self.pull_diagnostics(&request.params),
            other => {
                return Response::new_err(
                    id,
                    ErrorCode::MethodNotFound as i32,
                    format!("faaslint does not handle `{other}`"),
                )
            }
        };
        match result {
            Ok(value) => Response::new_ok(id, value),
            Err(message) => Response::new_err(id, ErrorCode::InvalidParams as i32, message),
        }
    }

    fn notification(&mut self, notification: Notification) -> Vec<Message> {
        let params = &notification.params;
        let path = params["textDocument"]["uri"].as_str().and_then(uri_to_path);
        match (notification.method.as_str(), path) {
            ("textDocument/didOpen", Some(path)) => {
                let text = params["textDocument"]["text"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                let version = params["textDocument"]["version"].as_i64().unwrap_or(0);
                if !self.files.contains(&path) {
                    self.files.push(path.clone());
                }
                self.documents.insert(path, Document { text, version });
            }
            ("textDocument/didChange", Some(path)) => {
                // Full sync: the last change holds the whole text.
                let Some(text) = params["contentChanges"]
                    .as_array()
                    .and_then(|c| c.last())
                    .and_then(|c| c["text"].as_str())
                else {
                    return Vec::new();
                };
                let version = params["textDocument"]["version"].as_i64().unwrap_or(0);
                self.documents.insert(
                    path,
                    Document {
                        text: text.to_string(),
                        version,
                    },
                );
            }
            ("textDocument/didSave", Some(_)) | ("workspace/didChangeWatchedFiles", _) => {
                self.refresh_files()
            }
            ("textDocument/didClose", Some(path)) => {
                self.documents.remove(&path);
                self.findings.remove(&path);
                return vec![publish(&path, None, Vec::new())];
            }
            _ => return Vec::new(),
        }
        self.lint();
        self.publish_all()
    }

    /// Lints the workspace with the open buffers over the disk.
    fn lint(&mut self) {
        let options = CheckOptions {
            paths: vec![self.root.clone()],
            files: Some(self.files.clone()),
            overlays: self
                .documents
                .iter()
                .map(|(p, d)| (p.clone(), d.text.clone()))
                .collect(),
            ..CheckOptions::default()
        };
        let Ok(report) = crate::check(&options) else {
            return;
        };
        let mut findings: HashMap<PathBuf, Vec<Finding>> = HashMap::new();
        for diagnostic in &report.diagnostics {
            let finding = self.finding(&report, diagnostic);
            let path =
                std::path::absolute(&report.project.file(diagnostic.file).path).unwrap_or_default();
            findings.entry(path).or_default().push(finding);
        }
        for path in self.documents.keys() {
            let current = findings.entry(path.clone()).or_default();
            let broken = current.iter().any(|f| f.code == "FL000");
            if broken {
                // Keep the last good findings whose line did not change.
                let text = &self.documents[path].text;
                let kept: Vec<Finding> = self
                    .last_good
                    .get(path)
                    .map(|good| {
                        good.iter()
                            .filter(|f| {
                                text.lines().nth(f.start_line) == Some(f.line_text.as_str())
                            })
                            .cloned()
                            .collect()
                    })
                    .unwrap_or_default();
                current.extend(kept);
            } else {
                self.last_good.insert(path.clone(), current.clone());
            }
        }
        self.findings = findings;
        self.connections = self.connections_of(&report);
    }

    /// For every template function, the edges of the event graph into and out of it, as the
    /// hover over its name shows them.
    fn connections_of(&self, report: &crate::Report) -> HashMap<PathBuf, Vec<(Value, String)>> {
        let graph = &report.graph;
        // Paths as the workspace sees them.
        let place = |file, span: Span| {
            let source = report.project.file(file);
            let line = source.position(span.start as usize).line;
            let absolute = std::path::absolute(&source.path).unwrap_or_default();
            let shown = absolute
                .strip_prefix(&self.root)
                .map(|p| p.to_string_lossy().replace('\\', "/"))
                .unwrap_or_else(|_| source.display.clone());
            format!("{}:{line}", crate::render::escape_deceptive(&shown))
        };
        let mut out: HashMap<PathBuf, Vec<(Value, String)>> = HashMap::new();
        for (index, node) in graph.nodes.iter().enumerate() {
            let (Some(_), Some((file, span))) = (node.function, node.at) else {
                continue;
            };
            let mut lines = vec![format!(
                "**{}**",
                crate::render::escape_deceptive(&node.name)
            )];
            for edge in graph.edges_of(index) {
                let (verb, other) = match (edge.to == index, edge.kind) {
                    (true, crate::graph::EdgeKind::Triggers) => ("triggered by", edge.from),
                    (true, _) => ("invoked by", edge.from),
                    (false, crate::graph::EdgeKind::Writes) => ("writes to", edge.to),
                    (false, _) => ("invokes", edge.to),
                };
                let other = &graph.nodes[other];
                lines.push(format!(
                    "- {verb} {} `{}` ({})",
                    other.kind.as_str(),
                    crate::render::escape_deceptive(&other.name),
                    place(edge.file, edge.span)
                ));
            }
            if lines.len() == 1 {
                lines.push("- no triggers or writes found".to_string());
            }
            let source = report.project.file(file);
            let path = std::path::absolute(&source.path).unwrap_or_default();
            out.entry(path)
                .or_default()
                .push((self.range(source, span), lines.join("\n")));
        }
        out
    }

    fn publish_all(&mut self) -> Vec<Message> {
        if self.pull {
            // The client asks; tell it to ask again, since other files may have changed.
            if !self.refresh {
                return Vec::new();
            }
            self.next_request += 1;
            let id = RequestId::from(format!("faaslint-refresh-{}", self.next_request));
            return vec![Message::Request(Request::new(
                id,
                "workspace/diagnostic/refresh".into(),
                Value::Null,
            ))];
        }
        self.documents
            .iter()
            .map(|(path, document)| {
                let items = self
                    .findings
                    .get(path)
                    .map(|f| f.iter().map(|f| f.lsp.clone()).collect())
                    .unwrap_or_default();
                publish(path, Some(document.version), items)
            })
            .collect()
    }

    fn position(&self, file: &SourceFile, offset: usize) -> Value {
        let (line, before) = file.lines.line_and_prefix(&file.text, offset);
        let character = match self.encoding {
            Encoding::Utf8 => before.len(),
            Encoding::Utf16 => before.encode_utf16().count(),
        };
        json!({"line": line, "character": character})
    }

    fn range(&self, file: &SourceFile, span: Span) -> Value {
        json!({"start": self.position(file, span.start as usize), "end": self.position(file, span.end as usize)})
    }

    fn finding(&self, report: &Report, d: &crate::diagnostic::Diagnostic) -> Finding {
        let source = report.project.file(d.file);
        let range = self.range(source, d.span);
        let start_line = source.line_number(d.span.start as usize) - 1;
        let related: Vec<Value> = d
            .related
            .iter()
            .map(|r| {
                let file = report.project.file(r.file);
                let path = std::path::absolute(&file.path).unwrap_or_default();
                json!({"location": {"uri": path_to_uri(&path), "range": self.range(file, r.span)}, "message": r.message})
            })
            .collect();
        let severity = match d.severity {
            Severity::Error => 1,
            Severity::Warning => 2,
            Severity::Info => 3,
        };
        let mut message = d.message.clone();
        if let Some(help) = &d.help {
            message.push('\n');
            message.push_str(help);
        }
        let lsp = json!({
            "range": range,
            "severity": severity,
            "code": d.code,
            "source": "faaslint",
            "message": message,
            "relatedInformation": related,
            "data": {"name": d.name},
        });
        Finding {
            code: d.code,
            range,
            start_line,
            line_text: source.line_text(start_line + 1).to_string(),
            lsp,
        }
    }

    fn document_path(params: &Value) -> Result<PathBuf, String> {
        params["textDocument"]["uri"]
            .as_str()
            .and_then(uri_to_path)
            .ok_or_else(|| "textDocument.uri must be a file:// URI".to_string())
    }

    fn at(params: &Value, key: &str) -> Result<(u64, u64), String> {
        let position = &params[key];
        match (position["line"].as_u64(), position["character"].as_u64()) {
            (Some(line), Some(character)) => Ok((line, character)),
            _ => Err(format!(
                "`{key}` must be a position with line and character"
            )),
        }
    }

    fn hover(&self, params: &Value) -> Result<Value, String> {
        let path = Self::document_path(params)?;
        let (line, character) = Self::at(params, "position")?;
        let finding = self.findings.get(&path).and_then(|findings| {
            findings
                .iter()
                .find(|f| contains(&f.range, line, character))
        });
        let connection = || {
            self.connections.get(&path).and_then(|functions| {
                functions
                    .iter()
                    .find(|(range, _)| contains(range, line, character))
            })
        };
        Ok(match finding {
            Some(finding) => {
                let doc = rules::find(finding.code).map_or("", |r| r.doc);
                json!({"contents": {"kind": "markdown", "value": format!("{}\n\n---\n\n{doc}", finding.lsp["message"].as_str().unwrap_or_default())}, "range": finding.range})
            }
            None => match connection() {
                Some((range, text)) => {
                    json!({"contents": {"kind": "markdown", "value": text}, "range": range})
                }
                None => Value::Null,
            },
        })
    }

    fn code_actions(&self, params: &Value) -> Result<Value, String> {
        let path = Self::document_path(params)?;
        let (first, _) = Self::at(&params["range"], "start")?;
        let (last, _) = Self::at(&params["range"], "end")?;
        let Some(prefix) = comment_prefix(&path) else {
            return Ok(json!([]));
        };
        let text = self
            .documents
            .get(&path)
            .map(|d| d.text.as_str())
            .unwrap_or_default();
        let uri = path_to_uri(&path);
        let mut actions = Vec::new();
        let mut seen = Vec::new();
        for finding in self.findings.get(&path).into_iter().flatten() {
            let line = finding.start_line as u64;
            if line < first
                || line > last
                || seen.contains(&(finding.code, line))
                || finding.code == "FL000"
            {
                continue;
            }
            seen.push((finding.code, line));
            let line_text = text.lines().nth(finding.start_line).unwrap_or_default();
            let indent: String = line_text
                .chars()
                .take_while(|c| c.is_whitespace())
                .collect();
            let insert = format!("{indent}{prefix} faaslint: ignore[{}]\n", finding.code);
            let at = json!({"line": line, "character": 0});
            actions.push(json!({
                "title": format!("Disable {} for this line", finding.code),
                "kind": "quickfix",
                "diagnostics": [finding.lsp],
                "edit": {"changes": {uri.clone(): [{"range": {"start": at, "end": at}, "newText": insert}]}}
            }));
        }
        Ok(Value::Array(actions))
    }

    fn pull_diagnostics(&self, params: &Value) -> Result<Value, String> {
        let path = Self::document_path(params)?;
        let items: Vec<Value> = self
            .findings
            .get(&path)
            .map(|f| f.iter().map(|f| f.lsp.clone()).collect())
            .unwrap_or_default();
        Ok(json!({"kind": "full", "items": items}))
    }
}

fn contains(range: &Value, line: u64, character: u64) -> bool {
    let point = |p: &Value| {
        (
            p["line"].as_u64().unwrap_or(0),
            p["character"].as_u64().unwrap_or(0),
        )
    };
    let (start, end) = (point(&range["start"]), point(&range["end"]));
    start <= (line, character) && (line, character) <= end
}

fn publish(path: &Path, version: Option<i64>, diagnostics: Vec<Value>) -> Message {
    let mut params = json!({"uri": path_to_uri(path), "diagnostics": diagnostics});
    if let Some(version) = version {
        params["version"] = json!(version);
    }
    Message::Notification(Notification::new(
        "textDocument/publishDiagnostics".into(),
        params,
    ))
}
