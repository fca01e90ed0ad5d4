// A minimal MCP stdio client: starts the server command given in
// MCP_COMMAND (JSON array), speaks newline-delimited JSON-RPC 2.0 with it.
"use strict";
const { spawn } = require("node:child_process");

function start(argv, env) {
  const child = spawn(argv[0], argv.slice(1), { env, stdio: ["pipe", "pipe", "pipe"] });
  let buf = "";
  let nextId = 1;
  const waiting = new Map();
  const stderr = [];
  child.stderr.on("data", (d) => stderr.push(String(d)));
  child.stdout.on("data", (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, i).trim();
      buf = buf.slice(i + 1);
      if (!line) continue;
      let msg;
      try { msg = JSON.parse(line); } catch (e) { stderr.push("non-JSON line: " + line + "\n"); continue; }
      if (msg.id !== undefined && waiting.has(msg.id)) {
        const w = waiting.get(msg.id);
        waiting.delete(msg.id);
        clearTimeout(w.timer);
        if (msg.error) w.reject(new Error(`${w.method}: JSON-RPC error ${JSON.stringify(msg.error)}`));
        else w.resolve(msg.result);
      }
    }
  });
  child.on("exit", (code) => {
    for (const w of waiting.values()) w.reject(new Error(`server exited (${code}) during ${w.method}:\n${stderr.join("")}`));
    waiting.clear();
  });
  function request(method, params, timeoutMs = 60000) {
    const id = nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { waiting.delete(id); reject(new Error(`${method}: no answer in ${timeoutMs} ms`)); }, timeoutMs);
      waiting.set(id, { resolve, reject, timer, method });
      child.stdin.write(JSON.stringify({ jsonrpc: "2.0", id, method, params }) + "\n");
    });
  }
  function notify(method, params) {
    child.stdin.write(JSON.stringify({ jsonrpc: "2.0", method, params }) + "\n");
  }
  return { request, notify, stderr, close: () => { child.stdin.end(); child.kill(); } };
}

module.exports = { start };
