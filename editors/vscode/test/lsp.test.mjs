// Drives faaslint's language server as the extension starts it (src/server.ts, compiled), with the
// requests vscode-languageclient 9 sends: initialize with its capabilities (pull diagnostics,
// markdown hovers, quick fixes, UTF-16 positions), didOpen, a diagnostic pull, a hover, a code
// action, shutdown and exit. FAASLINT_PATH is the binary (the `faaslint.path` setting),
// FAASLINT_FIXTURE a project folder holding template.yaml with a plaintext secret.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import rpc from "vscode-jsonrpc/node.js";

const require = createRequire(import.meta.url);
const { serverCommand, documentSelector } = require("../out/server.js");

const fixture = process.env.FAASLINT_FIXTURE;
const binary = process.env.FAASLINT_PATH;

test("the extension's server command starts faaslint lsp with the extra arguments", () => {
  assert.deepEqual(serverCommand({ path: "", args: [] }, "linux"), { command: "faaslint", args: ["lsp"] });
  assert.deepEqual(serverCommand({ path: "", args: [] }, "win32"), { command: "faaslint.exe", args: ["lsp"] });
  assert.deepEqual(serverCommand({ path: " /opt/faaslint ", args: ["--threads", "2"] }, "linux"), {
    command: "/opt/faaslint",
    args: ["lsp", "--threads", "2"],
  });
  assert.ok(documentSelector.some((d) => d.language === "yaml" && d.scheme === "file"));
});

test("diagnostics, hover and the suppression quick fix through the extension's messages", async (t) => {
  if (!binary || !fixture) {
    t.skip("FAASLINT_PATH and FAASLINT_FIXTURE are not set");
    return;
  }
  const { command, args } = serverCommand({ path: binary, args: [] });
  const server = spawn(command, args, { stdio: ["pipe", "pipe", "inherit"] });
  const exited = new Promise((resolve) => server.on("exit", (code) => resolve(code)));
  const connection = rpc.createMessageConnection(
    new rpc.StreamMessageReader(server.stdout),
    new rpc.StreamMessageWriter(server.stdin),
  );
  // Requests the server may send the client, answered as vscode-languageclient does.
  connection.onRequest("client/registerCapability", () => null);
  connection.onRequest("workspace/diagnostic/refresh", () => null);
  connection.onRequest("workspace/configuration", (params) => params.items.map(() => null));
  connection.listen();

  const rootUri = pathToFileURL(fixture).href;
  const initialized = await connection.sendRequest("initialize", {
    processId: process.pid,
    clientInfo: { name: "Visual Studio Code", version: "1.82.0" },
    locale: "en",
    rootPath: fixture,
    rootUri,
    workspaceFolders: [{ uri: rootUri, name: "fixture" }],
    capabilities: {
      general: { positionEncodings: ["utf-16"], markdown: { parser: "marked", version: "1.1.0" } },
      workspace: {
        configuration: true,
        workspaceFolders: true,
        didChangeWatchedFiles: { dynamicRegistration: true, relativePatternSupport: true },
        diagnostics: { refreshSupport: true },
      },
      textDocument: {
        synchronization: { dynamicRegistration: true, willSave: true, willSaveWaitUntil: true, didSave: true },
        publishDiagnostics: {
          relatedInformation: true,
          versionSupport: false,
          tagSupport: { valueSet: [1, 2] },
          codeDescriptionSupport: true,
          dataSupport: true,
        },
        diagnostic: { dynamicRegistration: true, relatedDocumentSupport: false },
        hover: { dynamicRegistration: true, contentFormat: ["markdown", "plaintext"] },
        codeAction: {
          dynamicRegistration: true,
          isPreferredSupport: true,
          disabledSupport: true,
          dataSupport: true,
          resolveSupport: { properties: ["edit"] },
          codeActionLiteralSupport: {
            codeActionKind: {
              valueSet: ["", "quickfix", "refactor", "refactor.extract", "refactor.inline", "refactor.rewrite", "source", "source.organizeImports"],
            },
          },
          honorsChangeAnnotations: false,
        },
      },
    },
    trace: "off",
  });
  assert.equal(initialized.capabilities.positionEncoding, "utf-16");
  assert.ok(initialized.capabilities.diagnosticProvider, "pull diagnostics for a client that pulls");
  assert.equal(initialized.capabilities.hoverProvider, true);
  connection.sendNotification("initialized", {});

  const path = join(fixture, "template.yaml");
  const uri = pathToFileURL(path).href;
  const text = readFileSync(path, "utf8");
  connection.sendNotification("textDocument/didOpen", {
    textDocument: { uri, languageId: "yaml", version: 1, text },
  });

  const report = await connection.sendRequest("textDocument/diagnostic", { textDocument: { uri } });
  assert.equal(report.kind, "full");
  const secret = report.items.find((d) => d.code === "FL201");
  assert.ok(secret, JSON.stringify(report.items.map((d) => d.code)));
  assert.equal(secret.source, "faaslint");
  assert.match(secret.message, /environment variable/);
  const written = text.split("\n")[secret.range.start.line].slice(secret.range.start.character, secret.range.end.character);
  assert.ok(written.length > 4, "the range covers the value");
  assert.ok(!secret.message.includes(written), "the message never shows the secret");

  const hover = await connection.sendRequest("textDocument/hover", {
    textDocument: { uri },
    position: secret.range.start,
  });
  assert.equal(hover.contents.kind, "markdown");
  assert.match(hover.contents.value, /FL201/);

  const actions = await connection.sendRequest("textDocument/codeAction", {
    textDocument: { uri },
    range: secret.range,
    context: { diagnostics: [secret], triggerKind: 1 },
  });
  const fix = actions.find((a) => a.title.includes("FL201"));
  assert.ok(fix, JSON.stringify(actions.map((a) => a.title)));
  assert.equal(fix.kind, "quickfix");
  const edit = fix.edit.changes ? fix.edit.changes[uri] : fix.edit.documentChanges[0].edits;
  assert.match(edit[0].newText, /faaslint: ignore\[FL201\]|FL201/);

  await connection.sendRequest("shutdown");
  connection.sendNotification("exit");
  assert.equal(await exited, 0);
  connection.dispose();
});
