package store_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/quirehq/quire/store"
	"github.com/quirehq/quire/store/storetest"
)

// seeded is one seeded store per dialect, shared by this package's
// benchmarks (seeding 100k documents takes tens of seconds).
var seeded = struct {
	sync.Mutex
	stores map[string]*store.Store
	seeds  map[string]storetest.SeedResult
}{stores: map[string]*store.Store{}, seeds: map[string]storetest.SeedResult{}}

// benchStores runs fn on a seeded store per dialect as a sub-benchmark.
// The stores live for the whole test binary (their temp folders go with it).
func benchStores(b *testing.B, fn func(b *testing.B, s *store.Store, seed storetest.SeedResult)) {
	for _, dialect := range storetest.Dialects(b) {
		b.Run(dialect, func(b *testing.B) {
			seeded.Lock()
			s, ok := seeded.stores[dialect]
			if !ok {
				s = storetest.OpenConfig(&persistentTB{b}, dialect, store.Config{})
				seed, err := storetest.Seed(context.Background(), s, storetest.BenchSeed())
				if err != nil {
					seeded.Unlock()
					b.Fatal(err)
				}
				if err := s.Analyze(context.Background()); err != nil {
					seeded.Unlock()
					b.Fatal(err)
				}
				seeded.stores[dialect], seeded.seeds[dialect] = s, seed
			}
			seed := seeded.seeds[dialect]
			seeded.Unlock()
			b.ResetTimer()
			fn(b, s, seed)
		})
	}
}

// persistentTB keeps a benchmark's store alive past the sub-benchmark that
// opened it: cleanups are dropped (the OS reclaims the temp files; a
// PostgreSQL schema stays until the test database is dropped).
type persistentTB struct{ testing.TB }

func (persistentTB) Cleanup(func()) {}

// BenchmarkDocumentsTagsAll lists the newest 25 documents carrying two
// given tags, with the total: a typical pair (tags on ~4% and ~3% of the
// documents) and the seed's most popular pair (~26% and ~11%).
func BenchmarkDocumentsTagsAll(b *testing.B) {
	benchStores(b, func(b *testing.B, s *store.Store, seed storetest.SeedResult) {
		for _, pair := range []struct {
			name string
			tags []int
		}{{"typical", []int{seed.TagIDs[10], seed.TagIDs[20]}}, {"popular", []int{seed.TagIDs[1], seed.TagIDs[2]}}} {
			b.Run(pair.name, func(b *testing.B) {
				ctx := context.Background()
				f := store.DocumentFilter{Tags: &store.TagsFilter{All: pair.tags}}
				order := []store.DocumentOrder{{Field: store.DocumentOrderCreated, Direction: store.Desc}}
				var lat storetest.Latencies
				for b.Loop() {
					lat.Time(func() {
						docs, total, err := s.Documents(ctx, f, order, store.Page{Number: 1, Size: 25})
						if err != nil {
							b.Fatal(err)
						}
						if total == 0 || len(docs) != min(25, total) {
							b.Fatalf("got %d documents of %d", len(docs), total)
						}
					})
				}
				lat.Report(b)
			})
		}
	})
}

// BenchmarkDocumentsList lists the first page of all documents in the
// default order (newest first), with the total.
func BenchmarkDocumentsList(b *testing.B) {
	benchStores(b, func(b *testing.B, s *store.Store, _ storetest.SeedResult) {
		ctx := context.Background()
		var lat storetest.Latencies
		for b.Loop() {
			lat.Time(func() {
				docs, total, err := s.Documents(ctx, store.DocumentFilter{}, nil, store.Page{Number: 1, Size: 25})
				if err != nil {
					b.Fatal(err)
				}
				if len(docs) != 25 || total != storetest.BenchDocuments() {
					b.Fatalf("got %d documents of %d", len(docs), total)
				}
			})
		}
		lat.Report(b)
	})
}

// BenchmarkDocumentContents reads the text of 10 documents spread over the
// archive, as a Typesense search with highlights does for its page.
func BenchmarkDocumentContents(b *testing.B) {
	benchStores(b, func(b *testing.B, s *store.Store, _ storetest.SeedResult) {
		ctx := context.Background()
		n := storetest.BenchDocuments()
		var lat storetest.Latencies
		for i := 0; b.Loop(); i++ {
			ids := make([]int, 10)
			for j := range ids {
				ids[j] = 1 + (i*7919+j*(n/10))%n
			}
			lat.Time(func() {
				c, err := s.DocumentContents(ctx, ids)
				if err != nil || len(c) != 10 {
					b.Fatalf("got %d contents: %v", len(c), err)
				}
			})
		}
		lat.Report(b)
	})
}

// permissionedArchive gives a seeded archive owners and grants, once per
// store (issue 16's benchmark): 10 users in 3 groups of three (user 1 in
// none); user 1 owns 30 % of the documents — a third of those shared with
// group 1 (view), a third with group 2 (change) and user 5 (view), a third
// private. It returns a principal per role: "member" (user 2, in group 1:
// sees the unowned 70 % and the 10 % shared with its group) and "owner".
func permissionedArchive(b *testing.B, s *store.Store) map[string]*store.Principal {
	perms.Lock()
	defer perms.Unlock()
	if p, ok := perms.principals[s]; ok {
		return p
	}
	ctx := context.Background()
	users := make([]int, 10)
	for i := range users {
		u := &store.User{Username: fmt.Sprintf("bench-user-%d", i+1), Password: "!", IsActive: true, DateJoined: time.Now()}
		if err := s.CreateUser(ctx, u); err != nil {
			b.Fatal(err)
		}
		users[i] = u.ID
	}
	groups := make([]int, 3)
	for i := range groups {
		g := &store.Group{Name: fmt.Sprintf("bench-group-%d", i+1)}
		if err := s.CreateGroup(ctx, g, nil); err != nil {
			b.Fatal(err)
		}
		groups[i] = g.ID
		for _, u := range users[1+3*i : 4+3*i] {
			if err := s.SetUserGroups(ctx, u, []int{g.ID}); err != nil {
				b.Fatal(err)
			}
		}
	}
	ids, err := s.DocumentIDs(ctx, store.DocumentFilter{}, []store.DocumentOrder{{Field: store.DocumentOrderID, Direction: store.Asc}})
	if err != nil {
		b.Fatal(err)
	}
	shares := [3]store.PermissionsUpdate{
		{View: &store.HoldersUpdate{Groups: &[]int{groups[0]}}},
		{Change: &store.HoldersUpdate{Groups: &[]int{groups[1]}}, View: &store.HoldersUpdate{Users: &[]int{users[4]}}},
		{},
	}
	for k := range 3 {
		var owned []int
		for _, id := range ids {
			if id%10 == k {
				owned = append(owned, id)
			}
		}
		for chunk := range slices.Chunk(owned, 5000) {
			upd := shares[k]
			upd.SetOwner, upd.Owner = true, &users[0]
			if err := s.SetPermissions(ctx, store.ModelDocument, chunk, upd); err != nil {
				b.Fatal(err)
			}
		}
	}
	if err := s.Analyze(ctx); err != nil {
		b.Fatal(err)
	}
	p := map[string]*store.Principal{
		"member": {UserID: users[1], GroupIDs: []int{groups[0]}},
		"owner":  {UserID: users[0]},
	}
	perms.principals[s] = p
	return p
}

var perms = struct {
	sync.Mutex
	principals map[*store.Store]map[string]*store.Principal
}{principals: map[*store.Store]map[string]*store.Principal{}}

// BenchmarkDocumentsTagsAllPermissions is BenchmarkDocumentsTagsAll (and,
// as "archive", the unfiltered first page) on an archive with owners and
// grants (see permissionedArchive), as a superuser and as two
// non-superusers, in one run so the figures compare.
func BenchmarkDocumentsTagsAllPermissions(b *testing.B) {
	benchStores(b, func(b *testing.B, s *store.Store, seed storetest.SeedResult) {
		principals := permissionedArchive(b, s)
		for _, pair := range []struct {
			name string
			tags []int
		}{{"typical", []int{seed.TagIDs[10], seed.TagIDs[20]}}, {"popular", []int{seed.TagIDs[1], seed.TagIDs[2]}}, {"archive", nil}} {
			for _, who := range []string{"superuser", "member", "owner"} {
				b.Run(pair.name+"/"+who, func(b *testing.B) {
					p := principals[who]
					if who == "superuser" {
						p = &store.Principal{UserID: 1, Superuser: true}
					}
					ctx := store.WithPrincipal(context.Background(), p)
					var f store.DocumentFilter
					if pair.tags != nil {
						f.Tags = &store.TagsFilter{All: pair.tags}
					}
					order := []store.DocumentOrder{{Field: store.DocumentOrderCreated, Direction: store.Desc}}
					var lat storetest.Latencies
					for b.Loop() {
						lat.Time(func() {
							docs, total, err := s.Documents(ctx, f, order, store.Page{Number: 1, Size: 25})
							if err != nil {
								b.Fatal(err)
							}
							if total == 0 || len(docs) != min(25, total) {
								b.Fatalf("got %d documents of %d", len(docs), total)
							}
						})
					}
					lat.Report(b)
				})
			}
		}
	})
}

// BenchmarkObjectCountsPermissions is what a tag or correspondent list
// adds to a page: every tag's and correspondent's document count, on the
// archive of BenchmarkDocumentsTagsAllPermissions, as a superuser and a
// member.
func BenchmarkObjectCountsPermissions(b *testing.B) {
	benchStores(b, func(b *testing.B, s *store.Store, seed storetest.SeedResult) {
		principals := permissionedArchive(b, s)
		for _, who := range []string{"superuser", "member"} {
			p := principals[who]
			if who == "superuser" {
				p = &store.Principal{UserID: 1, Superuser: true}
			}
			ctx := store.WithPrincipal(context.Background(), p)
			for _, op := range []struct {
				name string
				fn   func() error
			}{
				{"tags", func() error { _, err := s.TagDocumentCounts(ctx, seed.TagIDs); return err }},
				{"correspondents", func() error { _, err := s.CorrespondentDocumentCounts(ctx, seed.CorrespondentIDs); return err }},
			} {
				b.Run(op.name+"/"+who, func(b *testing.B) {
					var lat storetest.Latencies
					for b.Loop() {
						lat.Time(func() {
							if err := op.fn(); err != nil {
								b.Fatal(err)
							}
						})
					}
					lat.Report(b)
				})
			}
		}
	})
}
