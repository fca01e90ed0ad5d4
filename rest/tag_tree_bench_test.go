package rest_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/go-chi/chi/v5"

	"github.com/quirehq/quire/resolvers"
	"github.com/quirehq/quire/rest"
	"github.com/quirehq/quire/server/auth"
	"github.com/quirehq/quire/store"
	"github.com/quirehq/quire/store/storetest"
)

// BenchmarkNestedTagList measures what nesting costs the paperless-ngx tag
// list (v10, 100 tags a page, with document_count): 100 flat tags beside
// 100 tags in chains of four (root > child > grandchild > great-grandchild,
// each object carrying its children nested), on an archive of
// BENCH_DOCUMENTS/10 documents (default 10k) over 400 tags. The two pages
// take turns; metric nested/flat is the p50 ratio.
func BenchmarkNestedTagList(b *testing.B) {
	for _, dialect := range storetest.Dialects(b) {
		b.Run(dialect, func(b *testing.B) {
			ctx := context.Background()
			st := storetest.OpenConfig(b, dialect, store.Config{Location: time.UTC})
			seed, err := storetest.Seed(ctx, st, storetest.SeedConfig{Documents: max(benchDocuments()/10, 1000), Tags: 401, Correspondents: 50, Types: 10})
			if err != nil {
				b.Fatal(err)
			}
			flat, nested := seed.TagIDs[1:101], seed.TagIDs[201:301]
			for i, id := range seed.TagIDs[201:401] {
				if i%4 == 0 {
					continue
				}
				parent := seed.TagIDs[201+i-1]
				if _, err := st.UpdateTag(ctx, id, store.TagInput{ParentID: graphql.OmittableOf(&parent)}); err != nil {
					b.Fatal(err)
				}
			}
			if err := st.Analyze(ctx); err != nil {
				b.Fatal(err)
			}
			res := resolvers.New(st, nil)
			au := auth.New(st, nil, nil, auth.Config{Params: testParams})
			if err := st.CreateUser(ctx, &store.User{Username: "bench", Password: testParams.Hash("bench-pw"), IsActive: true, IsSuperuser: true}); err != nil {
				b.Fatal(err)
			}
			api := rest.New(rest.Config{Resolver: res, Auth: restAuth{au}, Location: time.UTC, Version: "bench"})
			r := chi.NewRouter()
			r.Mount(rest.Prefix, api.APIHandler())
			srv := httptest.NewServer(r)
			defer srv.Close()
			list := func(ids []int) string {
				s := make([]string, len(ids))
				for i, id := range ids {
					s[i] = fmt.Sprint(id)
				}
				return "/api/tags/?page_size=100&id__in=" + strings.Join(s, ",")
			}
			fetch := func(path string) int {
				req, _ := http.NewRequest("GET", srv.URL+path, nil)
				req.SetBasicAuth("bench", "bench-pw")
				req.Header.Set("Accept", "application/json; version=10")
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				body, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err != nil || resp.StatusCode != 200 {
					b.Fatalf("GET %s: %d %v %.200s", path, resp.StatusCode, err, body)
				}
				return len(body)
			}
			flatPath, nestedPath := list(flat), list(nested)
			var flatSize, nestedSize int
			fetch(flatPath)
			var lf, ln []time.Duration
			b.ResetTimer()
			for b.Loop() {
				t := time.Now()
				flatSize = fetch(flatPath)
				lf = append(lf, time.Since(t))
				t = time.Now()
				nestedSize = fetch(nestedPath)
				ln = append(ln, time.Since(t))
			}
			b.StopTimer()
			pf, pn := median(lf), median(ln)
			b.ReportMetric(float64(pf.Microseconds())/1000, "flat-p50-ms")
			b.ReportMetric(float64(pn.Microseconds())/1000, "nested-p50-ms")
			b.ReportMetric(float64(pn)/float64(max(pf, 1)), "nested/flat")
			b.ReportMetric(float64(flatSize), "flat-bytes")
			b.ReportMetric(float64(nestedSize), "nested-bytes")
		})
	}
}
