package index

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/quirehq/quire/store"
	"github.com/quirehq/quire/store/search"
)

// Tuning of the indexer.
const (
	batchSize    = search.WriteBatch
	drainEntries = 2000 // queue entries applied between two waits for the disk
	flushTimeout = 2 * time.Minute
	pollInterval = 250 * time.Millisecond
	maxBackoff   = 30 * time.Second
)

// Indexer drains the search outbox into an engine.
type Indexer struct {
	store  *store.Store
	engine search.Engine
	logger *slog.Logger
	wake   chan struct{}
}

// New returns an Indexer; logger nil discards.
func New(st *store.Store, engine search.Engine, logger *slog.Logger) *Indexer {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Indexer{store: st, engine: engine, logger: logger, wake: make(chan struct{}, 1)}
}

// Notify asks the indexer to look at the outbox now instead of at its next
// poll (call it after committing a change; it never blocks).
func (ix *Indexer) Notify() {
	select {
	case ix.wake <- struct{}{}:
	default:
	}
}

// Run drains the outbox until ctx ends: at once when notified, else every
// pollInterval. While the engine fails it backs off (up to maxBackoff) and
// keeps the queue, logging the failure once per streak.
func (ix *Indexer) Run(ctx context.Context) error {
	backoff := time.Duration(0)
	failing := false
	for {
		n, err := ix.drainBatch(ctx)
		switch {
		case ctx.Err() != nil:
			return nil
		case err != nil:
			if !failing {
				ix.logger.Warn("search index update failed; changes stay queued and are retried", "error", err)
			}
			failing = true
			backoff = min(max(2*backoff, time.Second), maxBackoff)
		default:
			if failing {
				ix.logger.Info("search index updates resumed")
			}
			failing, backoff = false, 0
		}
		if n == drainEntries && err == nil {
			continue // more queued
		}
		wait := pollInterval
		if backoff > 0 {
			wait = backoff
		}
		select {
		case <-ctx.Done():
			return nil
		case <-ix.wake:
		case <-time.After(wait):
		}
	}
}

// Drain processes the outbox until it is empty (tests and the reindex
// command use it to wait for the index to catch up).
func (ix *Indexer) Drain(ctx context.Context) error {
	for {
		n, err := ix.drainBatch(ctx)
		if err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
	}
}

// drainBatch applies up to drainEntries queued changes, waits
// until the engine has them on disk, and only then removes them from the
// queue (a crash before that makes the next run apply them again); it
// returns how many entries it took.
func (ix *Indexer) drainBatch(ctx context.Context) (int, error) {
	entries, err := ix.store.OutboxBatch(ctx, drainEntries)
	if err != nil || len(entries) == 0 {
		return 0, err
	}
	// One change often queues several entries for a document (its row,
	// each of its tags): it is loaded and indexed once, in its current
	// state, so batches reach the engine at full size.
	ids := make([]int, 0, len(entries))
	seen := make(map[int]bool, len(entries))
	for _, e := range entries {
		if !seen[e.DocumentID] {
			seen[e.DocumentID] = true
			ids = append(ids, e.DocumentID)
		}
	}
	indexed, removed := 0, 0
	for start := 0; start < len(ids); start += batchSize {
		docs, missing, err := Load(ctx, ix.store, ids[start:min(start+batchSize, len(ids))])
		if err != nil {
			return 0, err
		}
		if len(docs) > 0 {
			if err := ix.engine.Index(ctx, docs...); err != nil {
				return 0, fmt.Errorf("index %d documents: %w", len(docs), err)
			}
		}
		if len(missing) > 0 {
			if err := ix.engine.Delete(ctx, missing...); err != nil {
				return 0, fmt.Errorf("remove %d documents from the index: %w", len(missing), err)
			}
		}
		indexed, removed = indexed+len(docs), removed+len(missing)
	}
	// A disk that refuses writes keeps bleve retrying: give up after a
	// while so the failure is logged and retried with backoff.
	fctx, cancel := context.WithTimeout(ctx, flushTimeout)
	defer cancel()
	if err := ix.engine.Flush(fctx); err != nil {
		return 0, fmt.Errorf("wait for the search index to reach the disk: %w", err)
	}
	done := make([]int64, len(entries))
	for i, e := range entries {
		done[i] = e.ID
	}
	if err := ix.store.DeleteOutbox(ctx, done); err != nil {
		return 0, err
	}
	ix.logger.Debug("search index updated", "indexed", indexed, "removed", removed)
	return len(entries), nil
}

// Load reads the documents with the given ids as the index holds them
// (with their tag, correspondent and type names, access tokens and notes);
// ids of documents that no longer exist come back in missing. It costs
// six queries per call.
func Load(ctx context.Context, st *store.Store, ids []int) (docs []search.Document, missing []int, err error) {
	rows, err := st.DocumentsByIDs(ctx, ids)
	if err != nil {
		return nil, nil, err
	}
	return build(ctx, st, ids, rows)
}

// build turns store rows into index documents.
func build(ctx context.Context, st *store.Store, ids []int, rows []store.Document) ([]search.Document, []int, error) {
	found := make(map[int]bool, len(rows))
	docIDs := make([]int, len(rows))
	var corrIDs, typeIDs []int
	for i, d := range rows {
		found[d.ID] = true
		docIDs[i] = d.ID
		if d.CorrespondentID != nil && !slices.Contains(corrIDs, *d.CorrespondentID) {
			corrIDs = append(corrIDs, *d.CorrespondentID)
		}
		if d.DocumentTypeID != nil && !slices.Contains(typeIDs, *d.DocumentTypeID) {
			typeIDs = append(typeIDs, *d.DocumentTypeID)
		}
	}
	var missing []int
	for _, id := range ids {
		if !found[id] {
			missing = append(missing, id)
		}
	}
	if len(rows) == 0 {
		return nil, missing, nil
	}
	tags, err := st.TagsByDocuments(ctx, docIDs)
	if err != nil {
		return nil, nil, err
	}
	corrs, err := st.CorrespondentsByIDs(ctx, corrIDs)
	if err != nil {
		return nil, nil, err
	}
	types, err := st.DocumentTypesByIDs(ctx, typeIDs)
	if err != nil {
		return nil, nil, err
	}
	grants, err := st.ObjectGrants(ctx, store.ModelDocument, docIDs)
	if err != nil {
		return nil, nil, err
	}
	notes, err := st.NotesByDocuments(ctx, docIDs)
	if err != nil {
		return nil, nil, err
	}
	fieldTexts, fieldIDs, err := st.CustomFieldSearchText(ctx, docIDs)
	if err != nil {
		return nil, nil, err
	}
	corrName := make(map[int]string, len(corrs))
	for _, c := range corrs {
		corrName[c.ID] = c.Name
	}
	typeName := make(map[int]string, len(types))
	for _, t := range types {
		typeName[t.ID] = t.Name
	}
	docs := make([]search.Document, len(rows))
	for i, d := range rows {
		sd := search.Document{
			ID: d.ID, Title: d.Title, Content: d.Content,
			CorrespondentID: d.CorrespondentID, DocumentTypeID: d.DocumentTypeID,
			ASN: d.ArchiveSerialNumber, Created: d.Created, Added: d.Added, Modified: d.Modified,
			ACL: store.ACLTokens(d.OwnerID, grants[d.ID]),
		}
		if d.CorrespondentID != nil {
			sd.Correspondent = corrName[*d.CorrespondentID]
		}
		if d.DocumentTypeID != nil {
			sd.DocumentType = typeName[*d.DocumentTypeID]
		}
		for _, t := range tags[d.ID] {
			sd.TagIDs = append(sd.TagIDs, t.ID)
			sd.Tags = append(sd.Tags, t.Name)
		}
		for _, n := range notes[d.ID] {
			sd.Notes = append(sd.Notes, n.Note)
		}
		sd.CustomFields, sd.CustomFieldIDs = fieldTexts[d.ID], fieldIDs[d.ID]
		docs[i] = sd
	}
	return docs, missing, nil
}

// Progress reports a rebuild's advance: documents indexed so far (done)
// of the archive's total when the rebuild began.
type Progress func(done, total int)

// Rebuild indexes every document into a fresh index and swaps it in,
// reading the archive in batches in id order (bounded memory). It resumes
// a rebuild that an earlier, interrupted run left behind. Changes made
// while it runs reach the new index through the outbox (the engine writes
// live changes to the rebuild as well).
func (ix *Indexer) Rebuild(ctx context.Context, progress Progress) error {
	// A document read for the rebuild just before an edit commits could be
	// written to the new index after the edit was: documents modified since
	// (a minute before) the start are queued again once the swap is done.
	since := ix.store.Now().Add(-time.Minute)
	rb, err := ix.engine.BeginRebuild(ctx)
	if err != nil {
		return fmt.Errorf("begin rebuild: %w", err)
	}
	total, err := ix.store.CountDocuments(ctx)
	if err != nil {
		return err
	}
	last := rb.LastID()
	done := 0
	if last > 0 {
		ix.logger.Info("resuming search index rebuild", "after_document_id", last)
		if n, err := ix.store.CountDocumentsThrough(ctx, last); err == nil {
			done = n
		}
	}
	for {
		rows, err := ix.store.DocumentsAfter(ctx, last, batchSize)
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			break
		}
		ids := make([]int, len(rows))
		for i, d := range rows {
			ids[i] = d.ID
		}
		docs, _, err := build(ctx, ix.store, ids, rows)
		if err != nil {
			return err
		}
		if err := rb.Index(ctx, docs...); err != nil {
			return fmt.Errorf("rebuild: index documents %d–%d: %w", ids[0], ids[len(ids)-1], err)
		}
		last = ids[len(ids)-1]
		done += len(rows)
		if progress != nil {
			progress(done, max(total, done))
		}
		if ctx.Err() != nil {
			// Interrupted: keep what is done for the next run.
			wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
			defer cancel()
			if err := rb.Checkpoint(wctx); err != nil {
				ix.logger.Warn("search index rebuild: saving progress", "error", err)
			}
			return ctx.Err()
		}
	}
	if err := rb.Commit(ctx); err != nil {
		return fmt.Errorf("rebuild: swap in the new index: %w", err)
	}
	changed, err := ix.store.DocumentIDs(ctx, store.DocumentFilter{Modified: &store.DateFilter{Gt: &since}}, nil)
	if err != nil {
		return err
	}
	// A document deleted while the rebuild wrote what it had read of it
	// before is in the new index without being in the archive: queue it,
	// and the indexer removes it.
	ghosts, err := ix.ghosts(ctx)
	if err != nil {
		return err
	}
	if len(ghosts) > 0 {
		ix.logger.Info("search index rebuild: removing documents deleted while it ran", "documents", len(ghosts))
	}
	return ix.store.EnqueueSearch(ctx, append(changed, ghosts...))
}

// ghosts returns the indexed documents that are not in the archive. The
// index is listed before the archive, so a document added in between is
// not one, and one deleted in between is (rightly).
func (ix *Indexer) ghosts(ctx context.Context) ([]int, error) {
	indexed, err := ix.engine.IDs(ctx)
	if err != nil {
		return nil, fmt.Errorf("list indexed documents: %w", err)
	}
	all, err := ix.store.DocumentIDs(ctx, store.DocumentFilter{}, nil)
	if err != nil {
		return nil, err
	}
	slices.Sort(all)
	var out []int
	for _, id := range indexed {
		if _, found := slices.BinarySearch(all, id); !found {
			out = append(out, id)
		}
	}
	return out, nil
}

// CheckAtStart compares the index with the archive and reports whether a
// rebuild is needed: the index was written in another layout than this
// Quire writes, it is empty or missing while documents exist, or its size
// differs from the archive's by more than the queued changes can explain.
func (ix *Indexer) CheckAtStart(ctx context.Context) (bool, string, error) {
	live, current, err := ix.engine.Layout(ctx)
	if err != nil {
		return false, "", fmt.Errorf("search index layout: %w", err)
	}
	if live != current {
		return true, fmt.Sprintf("the index was written in layout %d, this version of Quire writes layout %d", live, current), nil
	}
	docs, err := ix.store.CountDocuments(ctx)
	if err != nil {
		return false, "", err
	}
	indexed, err := ix.engine.Count(ctx)
	if err != nil {
		return false, "", fmt.Errorf("count indexed documents: %w", err)
	}
	_, queued, err := ix.store.OutboxHead(ctx)
	if err != nil {
		return false, "", err
	}
	diff := docs - indexed
	if diff < 0 {
		diff = -diff
	}
	switch {
	case docs > 0 && indexed == 0:
		return true, fmt.Sprintf("the index is empty but the archive holds %d documents", docs), nil
	case diff > queued:
		return true, fmt.Sprintf("the index holds %d documents, the archive %d (%d changes queued)", indexed, docs, queued), nil
	}
	return false, "", nil
}
