package rest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/quirehq/quire/resolvers"
	"github.com/quirehq/quire/store"
	"github.com/quirehq/quire/store/storetest"
)

// TestDownloadName09: the 0.9 dialect names downloads by the slug of
// "YYYYMMDD: <correspondent> - <title>" (API §8.1, C7).
func TestDownloadName09(t *testing.T) {
	for _, dialect := range storetest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			st := storetest.Open(t, dialect)
			ctx := context.Background()
			u := &store.User{Username: "admin", Password: "x", IsActive: true, IsSuperuser: true}
			if err := st.CreateUser(ctx, u); err != nil {
				t.Fatal(err)
			}
			ctx = resolvers.WithUser(ctx, u)
			a := New(Config{Resolver: resolvers.New(st, nil)})
			name := "ACME"
			c, err := st.CreateCorrespondent(ctx, store.CorrespondentInput{Name: &name})
			if err != nil {
				t.Fatal(err)
			}
			// 23:30 UTC on the 30th: the 1st of December in Berlin, but 0.9 used UTC.
			created := time.Date(2020, 11, 30, 23, 30, 0, 0, time.UTC)
			for i, tc := range []struct {
				title string
				corr  *int
				want  string
			}{
				{"Invoice 11/2020", &c.ID, "20201130-acme-invoice-112020.pdf"},
				{"", &c.ID, "20201130-acme.pdf"},
				{"Über uns", nil, "20201130-uber-uns.pdf"},
				{"", nil, "20201130.pdf"},
			} {
				d := &store.Document{Title: tc.title, CorrespondentID: tc.corr, Created: created, Added: created, Modified: created,
					MimeType: "application/pdf", Checksum: fmt.Sprintf("%032d", i)}
				if err := st.CreateDocument(ctx, d, nil); err != nil {
					t.Fatal(err)
				}
				got, err := a.downloadName09(resolvers.WithLoaders(ctx, st), d.ID, "2020-12-01 ACME Invoice.pdf")
				if err != nil || got != tc.want {
					t.Errorf("%q: %q %v, want %q", tc.title, got, err, tc.want)
				}
			}
		})
	}
}
