package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/quirehq/quire/store"
	"github.com/quirehq/quire/store/storetest"
)

// TestAuditLogDisabled: with the audit log off nothing is recorded and
// reading the history is refused with ErrAuditLogDisabled.
func TestAuditLogDisabled(t *testing.T) {
	ctx := context.Background()
	for _, dialect := range storetest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			s := storetest.OpenConfig(t, dialect, store.Config{DisableAuditLog: true})
			d := &store.Document{Title: "x", Checksum: "x", MimeType: "application/pdf"}
			if err := s.CreateDocument(ctx, d, nil); err != nil {
				t.Fatal(err)
			}
			title := "y"
			if _, err := s.UpdateDocument(ctx, d.ID, store.DocumentUpdate{Title: &title}); err != nil {
				t.Fatal(err)
			}
			if _, err := s.AddNote(ctx, d.ID, nil, "n"); err != nil {
				t.Fatal(err)
			}
			if _, err := s.DocumentHistory(ctx, d.ID); !errors.Is(err, store.ErrAuditLogDisabled) || store.ErrorCode(err) != store.Validation {
				t.Errorf("DocumentHistory: %v", err)
			}
			m, err := s.HistoryByDocuments(ctx, []int{d.ID})
			if err != nil || len(m[d.ID]) != 0 {
				t.Errorf("recorded with the audit log off: %v %v", m, err)
			}
		})
	}
}
