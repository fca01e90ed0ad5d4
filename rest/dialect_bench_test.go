package rest_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/quirehq/quire/resolvers"
	"github.com/quirehq/quire/rest"
	"github.com/quirehq/quire/server/auth"
	"github.com/quirehq/quire/store"
	"github.com/quirehq/quire/store/storetest"
)

// BenchmarkDocumentListDialects serves the same document list page (25,
// -created, two tags) in each dialect's shape, in process and uncached
// (every request runs the resolvers), so the ratios show what a
// dialect's document object costs over version 2's: the 0.9 object
// nests the related objects, paperless-ngx's has 25 keys.
func BenchmarkDocumentListDialects(b *testing.B) {
	for _, dialect := range storetest.Dialects(b) {
		b.Run(dialect, func(b *testing.B) {
			ctx := context.Background()
			st := storetest.OpenConfig(b, dialect, store.Config{Location: time.UTC})
			seed, err := storetest.Seed(ctx, st, storetest.SeedConfig{Documents: benchDocuments(), Tags: 50, Correspondents: 500, Types: 20})
			if err != nil {
				b.Fatal(err)
			}
			res := resolvers.New(st, nil)
			au := auth.New(st, nil, nil, auth.Config{Params: testParams})
			u := &store.User{Username: "bench", Password: testParams.Hash("bench-pw"), IsActive: true}
			if err := st.CreateUser(ctx, u); err != nil {
				b.Fatal(err)
			}
			tok, err := st.TokenForUser(ctx, u.ID)
			if err != nil {
				b.Fatal(err)
			}
			r := chi.NewRouter()
			r.Mount(rest.Prefix, rest.New(rest.Config{Resolver: res, Auth: restAuth{au}, Location: time.UTC, Version: "bench", DefaultVersion: "0"}).APIHandler())
			path := fmt.Sprintf("/api/documents/?page_size=25&ordering=-created&tags__id__all=%d,%d", seed.TagIDs[10], seed.TagIDs[20])
			for _, v := range []string{"2", "10", "0"} {
				b.Run("v"+v, func(b *testing.B) {
					accept := "application/json; version=" + v
					if v == "0" {
						accept = "application/json"
					}
					bytes := 0
					for b.Loop() {
						req := httptest.NewRequest("GET", path, nil)
						req.Header.Set("Authorization", "Token "+tok.Key)
						req.Header.Set("Accept", accept)
						rec := httptest.NewRecorder()
						r.ServeHTTP(rec, req)
						if rec.Code != 200 {
							b.Fatalf("%d %s", rec.Code, rec.Body)
						}
						bytes = rec.Body.Len()
					}
					b.ReportMetric(float64(bytes), "bytes/resp")
				})
			}
		})
	}
}
