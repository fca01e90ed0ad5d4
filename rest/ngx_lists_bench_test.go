package rest_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/quirehq/quire/resolvers"
	"github.com/quirehq/quire/rest"
	"github.com/quirehq/quire/server/auth"
	"github.com/quirehq/quire/store"
	"github.com/quirehq/quire/store/storetest"
)

// BenchmarkNgxLists measures the paperless-ngx list pages against the v2
// page on the seeded archive (BENCH_DOCUMENTS, default 100k): one client
// over loopback HTTP with Basic auth, the response cache off (every
// request runs the resolvers), the compared requests taking turns so that
// both see the same machine.
//
//   - v2_vs_v10_page: the document page (25, -created, two tags; v10
//     without all); metric v10/v2 is the p50 ratio.
//   - v9_all_26pct: the v9 page of the tag on ~26% of the archive, with
//     `all` (the ids of every match), beside the same page in v10.
func BenchmarkNgxLists(b *testing.B) {
	for _, dialect := range storetest.Dialects(b) {
		b.Run(dialect, func(b *testing.B) {
			ctx := context.Background()
			st := storetest.OpenConfig(b, dialect, store.Config{Location: time.UTC})
			seed, err := storetest.Seed(ctx, st, storetest.SeedConfig{Documents: benchDocuments(), Tags: 50, Correspondents: 500, Types: 20})
			if err != nil {
				b.Fatal(err)
			}
			if err := st.Analyze(ctx); err != nil {
				b.Fatal(err)
			}
			res := resolvers.New(st, nil)
			au := auth.New(st, nil, nil, auth.Config{Params: testParams})
			u := &store.User{Username: "bench", Password: testParams.Hash("bench-pw"), IsActive: true}
			if err := st.CreateUser(ctx, u); err != nil {
				b.Fatal(err)
			}
			api := rest.New(rest.Config{Resolver: res, Auth: restAuth{au}, Location: time.UTC, Version: "bench"})
			r := chi.NewRouter()
			r.Use(middleware.RequestID)
			r.Mount(rest.Prefix, api.APIHandler())
			srv := httptest.NewServer(r)
			defer srv.Close()
			client := &http.Client{}
			fetch := func(path string, version int) int {
				req, _ := http.NewRequest("GET", srv.URL+path, nil)
				req.SetBasicAuth("bench", "bench-pw")
				req.Header.Set("Accept", fmt.Sprintf("application/json; version=%d", version))
				resp, err := client.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				body, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err != nil || resp.StatusCode != 200 {
					b.Fatalf("GET %s v%d: %d %v %.200s", path, version, resp.StatusCode, err, body)
				}
				return len(body)
			}
			// timed runs the calls in turn per iteration and returns the
			// p50 of each.
			timed := func(b *testing.B, calls ...func()) []time.Duration {
				for _, c := range calls {
					c() // warm up: the first Basic login pays the hash
				}
				lat := make([][]time.Duration, len(calls))
				b.ResetTimer()
				for b.Loop() {
					for i, c := range calls {
						t := time.Now()
						c()
						lat[i] = append(lat[i], time.Since(t))
					}
				}
				b.StopTimer()
				out := make([]time.Duration, len(calls))
				for i := range lat {
					out[i] = median(lat[i])
				}
				return out
			}
			ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

			page := fmt.Sprintf("/api/documents/?page_size=25&ordering=-created&tags__id__all=%d,%d", seed.TagIDs[10], seed.TagIDs[20])
			b.Run("v2_vs_v10_page", func(b *testing.B) {
				p := timed(b, func() { fetch(page, 2) }, func() { fetch(page, 10) })
				b.ReportMetric(ms(p[0]), "v2-p50-ms")
				b.ReportMetric(ms(p[1]), "v10-p50-ms")
				b.ReportMetric(float64(p[1])/float64(max(p[0], 1)), "v10/v2")
			})
			popular := fmt.Sprintf("/api/documents/?tags__id=%d", seed.TagIDs[1])
			b.Run("v9_all_26pct", func(b *testing.B) {
				var size int
				p := timed(b, func() { size = fetch(popular, 9) }, func() { fetch(popular, 10) })
				b.ReportMetric(ms(p[0]), "v9-p50-ms")
				b.ReportMetric(ms(p[1]), "v10-p50-ms")
				b.ReportMetric(float64(size), "v9-bytes")
			})
			// What `all` costs a list of 500 correspondents: v9 carries
			// it, v10 (the same object) does not.
			b.Run("v9_vs_v10_correspondents", func(b *testing.B) {
				var size int
				path := "/api/correspondents/?page_size=25&ordering=name"
				p := timed(b, func() { size = fetch(path, 9) }, func() { fetch(path, 10) })
				b.ReportMetric(ms(p[0]), "v9-p50-ms")
				b.ReportMetric(ms(p[1]), "v10-p50-ms")
				b.ReportMetric(float64(p[0])/float64(max(p[1], 1)), "v9/v10")
				b.ReportMetric(float64(size), "v9-bytes")
			})
			// What `all` costs versions 1 and 2 (issue 15): their pages of
			// the popular tag and of the whole archive (the paperless-ng
			// 1.5.0 UI's first page) beside the same pages in v10, which
			// never carries `all`.
			for name, path := range map[string]string{"v2_vs_v10_26pct": popular,
				"v2_vs_v10_unfiltered": "/api/documents/?page=1&page_size=50&ordering=-created&truncate_content=true"} {
				b.Run(name, func(b *testing.B) {
					var size int
					p := timed(b, func() { size = fetch(path, 2) }, func() { fetch(path, 10) })
					b.ReportMetric(ms(p[0]), "v2-p50-ms")
					b.ReportMetric(ms(p[1]), "v10-p50-ms")
					b.ReportMetric(float64(p[0])/float64(max(p[1], 1)), "v2/v10")
					b.ReportMetric(float64(size), "v2-bytes")
				})
			}
		})
	}
}
