// Parses a Mermaid diagram from standard input with Mermaid's own parser, headless (jsdom
// stands in for the browser): prints "ok", or the parse error and exits 1. Installed beside
// its packages by .ci/clients.sh, and run as target/clients/bin/mermaid-parse.
import { JSDOM } from "jsdom";
const dom = new JSDOM("<!doctype html><html><body></body></html>");
globalThis.window = dom.window;
globalThis.document = dom.window.document;
globalThis.DOMParser = dom.window.DOMParser;
const { default: mermaid } = await import("mermaid");
let text = "";
for await (const chunk of process.stdin) text += chunk;
try {
  await mermaid.parse(text);
  console.log("ok");
} catch (e) {
  console.error(String(e.message ?? e));
  process.exit(1);
}
