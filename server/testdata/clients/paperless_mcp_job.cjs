// Drive @baruchiro/paperless-mcp (unmodified, from npm) through a whole job
// against Quire over its stdio JSON-RPC protocol.
//
// Environment: QUIRE_BASE_URL, QUIRE_TOKEN, MCP_SERVER (path of the
// package's build/index.js), CLIENT_FIXTURE (JSON from
// server/clients_test.go). Every step runs even after one fails; the last
// line of stdout is {"ok", "steps": [{name, ok, error}], "result"} for the
// Go test, which checks the effects itself.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { start } = require("./mcp_rpc.cjs");

const FX = JSON.parse(process.env.CLIENT_FIXTURE);
const steps = [];
const result = {};

function check(cond, msg) {
  if (!cond) throw new Error(msg);
}

async function main() {
  const server = start([process.execPath, process.env.MCP_SERVER], {
    ...process.env,
    PAPERLESS_URL: process.env.QUIRE_BASE_URL,
    PAPERLESS_API_KEY: process.env.QUIRE_TOKEN,
  });
  // call runs one tool; a tool error (isError) throws with its text.
  async function call(name, args) {
    const res = await server.request("tools/call", { name, arguments: args });
    const text = (res.content || []).filter((c) => c.type === "text").map((c) => c.text).join("\n");
    if (res.isError) throw new Error(`${name}: ${text}\n${server.stderr.join("")}`);
    let json;
    try { json = JSON.parse(text); } catch (e) { json = undefined; }
    return { res, text, json };
  }
  async function step(name, fn) {
    try {
      await fn();
      steps.push({ name, ok: true });
    } catch (e) {
      steps.push({ name, ok: false, error: String(e && e.stack || e) });
    }
  }
  const titles = (docs) => (docs.results || docs).map((d) => d.title).sort();

  try {
    await step("initialize", async () => {
      const init = await server.request("initialize", { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "quire-clients-test", version: "1" } });
      server.notify("notifications/initialized", {});
      result.server = init.serverInfo;
      const tools = await server.request("tools/list", {});
      result.tools = tools.tools.length;
      for (const t of ["list_documents", "search_documents", "get_document", "download_document", "post_document", "list_tags", "list_correspondents", "list_custom_fields", "bulk_edit_documents"]) {
        check(tools.tools.some((x) => x.name === t), `no tool ${t}`);
      }
    });
    await step("list documents", async () => {
      const { json, text } = await call("list_documents", { page_size: 25 });
      check(json, `not JSON: ${text}`);
      result.listed = titles(json);
      check(JSON.stringify(result.listed) === JSON.stringify([...FX.titles].sort()), `listed ${JSON.stringify(result.listed)}`);
    });
    await step("list tags, correspondents, document types", async () => {
      const tags = (await call("list_tags", {})).json;
      check(tags && tags.results.some((t) => t.id === FX.tag), `tags ${JSON.stringify(tags)}`);
      const corrs = (await call("list_correspondents", {})).json;
      check(corrs && corrs.results.length >= 1, `correspondents ${JSON.stringify(corrs)}`);
      const types = (await call("list_document_types", {})).json;
      check(types && Array.isArray(types.results), `document types ${JSON.stringify(types)}`);
    });
    await step("filter documents", async () => {
      const { json, text } = await call("list_documents", { tag: FX.tag });
      check(json, `not JSON: ${text}`);
      check(JSON.stringify(titles(json)) === JSON.stringify([...FX.tagged_titles].sort()), `tag ${FX.tag}: ${JSON.stringify(titles(json))}`);
      const byTitle = (await call("list_documents", { search: FX.filter_word })).json;
      check(JSON.stringify(titles(byTitle)) === JSON.stringify([FX.filter_title]), `search=${FX.filter_word}: ${JSON.stringify(byTitle)}`);
    });
    await step("search documents", async () => {
      const { json, text } = await call("search_documents", { query: FX.search_word });
      check(json, `not JSON: ${text}`);
      check(JSON.stringify(titles(json)) === JSON.stringify([FX.search_title]), `query ${FX.search_word}: ${text.slice(0, 500)}`);
      const q = (await call("query_documents", { query: FX.search_word })).json;
      check(JSON.stringify(titles(q)) === JSON.stringify([FX.search_title]), `query_documents ${FX.search_word}: ${JSON.stringify(q).slice(0, 500)}`);
    });
    await step("get document", async () => {
      const { json, text } = await call("get_document", { id: FX.read_id });
      check(json && json.title === FX.read_title, `document: ${text.slice(0, 500)}`);
      const content = await call("get_document_content", { id: FX.read_id });
      check(content.text.includes(FX.read_text), `content: ${content.text.slice(0, 500)}`);
      const notes = await call("list_document_notes", { id: FX.read_id });
      check(notes.json !== undefined && (Array.isArray(notes.json) ? notes.json.length === 0 : true), `notes: ${notes.text}`);
    });
    await step("download document", async () => {
      const { res } = await call("download_document", { id: FX.read_id, original: true });
      const link = (res.content || []).find((c) => c.type === "resource");
      check(link && link.resource && link.resource.uri, `download answer: ${JSON.stringify(res).slice(0, 500)}`);
      // The tool answers a paperless:// resource; reading it fetches the file.
      const read = await server.request("resources/read", { uri: link.resource.uri });
      const file = (read.contents || [])[0] || {};
      const body = file.blob !== undefined ? Buffer.from(file.blob, "base64").toString() : file.text;
      check(body === FX.read_bytes, `resources/read ${link.resource.uri}: ${JSON.stringify(read).slice(0, 500)}`);
      result.download_type = file.mimeType;
    });
    await step("upload document", async () => {
      const { json, text } = await call("post_document", { file_path: FX.upload_path, title: FX.upload_title, tags: [FX.tag] });
      result.post_document = text;
      // The tool has no task wait: the job looks for the document by title.
      for (let i = 0; i < 600; i++) {
        const found = (await call("list_documents", { search: FX.upload_title })).json;
        const hit = found && found.results.find((d) => d.title === FX.upload_title);
        if (hit) { result.uploaded_id = hit.id; break; }
        await new Promise((r) => setTimeout(r, 200));
      }
      check(result.uploaded_id, `the upload did not become a document (post_document said ${text})`);
    });
    await step("bulk edit tags", async () => {
      let r = await call("bulk_edit_documents", { documents: [FX.edit_id], method: "add_tag", tag: FX.tag });
      check(r.json && r.json.result === "OK", `add_tag: ${r.text}`);
      r = await call("bulk_edit_documents", { documents: [FX.edit_id], method: "modify_tags", add_tags: [FX.tag2], remove_tags: [FX.tag] });
      check(r.json && r.json.result === "OK", `modify_tags: ${r.text}`);
      r = await call("update_document", { id: FX.edit_id, title: FX.edit_title });
      const doc = (await call("get_document", { id: FX.edit_id })).json;
      check(doc && doc.title === FX.edit_title, `after update_document: ${JSON.stringify(doc)}`);
    });
    await step("tag objects", async () => {
      const made = (await call("create_tag", { name: FX.new_tag, color: "#ff0000", matching_algorithm: 0 })).json;
      check(made && made.id && made.name === FX.new_tag, `create_tag: ${JSON.stringify(made)}`);
      const renamed = (await call("update_tag", { id: made.id, name: FX.new_tag + " (renamed)" })).json;
      check(renamed && renamed.name === FX.new_tag + " (renamed)", `update_tag: ${JSON.stringify(renamed)}`);
      await call("delete_tag", { id: made.id, confirm: true });
      const left = (await call("list_tags", { name__icontains: FX.new_tag })).json;
      check(left && left.count === 0, `after delete_tag: ${JSON.stringify(left)}`);
    });
    await step("custom fields", async () => {
      const { json, text } = await call("list_custom_fields", {});
      check(json && json.count === 0 && json.results.length === 0, `custom fields: ${text}`);
      const byName = (await call("list_custom_fields", { name__icontains: "amount" })).json;
      check(byName && byName.results.length === 0, `custom fields named amount: ${JSON.stringify(byName)}`);
      const bulk = await call("bulk_edit_documents", { documents: [FX.edit_id], method: "modify_custom_fields" });
      check(bulk.json && bulk.json.result === "OK", `modify_custom_fields with none: ${bulk.text}`);
      await call("update_document", { id: FX.edit_id, custom_fields: [] });
      const doc = (await call("get_document", { id: FX.edit_id })).json;
      check(doc && Array.isArray(doc.custom_fields) && doc.custom_fields.length === 0, `document custom_fields: ${JSON.stringify(doc && doc.custom_fields)}`);
    });
    await step("delete document", async () => {
      const r = await call("bulk_edit_documents", { documents: [FX.delete_id], method: "delete", confirm: true });
      check(r.json && r.json.result === "OK", `delete: ${r.text}`);
      let gone = false;
      try { await call("get_document", { id: FX.delete_id }); } catch (e) { gone = true; }
      check(gone, "the deleted document is still found");
    });
  } finally {
    server.close();
  }
}

main()
  .catch((e) => steps.push({ name: "client", ok: false, error: String(e && e.stack || e) }))
  .finally(() => {
    console.log(JSON.stringify({ ok: steps.length > 0 && steps.every((s) => s.ok), steps, result }));
  });
