#!/usr/bin/env python3
"""Median time from didChange to publishDiagnostics in `faaslint lsp` for a generated
2,000-line TypeScript handler (20 changes by default).

usage: python3 bench/lsp_latency.py [path/to/faaslint] [--changes N]
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time


def handler_source(lines: int, salt: int) -> str:
    head = [
        'import { Pool } from "pg";',
        'import { DynamoDBClient } from "@aws-sdk/client-dynamodb";',
        "const client = new DynamoDBClient({});",
    ]
    body = []
    n = 0
    while len(head) + len(body) < lines - 8:
        body += [
            f"function step{n}(input: Record<string, number>): number {{",
            f"  const value = (input.a ?? 0) * {n + salt} + (input.b ?? 0);",
            f'  const label = `step-{n}-${{value}}`;',
            "  return label.length + value;",
            "}",
        ]
        n += 1
    tail = [
        "export const handler = async (event: Record<string, number>) => {",
        "  const pool = new Pool();",
        "  let total = 0;",
        f"  for (let i = 0; i < {n}; i++) total += i;",
        "  return { statusCode: 200, body: JSON.stringify({ total }) };",
        "};",
    ]
    return "\n".join(head + body + tail) + "\n"


def send(proc, message):
    body = json.dumps(message).encode()
    proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    proc.stdin.flush()


def receive(proc):
    length = 0
    while True:
        line = proc.stdout.readline()
        if not line:
            raise SystemExit("the server closed its output")
        line = line.strip()
        if not line:
            break
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    return json.loads(proc.stdout.read(length))


def wait_for(proc, predicate):
    while True:
        message = receive(proc)
        if predicate(message):
            return message


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    binary = os.path.abspath(args[0] if args else "target/release/faaslint")
    changes = int(sys.argv[sys.argv.index("--changes") + 1]) if "--changes" in sys.argv else 20
    with tempfile.TemporaryDirectory() as root:
        path = os.path.join(root, "src", "handler.ts")
        os.makedirs(os.path.dirname(path))
        text = handler_source(2000, 0)
        open(path, "w").write(text)
        uri = "file://" + path
        proc = subprocess.Popen([binary, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=root)
        send(proc, {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"rootUri": "file://" + root, "capabilities": {}}})
        wait_for(proc, lambda m: m.get("id") == 1)
        send(proc, {"jsonrpc": "2.0", "method": "initialized", "params": {}})
        send(proc, {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {"uri": uri, "languageId": "typescript", "version": 1, "text": text}}})
        wait_for(proc, lambda m: m.get("method") == "textDocument/publishDiagnostics")
        timings = []
        for version in range(2, changes + 2):
            changed = handler_source(2000, version)
            start = time.perf_counter()
            send(proc, {"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": changed}]}})
            published = wait_for(proc, lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"].get("version") == version)
            timings.append((time.perf_counter() - start) * 1000)
            assert any(d["code"] == "FL101" for d in published["params"]["diagnostics"])
        send(proc, {"jsonrpc": "2.0", "id": 2, "method": "shutdown"})
        wait_for(proc, lambda m: m.get("id") == 2)
        send(proc, {"jsonrpc": "2.0", "method": "exit"})
        proc.wait(timeout=10)
    lines = text.count("\n")
    print(f"didChange -> publishDiagnostics, {lines}-line TypeScript handler, {changes} changes:")
    print(f"  median {statistics.median(timings):.1f} ms, min {min(timings):.1f} ms, max {max(timings):.1f} ms")


if __name__ == "__main__":
    main()
