package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// Note is a remark a user left on a document (paperless-ngx's notes,
// NGX.md §6.10). UserID is the author; nil once the author is deleted, or
// when the system wrote it.
type Note struct {
	bun.BaseModel `bun:"table:notes"`

	ID         int       `bun:"id,pk,autoincrement"`
	DocumentID int       `bun:"document_id,notnull"`
	UserID     *int      `bun:"user_id"`
	Created    time.Time `bun:"created,notnull"`
	Note       string    `bun:"note,notnull"`
}

// UserSummary is the part of a user that notes and history show of their
// authors (paperless-ngx's BasicUserSerializer).
type UserSummary struct {
	ID        int    `bun:"id"`
	Username  string `bun:"username"`
	FirstName string `bun:"first_name"`
	LastName  string `bun:"last_name"`
}

// DocumentOrderNumNotes orders documents by how many notes they have
// (paperless-ngx's num_notes).
const DocumentOrderNumNotes DocumentOrderField = "NUM_NOTES"

// numNotesSQL counts the notes of the document aliased d.
const numNotesSQL = "(SELECT count(*) FROM notes AS nn WHERE nn.document_id = d.id)"

// DocumentNotes returns the notes of a document, oldest first. The
// document must be one the caller may see (NotFound otherwise).
func (s *Store) DocumentNotes(ctx context.Context, docID int) ([]Note, error) {
	if _, err := s.documentAccess(ctx, docID, false); err != nil {
		return nil, err
	}
	m, err := s.NotesByDocuments(ctx, []int{docID})
	if err != nil {
		return nil, err
	}
	if m[docID] == nil {
		return []Note{}, nil
	}
	return m[docID], nil
}

// NotesByDocuments returns the notes of each document, oldest first, in
// one query; documents without notes are absent from the map. It does not
// check visibility: callers pass documents they have already read.
func (s *Store) NotesByDocuments(ctx context.Context, docIDs []int) (map[int][]Note, error) {
	out := make(map[int][]Note, len(docIDs))
	if len(docIDs) == 0 {
		return out, nil
	}
	var notes []Note
	err := s.db(ctx).NewSelect().Model(&notes).Where("document_id IN (?)", bun.List(uniqueInts(docIDs))).
		OrderExpr("document_id, created, id").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("load notes of %d documents: %w", len(docIDs), err)
	}
	for _, n := range notes {
		out[n.DocumentID] = append(out[n.DocumentID], n)
	}
	return out, nil
}

// NotesWithAuthors is NotesByDocuments with the notes' authors (by id),
// in one statement.
func (s *Store) NotesWithAuthors(ctx context.Context, docIDs []int) (map[int][]Note, map[int]UserSummary, error) {
	notes := make(map[int][]Note, len(docIDs))
	authors := map[int]UserSummary{}
	if len(docIDs) == 0 {
		return notes, authors, nil
	}
	var rows []struct {
		Note      `bun:",extend"`
		Username  *string `bun:"username"`
		FirstName *string `bun:"first_name"`
		LastName  *string `bun:"last_name"`
	}
	err := s.db(ctx).NewSelect().TableExpr("notes AS note").ColumnExpr("note.*").
		ColumnExpr("u.username, u.first_name, u.last_name").
		Join("LEFT JOIN users AS u ON u.id = note.user_id").
		Where("note.document_id IN (?)", bun.List(uniqueInts(docIDs))).
		OrderExpr("note.document_id, note.created, note.id").Scan(ctx, &rows)
	if err != nil {
		return nil, nil, fmt.Errorf("load notes of %d documents: %w", len(docIDs), err)
	}
	for _, r := range rows {
		notes[r.DocumentID] = append(notes[r.DocumentID], r.Note)
		if r.UserID != nil && r.Username != nil {
			authors[*r.UserID] = UserSummary{ID: *r.UserID, Username: *r.Username, FirstName: *r.FirstName, LastName: *r.LastName}
		}
	}
	return notes, authors, nil
}

// NoteCounts returns how many notes each document has, in one query;
// documents without notes are absent from the map.
func (s *Store) NoteCounts(ctx context.Context, docIDs []int) (map[int]int, error) {
	out := make(map[int]int, len(docIDs))
	if len(docIDs) == 0 {
		return out, nil
	}
	var rows []struct {
		DocumentID int `bun:"document_id"`
		N          int `bun:"n"`
	}
	err := s.db(ctx).NewSelect().TableExpr("notes").ColumnExpr("document_id, count(*) AS n").
		Where("document_id IN (?)", bun.List(uniqueInts(docIDs))).GroupExpr("document_id").Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("count notes of %d documents: %w", len(docIDs), err)
	}
	for _, r := range rows {
		out[r.DocumentID] = r.N
	}
	return out, nil
}

// UserSummaries returns the users among ids that exist, by id, in one query.
func (s *Store) UserSummaries(ctx context.Context, ids []int) (map[int]UserSummary, error) {
	out := make(map[int]UserSummary, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var rows []UserSummary
	err := s.db(ctx).NewSelect().TableExpr("users").Column("id", "username", "first_name", "last_name").
		Where("id IN (?)", bun.List(uniqueInts(ids))).Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("load users: %w", err)
	}
	for _, r := range rows {
		out[r.ID] = r
	}
	return out, nil
}

// AddNote adds a note by author (nil: none) to a document and returns
// it. The text must not be blank (Validation on note); the document must
// be visible to the caller (NotFound) and changeable by it (Forbidden).
// The document's modified time moves to now, it is queued for the search
// index (its notes are searchable) and the history records "Note Added".
func (s *Store) AddNote(ctx context.Context, docID int, author *int, text string) (*Note, error) {
	if strings.TrimSpace(text) == "" {
		return nil, &Error{Code: Validation, Message: "invalid input", Fields: map[string][]string{"note": {"This field may not be blank."}}}
	}
	n := &Note{DocumentID: docID, UserID: author, Note: text}
	err := s.InTx(ctx, func(ctx context.Context) error {
		if _, err := s.documentAccess(ctx, docID, true); err != nil {
			return err
		}
		n.Created = s.Now()
		if _, err := s.wdb(ctx).NewInsert().Model(n).Exec(ctx); err != nil {
			return err
		}
		return s.notesChanged(ctx, docID, historyChange{Field: "Note Added", Old: "None", New: strconv.Itoa(n.ID)})
	})
	if err != nil {
		return nil, fmt.Errorf("add note to document %d: %w", docID, err)
	}
	return n, nil
}

// DeleteNote deletes note noteID of document docID. The document must be
// visible to the caller (NotFound) and changeable by it (Forbidden); a
// note that is not the document's is NotFound. Like AddNote it bumps the
// document's modified time, queues it for the search index and records
// "Note Deleted" in its history.
func (s *Store) DeleteNote(ctx context.Context, docID, noteID int) error {
	err := s.InTx(ctx, func(ctx context.Context) error {
		if _, err := s.documentAccess(ctx, docID, true); err != nil {
			return err
		}
		res, err := s.wdb(ctx).NewDelete().TableExpr("notes").Where("id = ?", noteID).Where("document_id = ?", docID).Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return notFound("note", noteID)
		}
		return s.notesChanged(ctx, docID, historyChange{Field: "Note Deleted", Old: strconv.Itoa(noteID), New: "None"})
	})
	if err != nil {
		return fmt.Errorf("delete note %d of document %d: %w", noteID, docID, err)
	}
	return nil
}

// notesChanged does what a change of a document's notes entails: modified
// = now, a search outbox row, and the history entry.
func (s *Store) notesChanged(ctx context.Context, docID int, c historyChange) error {
	now := s.Now()
	if _, err := s.wdb(ctx).NewUpdate().TableExpr("documents").Set("modified = ?", now).Where("id = ?", docID).Exec(ctx); err != nil {
		return fmt.Errorf("touch document: %w", err)
	}
	if err := s.EnqueueSearch(ctx, []int{docID}); err != nil {
		return err
	}
	return s.writeHistory(ctx, []historyRow{{docID: docID, action: HistoryUpdate, changes: []historyChange{c}}})
}

// documentAccess returns document id when the caller may see it
// (NotFound otherwise: also for a document in the trash) and, with
// change, change it (Forbidden otherwise).
func (s *Store) documentAccess(ctx context.Context, id int, change bool) (*Document, error) {
	d, err := s.Document(ctx, id)
	if err != nil {
		return nil, err
	}
	if !PrincipalFrom(ctx).Restricted() {
		return d, nil
	}
	if change { // Document applied the visibility already
		if err := s.MayChange(ctx, ModelDocument, id); err != nil {
			return nil, err
		}
	}
	return d, nil
}
