// How the extension starts faaslint's language server: which binary, with which arguments. Kept
// apart from the VS Code API so the Node test starts the server exactly as the extension does.

export interface Settings {
  /** `faaslint.path`: the binary; empty for `faaslint` on PATH. */
  path: string;
  /** `faaslint.args`: extra arguments after `faaslint lsp`. */
  args: string[];
}

export interface ServerCommand {
  command: string;
  args: string[];
}

export function serverCommand(settings: Settings, platform: string = process.platform): ServerCommand {
  const configured = settings.path.trim();
  const command = configured !== "" ? configured : platform === "win32" ? "faaslint.exe" : "faaslint";
  return { command, args: ["lsp", ...settings.args] };
}

/** The documents faaslint reads: templates, configurations and handler code, on disk. */
export const documentSelector = [
  "yaml",
  "json",
  "jsonc",
  "typescript",
  "typescriptreact",
  "javascript",
  "javascriptreact",
  "python",
  "rust",
  "go",
  "java",
  "csharp",
  "terraform",
  "toml",
].map((language) => ({ scheme: "file", language }));
