package store

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
)

// OutboxEntry is one queued search-index change: the document's entry must
// be rewritten from the database (or removed, if the document is gone).
type OutboxEntry struct {
	bun.BaseModel `bun:"table:search_outbox"`

	ID         int64 `bun:"id,pk,autoincrement"`
	DocumentID int   `bun:"document_id"`
}

// OutboxBatch returns up to limit of the oldest queued search changes.
// Database triggers queue them in the transaction of every change to a
// document, its tags or the names they carry.
func (s *Store) OutboxBatch(ctx context.Context, limit int) ([]OutboxEntry, error) {
	var out []OutboxEntry
	if err := s.db(ctx).NewSelect().Model(&out).OrderExpr("id").Limit(int64(limit)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("read search outbox: %w", err)
	}
	return out, nil
}

// DeleteOutbox removes processed entries by id.
func (s *Store) DeleteOutbox(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	if _, err := s.wdb(ctx).NewDelete().TableExpr("search_outbox").Where("id IN (?)", bun.In(ids)).Exec(ctx); err != nil {
		return fmt.Errorf("delete search outbox entries: %w", err)
	}
	return nil
}

// ClearOutboxThrough removes every entry up to and including id (a full
// rebuild that read the database after they were queued covers them).
func (s *Store) ClearOutboxThrough(ctx context.Context, id int64) error {
	if _, err := s.wdb(ctx).NewDelete().TableExpr("search_outbox").Where("id <= ?", id).Exec(ctx); err != nil {
		return fmt.Errorf("clear search outbox: %w", err)
	}
	return nil
}

// OutboxHead returns the id of the newest queued entry (0 when empty) and
// how many entries are queued.
func (s *Store) OutboxHead(ctx context.Context) (maxID int64, n int, err error) {
	var row struct {
		MaxID *int64 `bun:"max_id"`
		N     int    `bun:"n"`
	}
	if err := s.db(ctx).NewSelect().TableExpr("search_outbox").
		ColumnExpr("max(id) AS max_id, count(*) AS n").Scan(ctx, &row); err != nil {
		return 0, 0, fmt.Errorf("read search outbox: %w", err)
	}
	if row.MaxID != nil {
		maxID = *row.MaxID
	}
	return maxID, row.N, nil
}

// DocumentsAfter returns up to limit documents (not in the trash) with
// id > afterID in id order (a full reindex walks the archive with it, in bounded memory).
func (s *Store) DocumentsAfter(ctx context.Context, afterID, limit int) ([]Document, error) {
	var docs []Document
	if err := s.db(ctx).NewSelect().Model(&docs).Where("id > ?", afterID).Where("deleted_at IS NULL").OrderExpr("id").Limit(int64(limit)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("read documents after %d: %w", afterID, err)
	}
	return docs, nil
}

// CountDocuments returns the number of documents in the archive (not in
// the trash: the search index holds those).
func (s *Store) CountDocuments(ctx context.Context) (int, error) {
	n, err := s.db(ctx).NewSelect().TableExpr("documents").Where("deleted_at IS NULL").Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("count documents: %w", err)
	}
	return int(n), nil
}

// CountDocumentsThrough counts the documents with id ≤ id (a resumed
// rebuild's progress).
func (s *Store) CountDocumentsThrough(ctx context.Context, id int) (int, error) {
	n, err := s.db(ctx).NewSelect().TableExpr("documents").Where("id <= ?", id).Where("deleted_at IS NULL").Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("count documents: %w", err)
	}
	return int(n), nil
}

// EnqueueSearch queues documents for re-indexing.
func (s *Store) EnqueueSearch(ctx context.Context, ids []int) error {
	if len(ids) == 0 {
		return nil
	}
	rows := make([]OutboxEntry, len(ids))
	for i, id := range ids {
		rows[i].DocumentID = id
	}
	if _, err := s.wdb(ctx).NewInsert().Model(&rows).Exec(ctx); err != nil {
		return fmt.Errorf("queue documents for the search index: %w", err)
	}
	return nil
}
