// Package consume is Quire's document consumption pipeline: it accepts
// files (uploads through Service.Submit, and files dropped into the
// consume folder, which a watcher picks up), keeps each as a task row in
// the database, and turns every task into exactly one document or one
// clearly failed task, even across crashes and with several Quire
// processes sharing one database and data folder.
//
// Steps of one consumption (Service.consume):
//
//  1. A worker claims the oldest runnable task (store.ClaimConsumptionTask:
//     a database lease, extended by a heartbeat while it works).
//  2. Pre-checks: the file exists (a consume-folder file is moved into
//     the staging folder first), it is not a duplicate (MD5 of the bytes
//     against every original and archive checksum), its sniffed type has
//     a parser.
//  3. Parsing (package parse): text, OCR and archive PDF by OCR mode,
//     thumbnail. No transaction is open meanwhile.
//  4. Title (given, or from the file name), created date (file name,
//     then content, then the time the file was received), matching and
//     classifier predictions (package store/match), inbox tags.
//  5. One transaction creates the document, links its files into place
//     (each written under a temporary name, fsync'd and renamed), writes
//     the log lines and marks the task successful. Only then is the
//     staged file removed.
//
// A failure ends the task as failed with its message and moves the file
// into the failed folder; a tool that timed out or crashed is retried
// with backoff up to MaxAttempts. A sweeper finishes what a crash
// interrupted: files of finished tasks still in staging, and (hourly)
// stored files no document refers to, moved to lost+found once they are
// Config.OrphanAge old. Service.DeleteFiles removes a deleted document's
// files once its deletion is committed.
//
// Package layout on disk, under the data folder: tasks/ (accepted files
// awaiting consumption), failed/, scratch/ (per-task tool output),
// consume/ (default watched folder), media/documents/{originals,archive,
// thumbnails}, lost+found/, classifier.json.
//
// It imports store, store/files, store/match and server/consume/parse;
// nothing in rest, resolvers or graph.
package consume
