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
// -created, two tags) in versions 2, 10 and 0, in process and uncached
// (every request runs the resolvers), and reports each version's mean
// time per request and its ratio to version 2's: what a dialect's
// document object costs (0.9's nests the related objects,
// paperless-ngx's has 25 keys).
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
			// The versions take turns request by request, so all see the
			// same machine (these hosts are shared and noisy).
			versions := []string{"2", "10", "0"}
			spent := make([]time.Duration, len(versions))
			size := make([]int, len(versions))
			for b.Loop() {
				for i, v := range versions {
					req := httptest.NewRequest("GET", path, nil)
					req.Header.Set("Authorization", "Token "+tok.Key)
					req.Header.Set("Accept", "application/json; version="+v)
					if v == "0" {
						req.Header.Set("Accept", "application/json") // version 0 is the default here
					}
					rec := httptest.NewRecorder()
					start := time.Now()
					r.ServeHTTP(rec, req)
					spent[i] += time.Since(start)
					if rec.Code != 200 {
						b.Fatalf("v%s: %d %s", v, rec.Code, rec.Body)
					}
					size[i] = rec.Body.Len()
				}
			}
			for i, v := range versions {
				b.ReportMetric(float64(spent[i].Microseconds())/1000/float64(b.N), "v"+v+"-ms")
				b.ReportMetric(float64(size[i]), "v"+v+"-bytes")
				if i > 0 {
					b.ReportMetric(float64(spent[i])/float64(spent[0]), "v"+v+"/v2")
				}
			}
		})
	}
}
