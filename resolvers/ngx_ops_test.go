package resolvers_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/quirehq/quire/resolvers"
	"github.com/quirehq/quire/server/auth"
	"github.com/quirehq/quire/store"
)

func TestBulkEditAllAndNgxMethods(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		a, _ := seedDocs(t, e, 9)
		var out struct{ BulkEditDocuments []string }
		// all + filter: documents whose title contains "00" (Doc 000…009) without tag a.
		e.mustDo(fmt.Sprintf(`mutation { bulkEditDocuments(input: {documentIds: [], all: true,
			filter: {title: {icontains: "doc 00"}, tags: {none: [%d]}}, method: ADD_TAG, tagId: %d}) }`, a, a), &out)
		if len(out.BulkEditDocuments) != 3 {
			t.Fatalf("all+filter changed %v", out.BulkEditDocuments)
		}
		var ids struct{ DocumentIds []string }
		e.mustDo(fmt.Sprintf(`{ documentIds(filter: {tags: {none: [%d]}}) }`, a), &ids)
		if len(ids.DocumentIds) != 0 {
			t.Fatalf("documents left without the tag: %v", ids.DocumentIds)
		}
		err := e.wantCode(e.do(e.c, `mutation { bulkEditDocuments(input: {documentIds: [], method: ROTATE}) }`, nil), "VALIDATION")
		if m := err.Extensions.Fields["method"]; len(m) != 1 || m[0] != "rotate is not supported by this server yet" {
			t.Fatalf("rotate: %+v", err)
		}
		e.wantCode(e.do(e.c, `mutation { bulkEditDocuments(input: {documentIds: [], method: SET_STORAGE_PATH, storagePathId: 3}) }`, nil), "VALIDATION")
		e.mustDo(`mutation { bulkEditDocuments(input: {documentIds: [], method: SET_PERMISSIONS, ownerId: 1, merge: true}) }`, nil)
	})
}

func TestBulkEditObjectsAndGlobalSearch(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		a, b := seedDocs(t, e, 6)
		var gs struct {
			GlobalSearch struct {
				Total     int
				Documents []struct{ Title string }
				Tags      []struct{ Name string }
				Users     []struct{ Username string }
			}
		}
		e.mustDo(`{ globalSearch(query: "doc 00", dbOnly: true) { total documents { title } tags { name } users { username } } }`, &gs)
		if len(gs.GlobalSearch.Documents) != 3 || gs.GlobalSearch.Total != 3 {
			t.Fatalf("global search %+v", gs)
		}
		e.mustDo(`{ globalSearch(query: "ALPH") { total tags { name } users { username } } }`, &gs)
		if len(gs.GlobalSearch.Tags) != 1 || gs.GlobalSearch.Tags[0].Name != "Alpha" {
			t.Fatalf("tag search %+v", gs)
		}
		e.wantCode(e.do(e.c, `{ globalSearch(query: "ab") { total } }`, nil), "VALIDATION")
		var del struct{ BulkEditObjects []string }
		e.mustDo(fmt.Sprintf(`mutation { bulkEditObjects(input: {objectIds: [%d, %d], objectType: TAGS, operation: DELETE}) }`, b, a), &del)
		if len(del.BulkEditObjects) != 2 {
			t.Fatalf("deleted %v", del.BulkEditObjects)
		}
		tags, _ := e.st.TagIDs(context.Background(), store.NameFilter{}, nil)
		if len(tags) != 1 {
			t.Fatalf("tags left %v", tags)
		}
		err := e.wantCode(e.do(e.c, `mutation { bulkEditObjects(input: {objectIds: [1], objectType: STORAGE_PATHS, operation: DELETE}) }`, nil), "VALIDATION")
		if err.Extensions.Fields["objectIds"] == nil {
			t.Fatalf("storage paths: %+v", err)
		}
	})
}

type okCredentials struct{ u *store.User }

func (c okCredentials) Login(context.Context, string, string) (*store.User, error) { return c.u, nil }

// TokenForCredentials counts attempts per client: the sixth in a minute
// is THROTTLED with the seconds to wait, another client is not.
func TestTokenForCredentialsThrottled(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		e.res.Credentials = okCredentials{e.user}
		e.res.TokenThrottle = auth.NewThrottle(5, time.Minute)
		name, pw := "admin", "x"
		ctx := resolvers.WithClient(context.Background(), "192.0.2.9")
		for i := range 5 {
			if _, err := e.res.TokenForCredentials(ctx, &name, &pw); err != nil {
				t.Fatalf("attempt %d: %v", i+1, err)
			}
		}
		_, err := e.res.TokenForCredentials(ctx, &name, &pw)
		var se *store.Error
		if store.ErrorCode(err) != store.Throttled || !asError(err, &se) || se.RetryAfter < 1 || se.RetryAfter > 60 {
			t.Fatalf("sixth attempt: %v", err)
		}
		if _, err := e.res.TokenForCredentials(resolvers.WithClient(context.Background(), "192.0.2.10"), &name, &pw); err != nil {
			t.Fatalf("another client: %v", err)
		}
	})
}

func asError(err error, target **store.Error) bool { return errors.As(err, target) }
