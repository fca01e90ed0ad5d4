// Package transfer moves an archive between Quire and paperless in the
// exporter format of paperless-ng (`document_exporter` /
// `document_importer`, versions 0.9.x and 1.x) and paperless-ngx (1.x to
// 3.x): a folder holding manifest.json — a JSON list of Django-serialised
// objects ({"model","pk","fields"}) — next to the exported files that the
// document entries name in "__exported_file_name__",
// "__exported_archive_name__" and "__exported_thumbnail_name__"; ngx adds
// metadata.json (the version), per-document "<name>-manifest.json" files
// (--split-manifest) and exports without files (--data-only).
//
// Import reads such a folder into the store, keeping ids and checksums,
// verifying every file, and copying the files into the storage layout of
// store/files; it can be run again after an interruption. Export writes
// the same format, streaming the documents in bounded memory.
//
// It imports store, store/files, server/index and server/consume/parse
// (MIME-type extensions) and nothing that serves requests (no resolvers,
// rest or graph).
package transfer
