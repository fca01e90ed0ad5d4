package rest_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
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

// benchClients is the number of concurrent clients.
const benchClients = 16

// benchDocuments is 100,000, or BENCH_DOCUMENTS for a quick run.
func benchDocuments() int {
	if n, err := strconv.Atoi(os.Getenv("BENCH_DOCUMENTS")); err == nil && n > 0 {
		return n
	}
	return 100000
}

// BenchmarkREST measures the REST layer end to end — a real HTTP server on
// loopback, HTTP Basic auth, 16 concurrent clients — on the seeded archive,
// and in the same run a bare Go handler that writes the same bytes, so the
// ratio shows what the layer (auth, resolvers, store, serialisation) costs
// over the network round trip. Metrics: p50-ms and req/s of both, and
// p50-ratio / rps-ratio (REST over bare).
func BenchmarkREST(b *testing.B) {
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
			api := rest.New(rest.Config{Resolver: res, Auth: restAuth{au}, Location: time.UTC, Version: "bench"})
			r := chi.NewRouter()
			r.Use(middleware.RequestID)
			r.Mount(rest.Prefix, api.APIHandler())
			srv := httptest.NewServer(r)
			defer srv.Close()

			// "cached": as shipped (the default QUIRE_RESPONSE_CACHE_MB), the
			// page rendered once and reused while the archive's version is
			// unchanged; "uncached": every request runs the resolvers.
			for _, mode := range []string{"cached", "uncached"} {
				res.Memo = nil
				if mode == "cached" {
					res.Memo = resolvers.NewMemo(32 << 20)
				}
				for _, c := range []struct{ name, path string }{
					{"documents_tags_all", fmt.Sprintf("/api/documents/?page_size=25&ordering=-created&tags__id__all=%d,%d", seed.TagIDs[10], seed.TagIDs[20])},
					{"tags_all", "/api/tags/?page_size=100000"},
				} {
					b.Run(mode+"/"+c.name, func(b *testing.B) { benchAgainstBare(b, srv.URL, c.path) })
				}
			}
		})
	}
}

// benchAgainstBare runs b.N requests through Quire, then b.N through a
// bare handler serving the same body, and reports both.
func benchAgainstBare(b *testing.B, base, path string) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: benchClients, MaxConnsPerHost: benchClients}}
	defer client.CloseIdleConnections()
	fetch := func(url string, auth bool) []byte {
		req, _ := http.NewRequest("GET", url, nil)
		if auth {
			req.SetBasicAuth("bench", "bench-pw")
		}
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 {
			b.Fatalf("GET %s: %d %v %.200s", url, resp.StatusCode, err, body)
		}
		return body
	}
	want := fetch(base+path, true) // warm up: the first Basic login pays the hash
	bare := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(want)))
		w.Write(want)
	}))
	defer bare.Close()

	// Quire and the bare handler take turns in ten rounds, so both see
	// the same machine (these hosts are shared and noisy).
	b.ResetTimer()
	var restLat, bareLat []time.Duration
	var restTime, bareTime time.Duration
	const rounds = 10
	for i := range rounds {
		n := b.N/rounds + min(1, max(0, b.N%rounds-i))
		lat, d := runClients(n, func() { fetch(base+path, true) })
		restLat, restTime = append(restLat, lat...), restTime+d
		lat, d = runClients(n, func() { fetch(bare.URL+path, false) })
		bareLat, bareTime = append(bareLat, lat...), bareTime+d
	}
	restP50, restRPS := median(restLat), float64(len(restLat))/restTime.Seconds()
	bareP50, bareRPS := median(bareLat), float64(len(bareLat))/bareTime.Seconds()
	b.StopTimer()
	b.ReportMetric(float64(restP50.Microseconds())/1000, "p50-ms")
	b.ReportMetric(restRPS, "req/s")
	b.ReportMetric(float64(bareP50.Microseconds())/1000, "bare-p50-ms")
	b.ReportMetric(bareRPS, "bare-req/s")
	b.ReportMetric(float64(restP50)/float64(max(bareP50, 1)), "p50-ratio")
	b.ReportMetric(restRPS/max(bareRPS, 1), "rps-ratio")
	b.ReportMetric(float64(len(want)), "bytes/resp")
}

// runClients performs n calls of fn on benchClients goroutines and
// returns their latencies and the time they took.
func runClients(n int, fn func()) ([]time.Duration, time.Duration) {
	var next atomic.Int64
	lat := make([]time.Duration, n)
	var wg sync.WaitGroup
	start := time.Now()
	for range benchClients {
		wg.Go(func() {
			for {
				i := next.Add(1) - 1
				if i >= int64(n) {
					return
				}
				t := time.Now()
				fn()
				lat[i] = time.Since(t)
			}
		})
	}
	wg.Wait()
	return lat, time.Since(start)
}

// median sorts lat and returns its middle value.
func median(lat []time.Duration) time.Duration {
	if len(lat) == 0 {
		return 0
	}
	slices.Sort(lat)
	return lat[len(lat)/2]
}
