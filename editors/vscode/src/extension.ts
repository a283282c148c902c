// Starts `faaslint lsp` through vscode-languageclient: diagnostics, hovers and the suppression
// quick fix come from the server. Restarts when a faaslint setting changes.
import * as vscode from "vscode";
import { LanguageClient, LanguageClientOptions, ServerOptions } from "vscode-languageclient/node";
import { documentSelector, serverCommand } from "./server";

let client: LanguageClient | undefined;

function settings(): { enable: boolean; path: string; args: string[] } {
  const config = vscode.workspace.getConfiguration("faaslint");
  return {
    enable: config.get<boolean>("enable", true),
    path: config.get<string>("path", ""),
    args: config.get<string[]>("args", []),
  };
}

async function start(output: vscode.OutputChannel): Promise<void> {
  const current = settings();
  if (!current.enable) {
    output.appendLine("faaslint is turned off in this workspace (faaslint.enable).");
    return;
  }
  const { command, args } = serverCommand(current);
  const serverOptions: ServerOptions = { command, args };
  const clientOptions: LanguageClientOptions = {
    documentSelector,
    outputChannel: output,
    synchronize: {
      fileEvents: vscode.workspace.createFileSystemWatcher("**/{faaslint.toml,.faaslint.toml}"),
    },
  };
  client = new LanguageClient("faaslint", "faaslint", serverOptions, clientOptions);
  try {
    await client.start();
  } catch (error) {
    client = undefined;
    const message =
      `faaslint could not start \`${command} lsp\`: ${error instanceof Error ? error.message : String(error)}. ` +
      "Install faaslint (pip, npm or a release binary) or set faaslint.path.";
    output.appendLine(message);
    void vscode.window.showErrorMessage(message);
  }
}

async function stop(): Promise<void> {
  const running = client;
  client = undefined;
  if (running) {
    await running.stop();
  }
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel("faaslint");
  context.subscriptions.push(output);
  context.subscriptions.push(
    vscode.commands.registerCommand("faaslint.restart", async () => {
      await stop();
      await start(output);
    }),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (event.affectsConfiguration("faaslint")) {
        await stop();
        await start(output);
      }
    }),
  );
  await start(output);
}

export function deactivate(): Promise<void> {
  return stop();
}
