//! The language server driven in process over `Connection::memory()`: push and pull
//! diagnostics, hover, the "disable for this line" action, position encodings, half-typed files,
//! template edits that change a handler's findings, and bad input.

mod common;

use common::*;
use lsp_server::{Connection, Message, Notification, Request, RequestId};
use serde_json::{json, Value};
use std::time::Duration;
use tempfile::TempDir;

struct Client {
    connection: Connection,
    next_id: i32,
    server: Option<std::thread::JoinHandle<Result<(), String>>>,
    /// Notifications received while waiting for responses.
    notifications: Vec<Notification>,
}

const TEMPLATE: &str = "Transform: AWS::Serverless-2016-10-31\nResources:\n  ItemsFunction:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: nodejs20.x\n      CodeUri: src/\n      Handler: app.handler\n";

const HANDLER: &str = "import { Pool } from \"pg\";\n\nexport const handler = async () => {\n  const pool = new Pool(); // café ☕\n  return pool;\n};\n\nexport const other = async () => 1;\n";

fn uri(dir: &TempDir, name: &str) -> String {
    format!("file://{}", dir.path().join(name).display())
}

impl Client {
    fn start(dir: &TempDir, capabilities: Value) -> Client {
        let (server_side, client_side) = Connection::memory();
        let server = std::thread::spawn(move || faaslint::lsp::serve(&server_side));
        let mut client = Client {
            connection: client_side,
            next_id: 1,
            server: Some(server),
            notifications: Vec::new(),
        };
        let root = format!("file://{}", dir.path().display());
        let result = client.request(
            "initialize",
            json!({"rootUri": root, "capabilities": capabilities}),
        );
        assert!(result["capabilities"]["hoverProvider"].as_bool().unwrap());
        client.notify("initialized", json!({}));
        client
    }

    fn notify(&self, method: &str, params: Value) {
        self.connection
            .sender
            .send(Message::Notification(Notification::new(
                method.into(),
                params,
            )))
            .unwrap();
    }

    fn request_raw(&mut self, method: &str, params: Value) -> lsp_server::Response {
        let id = RequestId::from(self.next_id);
        self.next_id += 1;
        self.connection
            .sender
            .send(Message::Request(Request::new(
                id.clone(),
                method.into(),
                params,
            )))
            .unwrap();
        loop {
            match self
                .connection
                .receiver
                .recv_timeout(Duration::from_secs(30))
                .expect("the server answers")
            {
                Message::Response(response) if response.id == id => return response,
                Message::Notification(n) => self.notifications.push(n),
                _ => {}
            }
        }
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let response = self.request_raw(method, params);
        match response.response_result {
            Ok(value) => value,
            Err(error) => panic!("{method}: {error:?}"),
        }
    }

    /// The next diagnostics published for `uri`.
    fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        if let Some(index) = self
            .notifications
            .iter()
            .position(|n| n.method == "textDocument/publishDiagnostics" && n.params["uri"] == uri)
        {
            let n = self.notifications.remove(index);
            return n.params["diagnostics"].as_array().unwrap().clone();
        }
        loop {
            match self
                .connection
                .receiver
                .recv_timeout(Duration::from_secs(30))
                .expect("diagnostics are published")
            {
                Message::Notification(n)
                    if n.method == "textDocument/publishDiagnostics" && n.params["uri"] == uri =>
                {
                    return n.params["diagnostics"].as_array().unwrap().clone();
                }
                Message::Notification(n) => self.notifications.push(n),
                _ => {}
            }
        }
    }

    fn open(&self, dir: &TempDir, name: &str, text: &str) {
        self.notify("textDocument/didOpen", json!({"textDocument": {"uri": uri(dir, name), "languageId": "typescript", "version": 1, "text": text}}));
    }

    fn change(&self, dir: &TempDir, name: &str, version: i64, text: &str) {
        self.notify("textDocument/didChange", json!({"textDocument": {"uri": uri(dir, name), "version": version}, "contentChanges": [{"text": text}]}));
    }

    fn stop(mut self) {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        let result = self.server.take().unwrap().join().unwrap();
        assert!(result.is_ok(), "{result:?}");
    }
}

fn workspace() -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "template.yaml", TEMPLATE);
    write(dir.path(), "src/app.ts", HANDLER);
    dir
}

fn codes(diagnostics: &[Value]) -> Vec<String> {
    diagnostics
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn push_hover_disable_action_and_utf16_positions() {
    let dir = workspace();
    let mut client = Client::start(&dir, json!({}));
    client.open(&dir, "src/app.ts", HANDLER);
    let diagnostics = client.diagnostics(&uri(&dir, "src/app.ts"));
    assert_eq!(codes(&diagnostics), ["FL101"]);
    let range = &diagnostics[0]["range"];
    assert_eq!(range["start"], json!({"line": 3, "character": 15}));
    assert_eq!(range["end"], json!({"line": 3, "character": 25}));

    let hover = client.request("textDocument/hover", json!({"textDocument": {"uri": uri(&dir, "src/app.ts")}, "position": {"line": 3, "character": 18}}));
    let text = hover["contents"]["value"].as_str().unwrap();
    assert!(
        text.contains("# FL101 connection-in-handler") && text.contains("## Why is this bad?"),
        "{text}"
    );
    let nothing = client.request("textDocument/hover", json!({"textDocument": {"uri": uri(&dir, "src/app.ts")}, "position": {"line": 0, "character": 0}}));
    assert!(nothing.is_null());

    let actions = client.request("textDocument/codeAction", json!({"textDocument": {"uri": uri(&dir, "src/app.ts")}, "range": range, "context": {"diagnostics": diagnostics}}));
    let action = &actions[0];
    assert_eq!(action["title"], "Disable FL101 for this line");
    let edit = &action["edit"]["changes"][uri(&dir, "src/app.ts")][0];
    assert_eq!(edit["newText"], "  // faaslint: ignore[FL101]\n");
    assert_eq!(edit["range"]["start"], json!({"line": 3, "character": 0}));

    // Apply the edit as the editor would; the finding goes.
    let mut lines: Vec<&str> = HANDLER.lines().collect();
    lines.insert(3, "  // faaslint: ignore[FL101]");
    let suppressed = lines.join("\n") + "\n";
    client.change(&dir, "src/app.ts", 2, &suppressed);
    assert!(client.diagnostics(&uri(&dir, "src/app.ts")).is_empty());
    client.stop();
}

#[test]
fn utf8_positions_when_negotiated_and_pull_diagnostics() {
    let dir = workspace();
    let text = HANDLER.replace(
        "  const pool = new Pool();",
        "  const é☕ = 1; const pool = new Pool();",
    );
    let mut client = Client::start(
        &dir,
        json!({"general": {"positionEncodings": ["utf-8", "utf-16"]}, "textDocument": {"diagnostic": {}}}),
    );
    client.open(&dir, "src/app.ts", &text);
    let report = client.request(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": uri(&dir, "src/app.ts")}}),
    );
    assert_eq!(report["kind"], "full");
    let items = report["items"].as_array().unwrap();
    assert_eq!(codes(items), ["FL101"]);
    // "  const é☕ = 1; const pool = " is 32 bytes (é is 2, ☕ is 3) but 29 UTF-16 units.
    assert_eq!(
        items[0]["range"]["start"],
        json!({"line": 3, "character": 32})
    );
    client.stop();
}

#[test]
fn half_typed_files_keep_last_good_findings_and_template_edits_relink() {
    let dir = workspace();
    let mut client = Client::start(&dir, json!({}));
    client.open(&dir, "src/app.ts", HANDLER);
    assert_eq!(
        codes(&client.diagnostics(&uri(&dir, "src/app.ts"))),
        ["FL101"]
    );

    // Typing a new line that does not parse yet: the syntax error, and the Pool finding stays.
    let half = HANDLER.replace("  return pool;\n", "  return pool;\n  const x = (\n");
    client.change(&dir, "src/app.ts", 2, &half);
    let mut found = codes(&client.diagnostics(&uri(&dir, "src/app.ts")));
    found.sort();
    assert_eq!(found, ["FL000", "FL101"]);

    // Back to valid code; then the template points the function at `other`, which opens nothing.
    client.change(&dir, "src/app.ts", 3, HANDLER);
    assert_eq!(
        codes(&client.diagnostics(&uri(&dir, "src/app.ts"))),
        ["FL101"]
    );
    let template = TEMPLATE.replace("Handler: app.handler", "Handler: app.other");
    client.notify("textDocument/didOpen", json!({"textDocument": {"uri": uri(&dir, "template.yaml"), "languageId": "yaml", "version": 1, "text": template}}));
    assert!(
        client.diagnostics(&uri(&dir, "src/app.ts")).is_empty(),
        "the handler is now `other`"
    );
    client.stop();
}

#[test]
fn bad_requests_get_errors_and_the_server_goes_on() {
    let dir = workspace();
    let mut client = Client::start(&dir, json!({}));
    let bad = client.request_raw("textDocument/hover", json!({"textDocument": {"uri": 42}}));
    assert_eq!(
        bad.response_result.unwrap_err().code,
        lsp_server::ErrorCode::InvalidParams as i32
    );
    let unknown = client.request_raw("textDocument/rename", json!({}));
    assert_eq!(
        unknown.response_result.unwrap_err().code,
        lsp_server::ErrorCode::MethodNotFound as i32
    );
    client.open(&dir, "src/app.ts", HANDLER);
    assert_eq!(
        codes(&client.diagnostics(&uri(&dir, "src/app.ts"))),
        ["FL101"]
    );
    client.stop();
}

#[test]
fn malformed_json_over_stdio_gets_a_parse_error_and_the_session_goes_on() {
    use std::io::{Read, Write};
    use std::process::{Command, Stdio};
    let dir = workspace();
    let mut child = Command::new(env!("CARGO_BIN_EXE_faaslint"))
        .arg("lsp")
        .current_dir(dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let frame = |body: &str| format!("Content-Length: {}\r\n\r\n{body}", body.len());
    let root = format!("file://{}", dir.path().display());
    let messages = [
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"rootUri": root, "capabilities": {}}}).to_string(),
        "{this is not json".to_string(),
        json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}).to_string(),
        json!({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}).to_string(),
        json!({"jsonrpc": "2.0", "method": "exit"}).to_string(),
    ];
    for message in messages {
        stdin.write_all(frame(&message).as_bytes()).unwrap();
    }
    drop(stdin);
    let mut output = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut output)
        .unwrap();
    let status = child.wait().unwrap();
    assert!(status.success());
    assert!(output.contains("\"code\":-32700"), "{output}");
    assert!(
        output.contains("\"id\":2,\"result\":null"),
        "the shutdown after the bad message is answered: {output}"
    );
}

#[test]
fn neovim_shows_hovers_and_disables_a_finding() {
    let Some(nvim) = common::clients::client("nvim") else {
        return;
    };
    let dir = workspace();
    let out = dir.path().join("nvim-result.json");
    let mut child = std::process::Command::new(nvim)
        .args(["--headless", "--clean", "-n", "-c"])
        .arg(format!(
            "luafile {}",
            repo_root().join("tests/clients/nvim_lsp.lua").display()
        ))
        .env("FAASLINT_ROOT", dir.path())
        .env("FAASLINT_BIN", env!("CARGO_BIN_EXE_faaslint"))
        .env("FAASLINT_OUT", &out)
        .env("XDG_STATE_HOME", dir.path().join("state"))
        .env("XDG_DATA_HOME", dir.path().join("data"))
        .stdin(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(90) {
            let _ = child.kill();
            panic!("Neovim did not finish");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let result: Value =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("Neovim wrote its result"))
            .unwrap();
    assert!(result["error"].is_null(), "{result}");
    assert_eq!(result["codes"], json!(["FL101"]), "{result}");
    assert_eq!(result["line"], 3);
    assert!(
        result["hover"]
            .as_str()
            .unwrap()
            .contains("## Why is this bad?"),
        "{result}"
    );
    assert_eq!(result["action"], "Disable FL101 for this line");
    assert_eq!(result["inserted"], "  // faaslint: ignore[FL101]");
    assert_eq!(
        result["gone"], true,
        "the finding goes once the comment is in: {result}"
    );
    eprintln!("driven: Neovim {}", result["nvim"]);
}

#[test]
fn hover_over_a_function_shows_its_edges_in_the_event_graph() {
    let dir = tempfile::tempdir().unwrap();
    let template = "Transform: AWS::Serverless-2016-10-31\nResources:\n  Jobs:\n    Type: AWS::SQS::Queue\n  Results:\n    Type: AWS::SQS::Queue\n  Worker:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: nodejs22.x\n      CodeUri: src/\n      Handler: app.handler\n      Environment:\n        Variables:\n          RESULTS_URL: !Ref Results\n      Events:\n        Q:\n          Type: SQS\n          Properties:\n            Queue: !GetAtt Jobs.Arn\n";
    let handler = "import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';\nconst sqs = new SQSClient({});\nexport const handler = async (event) => {\n  await sqs.send(new SendMessageCommand({ QueueUrl: process.env.RESULTS_URL, MessageBody: 'done' }));\n};\n";
    write(dir.path(), "template.yaml", template);
    write(dir.path(), "src/app.mjs", handler);
    let mut client = Client::start(&dir, json!({}));
    client.open(&dir, "template.yaml", template);
    client.diagnostics(&uri(&dir, "template.yaml"));
    let hover = client.request("textDocument/hover", json!({"textDocument": {"uri": uri(&dir, "template.yaml")}, "position": {"line": 6, "character": 4}}));
    let text = hover["contents"]["value"].as_str().unwrap_or_default();
    assert!(text.starts_with("**Worker**"), "{hover}");
    assert!(
        text.contains("- triggered by queue `Jobs` (template.yaml:17)"),
        "{text}"
    );
    assert!(
        text.contains("- writes to queue `Results` (src/app.mjs:4)"),
        "{text}"
    );
    // Elsewhere in the template, no hover.
    let nothing = client.request("textDocument/hover", json!({"textDocument": {"uri": uri(&dir, "template.yaml")}, "position": {"line": 0, "character": 0}}));
    assert!(nothing.is_null());
    client.stop();
}
