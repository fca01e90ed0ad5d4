package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/quirehq/quire/store"
	"github.com/quirehq/quire/store/storetest"
)

// TestVersionRisesWithEveryVisibleChange makes every kind of change the
// API shows through one process and checks that the archive version read
// by another process rose each time — and stayed put for reads and for
// changes the API lists do not show.
func TestVersionRisesWithEveryVisibleChange(t *testing.T) {
	for _, dialect := range storetest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			a, b := twoProcesses(t, dialect)
			str := func(s string) *string { return &s }
			last, err := b.Version(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var doc store.Document
			var tag *store.Tag
			var view *store.SavedView
			user := &store.User{Username: "viewer", Password: "x", IsActive: true}
			steps := []struct {
				name    string
				change  func() error
				visible bool
			}{
				{"create correspondent", func() error {
					_, err := a.CreateCorrespondent(ctx, store.CorrespondentInput{Name: str("ACME")})
					return err
				}, true},
				{"create tag", func() (err error) {
					tag, err = a.CreateTag(ctx, store.TagInput{Name: str("paid")})
					return err
				}, true},
				{"recolour tag", func() error {
					_, err := a.UpdateTag(ctx, tag.ID, store.TagInput{Color: str("#ff0000")})
					return err
				}, true},
				{"create document type", func() error {
					_, err := a.CreateDocumentType(ctx, store.DocumentTypeInput{Name: str("Invoice")})
					return err
				}, true},
				{"create document", func() error {
					doc = store.Document{Title: "first", Created: time.Date(2021, 3, 4, 0, 0, 0, 0, time.UTC),
						Modified: time.Now(), Added: time.Now(), Checksum: "0123456789abcdef0123456789abcdef"}
					return a.CreateDocument(ctx, &doc, nil)
				}, true},
				{"retitle document", func() error {
					_, err := a.UpdateDocument(ctx, doc.ID, store.DocumentUpdate{Title: str("second")})
					return err
				}, true},
				{"store its files", func() error {
					return a.SetDocumentFiles(ctx, doc.ID, str("first.pdf"), str("first.pdf"), str("0123456789abcdef0123456789abcdef"))
				}, true},
				{"tag document", func() error {
					_, err := a.UpdateDocument(ctx, doc.ID, store.DocumentUpdate{TagIDs: graphql.OmittableOf([]int{tag.ID})})
					return err
				}, true},
				{"bulk untag", func() error {
					_, err := a.BulkEdit(ctx, store.BulkEdit{DocumentIDs: []int{doc.ID}, Method: store.BulkRemoveTag, TagID: &tag.ID})
					return err
				}, true},
				{"create user", func() error { return a.CreateUser(ctx, user) }, false},
				{"create saved view", func() (err error) {
					view, err = a.CreateSavedView(ctx, user.ID, store.SavedViewInput{Name: str("inbox"),
						FilterRules: graphql.OmittableOf([]store.SavedViewRuleInput{{RuleType: 0, Value: str("x")}})})
					return err
				}, true},
				{"rename saved view", func() error {
					_, err := a.UpdateSavedView(ctx, user.ID, view.ID, store.SavedViewInput{Name: str("inbox 2")})
					return err
				}, true},
				{"read", func() error {
					_, _, err := a.Documents(ctx, store.DocumentFilter{}, nil, store.Page{})
					return err
				}, false},
				{"delete tag", func() error { return a.DeleteTag(ctx, tag.ID) }, true},
				{"delete document", func() error {
					_, err := a.DeleteDocument(ctx, doc.ID)
					return err
				}, true},
			}
			for _, s := range steps {
				if err := s.change(); err != nil {
					t.Fatalf("%s: %v", s.name, err)
				}
				v, err := b.Version(ctx)
				if err != nil {
					t.Fatal(err)
				}
				switch {
				case s.visible && v <= last:
					t.Errorf("%s: version %d → %d, want a rise", s.name, last, v)
				case !s.visible && v != last:
					t.Errorf("%s: version %d → %d, want unchanged", s.name, last, v)
				}
				last = v
			}
		})
	}
}

// TestVersionInTransaction reads the transaction's own uncommitted change.
func TestVersionInTransaction(t *testing.T) {
	for _, dialect := range storetest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			s := storetest.Open(t, dialect)
			before, err := s.Version(ctx)
			if err != nil {
				t.Fatal(err)
			}
			name := "inside"
			err = s.InTx(ctx, func(ctx context.Context) error {
				if _, err := s.CreateTag(ctx, store.TagInput{Name: &name}); err != nil {
					return err
				}
				inside, err := s.Version(ctx)
				if err != nil {
					return err
				}
				if inside <= before {
					t.Errorf("version inside the transaction %d, want > %d", inside, before)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}
