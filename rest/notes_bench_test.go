package rest_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/quirehq/quire/resolvers"
	"github.com/quirehq/quire/rest"
	"github.com/quirehq/quire/server/auth"
	"github.com/quirehq/quire/store"
	"github.com/quirehq/quire/store/storetest"
)

// BenchmarkNotesKey serves the paperless-ngx document list page (25,
// -created) with every key and, in turns, with every key but notes
// (?fields=), half of the page's documents carrying two notes: what the
// notes key costs a page (one statement for the notes, one for their
// authors). It reports both means and their ratio.
func BenchmarkNotesKey(b *testing.B) {
	for _, dialect := range storetest.Dialects(b) {
		b.Run(dialect, func(b *testing.B) {
			ctx := context.Background()
			st := storetest.OpenConfig(b, dialect, store.Config{Location: time.UTC})
			if _, err := storetest.Seed(ctx, st, storetest.SeedConfig{Documents: benchDocuments(), Tags: 50, Correspondents: 500, Types: 20}); err != nil {
				b.Fatal(err)
			}
			u := &store.User{Username: "bench", Password: testParams.Hash("bench-pw"), IsActive: true}
			if err := st.CreateUser(ctx, u); err != nil {
				b.Fatal(err)
			}
			newest, err := st.DocumentIDs(ctx, store.DocumentFilter{}, []store.DocumentOrder{{Field: store.DocumentOrderCreated, Direction: store.Desc}})
			if err != nil {
				b.Fatal(err)
			}
			for i, id := range newest[:50] {
				for k := range 2 * (i % 2) {
					if _, err := st.AddNote(ctx, id, &u.ID, fmt.Sprintf("note %d on %d", k, id)); err != nil {
						b.Fatal(err)
					}
				}
			}
			res := resolvers.New(st, nil)
			au := auth.New(st, nil, nil, auth.Config{Params: testParams})
			tok, err := st.TokenForUser(ctx, u.ID)
			if err != nil {
				b.Fatal(err)
			}
			r := chi.NewRouter()
			r.Mount(rest.Prefix, rest.New(rest.Config{Resolver: res, Auth: restAuth{au}, Location: time.UTC, Version: "bench"}).APIHandler())
			base := "/api/documents/?page_size=25&ordering=-created"
			// every key of the version 10 object but notes
			keys := "id,correspondent,document_type,storage_path,title,content,tags,created,created_date,modified,added," +
				"deleted_at,archive_serial_number,original_file_name,archived_file_name,duplicate_documents,owner," +
				"user_can_change,is_shared_by_requester,custom_fields,page_count,mime_type,root_document,versions"
			paths := []string{base, base + "&fields=" + keys}
			spent := make([]time.Duration, 2)
			for b.Loop() {
				for i, p := range paths {
					req := httptest.NewRequest("GET", p, nil)
					req.Header.Set("Authorization", "Token "+tok.Key)
					req.Header.Set("Accept", "application/json; version=10")
					rec := httptest.NewRecorder()
					start := time.Now()
					r.ServeHTTP(rec, req)
					spent[i] += time.Since(start)
					if rec.Code != 200 {
						b.Fatalf("%s: %d %s", p, rec.Code, rec.Body)
					}
					if i == 0 && !strings.Contains(rec.Body.String(), `"note 1 on`) {
						b.Fatalf("no notes on the page: %.300s", rec.Body)
					}
				}
			}
			b.ReportMetric(float64(spent[0].Microseconds())/1000/float64(b.N), "notes-ms")
			b.ReportMetric(float64(spent[1].Microseconds())/1000/float64(b.N), "without-ms")
			b.ReportMetric(float64(spent[0])/float64(spent[1]), "ratio")
		})
	}
}
