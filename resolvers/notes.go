package resolvers

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vikstrous/dataloadgen"

	"github.com/quirehq/quire/store"
)

// noteLoaders batch what a page of documents reads of notes and history:
// one statement per page for each.
type noteLoaders struct {
	notesByDocument     *dataloadgen.Loader[int, []store.Note]
	noteCountByDocument *dataloadgen.Loader[int, int]
	historyByDocument   *dataloadgen.Loader[int, []store.HistoryEntry]
	userSummaryByID     *dataloadgen.Loader[int, *store.UserSummary]
}

func newNoteLoaders(s *store.Store, opts []dataloadgen.Option) *noteLoaders {
	return &noteLoaders{
		notesByDocument: dataloadgen.NewLoader(func(ctx context.Context, ids []int) ([][]store.Note, []error) {
			return inKeyOrder[[]store.Note](ids)(s.NotesByDocuments(ctx, ids))
		}, opts...),
		noteCountByDocument: dataloadgen.NewLoader(func(ctx context.Context, ids []int) ([]int, []error) {
			return counts(ids)(s.NoteCounts(ctx, ids))
		}, opts...),
		historyByDocument: dataloadgen.NewLoader(func(ctx context.Context, ids []int) ([][]store.HistoryEntry, []error) {
			return inKeyOrder[[]store.HistoryEntry](ids)(s.HistoryByDocuments(ctx, ids))
		}, opts...),
		userSummaryByID: dataloadgen.NewLoader(func(ctx context.Context, ids []int) ([]*store.UserSummary, []error) {
			m, err := s.UserSummaries(ctx, ids)
			out := make([]*store.UserSummary, len(ids))
			if err != nil {
				return out, fill(len(ids), err)
			}
			for i, id := range ids {
				if u, ok := m[id]; ok {
					out[i] = &u
				}
			}
			return out, nil
		}, opts...),
	}
}

// needPerm returns Forbidden unless the caller holds the global
// permission codename (paperless-ngx's 403 wording).
func needPerm(ctx context.Context, codename string) error {
	if !store.PrincipalFrom(ctx).Has(codename) {
		return store.Errorf(store.Forbidden, "You do not have permission to perform this action.")
	}
	return nil
}

// DocumentNotes returns a document's notes, oldest first: view_note, and
// the document visible (NotFound otherwise).
func (r *Resolver) DocumentNotes(ctx context.Context, docID int) ([]store.Note, error) {
	if err := needPerm(ctx, "view_note"); err != nil {
		return nil, err
	}
	return r.Store.DocumentNotes(ctx, docID)
}

// AddNote adds a note by the caller and returns it: add_note, and the
// right to change the document.
func (r *Resolver) AddNote(ctx context.Context, docID int, text string) (*store.Note, error) {
	u, err := currentUser(ctx)
	if err != nil {
		return nil, err
	}
	if err := needPerm(ctx, "add_note"); err != nil {
		return nil, err
	}
	n, err := r.Store.AddNote(ctx, docID, &u.ID, text)
	return n, refusal(err, "Insufficient permissions to create notes")
}

// DeleteNote deletes a note of a document: delete_note, and the right to
// change the document.
func (r *Resolver) DeleteNote(ctx context.Context, docID, noteID int) error {
	if err := needPerm(ctx, "delete_note"); err != nil {
		return err
	}
	return refusal(r.Store.DeleteNote(ctx, docID, noteID), "Insufficient permissions to delete notes")
}

// refusal words a Forbidden from the store (no right on the object) as
// paperless-ngx does; other errors pass unchanged.
func refusal(err error, msg string) error {
	if store.ErrorCode(err) == store.Forbidden {
		return store.Errorf(store.Forbidden, "%s", msg)
	}
	return err
}

// NotesOf returns a document's notes, oldest first, with the document's
// visibility but no global permission: what a change of them answers.
func (r *Resolver) NotesOf(ctx context.Context, docID int) ([]store.Note, error) {
	return r.Store.DocumentNotes(ctx, docID)
}

// NotesOfDocuments returns the notes of each of a page of documents the
// caller has read (oldest first) with their authors, in one statement;
// REST's document objects carry them.
func (r *Resolver) NotesOfDocuments(ctx context.Context, docIDs []int) (map[int][]store.Note, map[int]store.UserSummary, error) {
	return r.Store.NotesWithAuthors(ctx, docIDs)
}

// DocumentHistory returns a document's audit history, newest first (see
// store.DocumentHistory for the rules).
func (r *Resolver) DocumentHistory(ctx context.Context, docID int) ([]store.HistoryEntry, error) {
	return r.Store.DocumentHistory(ctx, docID)
}

// UserSummaries returns the users among ids by id (history actors, note
// authors).
func (r *Resolver) UserSummaries(ctx context.Context, ids []int) (map[int]store.UserSummary, error) {
	return r.Store.UserSummaries(ctx, ids)
}

// documentHistory is Document.history: the store's rules on a document
// already read, entries through the page's loader.
func (r *Resolver) documentHistory(ctx context.Context, d *store.Document) ([]store.HistoryEntry, error) {
	if !r.Store.AuditLog() {
		return nil, store.ErrAuditLogDisabled
	}
	if err := store.MayReadHistory(store.PrincipalFrom(ctx), d); err != nil {
		return nil, err
	}
	h, err := r.loaders(ctx).notes.historyByDocument.Load(ctx, d.ID)
	if h == nil && err == nil {
		h = []store.HistoryEntry{}
	}
	return h, err
}

// userSummary loads a user through the request's loader; nil for none or
// a deleted user.
func (r *Resolver) userSummary(ctx context.Context, id *int) (*store.UserSummary, error) {
	if id == nil {
		return nil, nil
	}
	return r.loaders(ctx).notes.userSummaryByID.Load(ctx, *id)
}

// prefetchNotes primes the notes loaders for a page of documents whose
// GraphQL selection reads notes (and their authors) or, with count only,
// notesCount, so the page costs one statement whatever the loaders'
// batching window does (see prefetchArchiveModel).
func (r *Resolver) prefetchNotes(ctx context.Context, ids []int, notes, count bool) error {
	authors := false
	if notes {
		fc := graphql.GetFieldContext(ctx)
		op := graphql.GetOperationContext(ctx)
		for _, f := range graphql.CollectFields(op, fc.Field.Selections, nil) {
			if f.Name != "items" {
				continue
			}
			for _, sub := range graphql.CollectFields(op, f.Selections, nil) {
				if sub.Name == "notes" {
					for _, nf := range graphql.CollectFields(op, sub.Selections, nil) {
						authors = authors || nf.Name == "user"
					}
				}
			}
		}
	}
	l := r.loaders(ctx).notes
	switch {
	case notes:
		m, us, err := r.Store.NotesWithAuthors(ctx, ids)
		if err != nil {
			return err
		}
		for _, id := range ids {
			ns := m[id]
			if ns == nil {
				ns = []store.Note{}
			}
			l.notesByDocument.Prime(id, ns)
			l.noteCountByDocument.Prime(id, len(ns))
		}
		if authors {
			for id, u := range us {
				l.userSummaryByID.Prime(id, &u)
			}
		}
	case count:
		m, err := r.Store.NoteCounts(ctx, ids)
		if err != nil {
			return err
		}
		for _, id := range ids {
			l.noteCountByDocument.Prime(id, m[id])
		}
	}
	return nil
}
