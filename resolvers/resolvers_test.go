package resolvers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/quirehq/quire/resolvers"
	"github.com/quirehq/quire/store"
	"github.com/quirehq/quire/store/storetest"
)

// env is one test's GraphQL endpoint on a fresh store, called as a user.
type env struct {
	t     *testing.T
	st    *store.Store
	res   *resolvers.Resolver
	user  *store.User
	c     http.Handler
	anon  http.Handler
	other http.Handler // a second, non-superuser user
}

func newEnv(t *testing.T, dialect string) *env {
	t.Helper()
	st := storetest.Open(t, dialect)
	ctx := context.Background()
	mkUser := func(name string, super bool) *store.User {
		u := &store.User{Username: name, Password: "!unusable", IsActive: true, IsSuperuser: super, DateJoined: time.Now()}
		if err := st.CreateUser(ctx, u); err != nil {
			t.Fatalf("create user %s: %v", name, err)
		}
		p, err := st.Access(ctx, u) // as the authenticator attaches it
		if err != nil {
			t.Fatal(err)
		}
		u.Access = p
		return u
	}
	admin, other := mkUser("admin", true), mkUser("other", false)
	res := resolvers.New(st, nil)
	h := res.Handler()
	as := func(u *store.User) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx := resolvers.WithLoaders(r.Context(), st)
			if u != nil {
				ctx = resolvers.WithUser(ctx, u)
			}
			h.ServeHTTP(w, r.WithContext(ctx))
		})
	}
	return &env{t: t, st: st, res: res, user: admin, c: as(admin), anon: as(nil), other: as(other)}
}

// gqlError is one GraphQL error as the presenter shapes it.
type gqlError struct {
	Message    string `json:"message"`
	Extensions struct {
		Code   string              `json:"code"`
		Fields map[string][]string `json:"fields"`
	} `json:"extensions"`
}

// do posts a query to h and returns its data and errors.
func (e *env) do(h http.Handler, q string, data any) []gqlError {
	e.t.Helper()
	body, _ := json.Marshal(map[string]string{"query": q})
	req := httptest.NewRequest("POST", "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var resp struct {
		Data   json.RawMessage
		Errors []gqlError
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
		e.t.Fatalf("status %d, undecodable body %q: %v", rec.Code, rec.Body.String(), err)
	}
	if data != nil && len(resp.Data) > 0 && string(resp.Data) != "null" {
		if err := json.Unmarshal(resp.Data, data); err != nil {
			e.t.Fatalf("decode data %s: %v", resp.Data, err)
		}
	}
	return resp.Errors
}

// mustDo runs a query that must succeed.
func (e *env) mustDo(q string, data any) {
	e.t.Helper()
	if errs := e.do(e.c, q, data); len(errs) > 0 {
		e.t.Fatalf("query failed: %+v\n%s", errs, q)
	}
}

// wantCode asserts exactly one error with the code and returns it.
func (e *env) wantCode(errs []gqlError, code string) gqlError {
	e.t.Helper()
	if len(errs) != 1 {
		e.t.Fatalf("want one %s error, got %+v", code, errs)
	}
	if errs[0].Extensions.Code != code {
		e.t.Fatalf("want code %s, got %+v", code, errs[0])
	}
	return errs[0]
}

func forEachDialect(t *testing.T, fn func(t *testing.T, e *env)) {
	for _, d := range storetest.Dialects(t) {
		t.Run(d, func(t *testing.T) { fn(t, newEnv(t, d)) })
	}
}

func TestCorrespondentLifecycle(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		var created struct {
			CreateCorrespondent struct {
				ID                string
				Slug              string
				Name              string
				MatchingAlgorithm string
				IsInsensitive     bool
				DocumentCount     int
			}
		}
		e.mustDo(`mutation { createCorrespondent(input: {name: "  Bank & Co. KG ", match: "ACME", matchingAlgorithm: LITERAL}) {
			id slug name matchingAlgorithm isInsensitive documentCount } }`, &created)
		c := created.CreateCorrespondent
		if c.Name != "Bank & Co. KG" || c.Slug != "bank-co-kg" || c.MatchingAlgorithm != "LITERAL" || !c.IsInsensitive || c.DocumentCount != 0 {
			t.Fatalf("created %+v", c)
		}

		errs := e.do(e.c, `mutation { createCorrespondent(input: {name: "bank & co. kg"}) { id } }`, nil)
		if got := e.wantCode(errs, "CONFLICT"); len(got.Extensions.Fields["name"]) == 0 {
			t.Fatalf("conflict without name field: %+v", got)
		}

		var updated struct{ UpdateCorrespondent struct{ Name, Match string } }
		e.mustDo(fmt.Sprintf(`mutation { updateCorrespondent(id: %s, input: {name: "Bank"}) { name match } }`, c.ID), &updated)
		if updated.UpdateCorrespondent.Name != "Bank" || updated.UpdateCorrespondent.Match != "ACME" {
			t.Fatalf("updated %+v (match must be kept as entered)", updated.UpdateCorrespondent)
		}

		var del struct{ DeleteCorrespondent string }
		e.mustDo(fmt.Sprintf(`mutation { deleteCorrespondent(id: %s) }`, c.ID), &del)
		if del.DeleteCorrespondent != c.ID {
			t.Fatalf("delete returned %q", del.DeleteCorrespondent)
		}
		e.wantCode(e.do(e.c, fmt.Sprintf(`{ correspondent(id: %s) { id } }`, c.ID), nil), "NOT_FOUND")
	})
}

func TestValidationErrors(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		cases := []struct {
			name, query, code, field string
		}{
			{"ErrNameBlank", `mutation { createTag(input: {name: "   "}) { id } }`, "VALIDATION", "name"},
			{"ErrNameRequired", `mutation { createDocumentType(input: {match: "x"}) { id } }`, "VALIDATION", "name"},
			{"ErrNameTooLong", fmt.Sprintf(`mutation { createTag(input: {name: "%0129d"}) { id } }`, 0), "VALIDATION", "name"},
			{"ErrBadRegex", `mutation { createTag(input: {name: "r", match: "[", matchingAlgorithm: REGEX}) { id } }`, "VALIDATION", "match"},
			{"ErrBadColor", `mutation { createTag(input: {name: "c", color: "#12345g"}) { id } }`, "VALIDATION", "color"},
			{"ErrBadPageSize", `{ tags(pageSize: 0) { totalCount } }`, "VALIDATION", "pageSize"},
			{"ErrUnknownTagOnDocument", `mutation { bulkEditDocuments(input: {documentIds: [], method: ADD_TAG, tagId: 999}) }`, "VALIDATION", ""},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				got := e.wantCode(e.do(e.c, tc.query, nil), tc.code)
				if tc.field != "" && len(got.Extensions.Fields[tc.field]) == 0 {
					t.Fatalf("no message for field %s: %+v", tc.field, got)
				}
			})
		}
		// A regex-looking match is fine for other algorithms.
		e.mustDo(`mutation { createTag(input: {name: "any", match: "[", matchingAlgorithm: ANY}) { id } }`, nil)
	})
}

func TestBadInputIsNotInternal(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		for name, q := range map[string]string{
			"NonNumericID": `{ document(id: "abc") { id } }`,
			"BadDate":      `{ documents(filter: {created: {dateGt: "2020-13-45"}}) { totalCount } }`,
			"UnknownField": `{ documents { nope } }`,
		} {
			t.Run(name, func(t *testing.T) {
				errs := e.do(e.c, q, nil)
				if len(errs) == 0 {
					t.Fatal("no error")
				}
				if code := errs[0].Extensions.Code; code == "INTERNAL" || code == "" {
					t.Fatalf("bad input answered %+v", errs[0])
				}
			})
		}
	})
}

func TestUnauthenticated(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		e.wantCode(e.do(e.anon, `{ statistics { documentsTotal } }`, nil), "UNAUTHENTICATED")
		e.wantCode(e.do(e.anon, `mutation { createTag(input: {name: "x"}) { id } }`, nil), "UNAUTHENTICATED")
		e.wantCode(e.do(e.other, `{ users { id } }`, nil), "FORBIDDEN")
	})
}

func TestTagColours(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		var out struct {
			A, B struct {
				Color, TextColor string
				Colour           int
			}
		}
		e.mustDo(`mutation { a: createTag(input: {name: "default"}) { color textColor colour }
			b: createTag(input: {name: "custom", color: "#000000"}) { color textColor colour } }`, &out)
		if out.A.Color != "#a6cee3" || out.A.Colour != 1 || out.A.TextColor != "#000000" {
			t.Fatalf("default tag colour %+v", out.A)
		}
		if out.B.Colour != 12 || out.B.TextColor != "#ffffff" {
			t.Fatalf("black tag %+v", out.B)
		}
	})
}

// seedDocs creates n documents with two tags each and a correspondent.
func seedDocs(t *testing.T, e *env, n int) (tagA, tagB int) {
	t.Helper()
	ctx := context.Background()
	name := func(s string) *string { return &s }
	var tags []int
	for _, tn := range []string{"Alpha", "beta", "Gamma"} {
		tg, err := e.st.CreateTag(ctx, store.TagInput{Name: name(tn)})
		if err != nil {
			t.Fatal(err)
		}
		tags = append(tags, tg.ID)
	}
	var corrs []int
	for i := range 5 {
		c, err := e.st.CreateCorrespondent(ctx, store.CorrespondentInput{Name: name(fmt.Sprintf("Corr %d", i))})
		if err != nil {
			t.Fatal(err)
		}
		corrs = append(corrs, c.ID)
	}
	base := time.Date(2021, 3, 1, 12, 0, 0, 0, time.UTC)
	for i := range n {
		cid := corrs[i%len(corrs)]
		d := &store.Document{
			Title: fmt.Sprintf("Doc %03d", i), Content: "content", CorrespondentID: &cid,
			Created: base.Add(time.Duration(i) * time.Hour), Modified: base, Added: base,
			MimeType: "application/pdf", Checksum: fmt.Sprintf("%032x", i),
		}
		if err := e.st.CreateDocument(ctx, d, []int{tags[i%3], tags[(i+1)%3]}); err != nil {
			t.Fatal(err)
		}
	}
	return tags[0], tags[1]
}

// queryCounter counts the SQL statements a store runs.
type queryCounter struct{ n atomic.Int64 }

func (q *queryCounter) BeforeQuery(ctx context.Context, e *bun.QueryEvent) context.Context {
	if os.Getenv("PRINTSQL") != "" {
		fmt.Println(e.Query)
	}
	q.n.Add(1)
	return ctx
}
func (q *queryCounter) AfterQuery(context.Context, *bun.QueryEvent) {}

func TestDocumentPageCostsConstantQueries(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		seedDocs(t, e, 60)
		qc := &queryCounter{}
		e.st.QueryHook(qc)
		var out struct {
			Documents struct {
				TotalCount int
				Items      []struct {
					Title         string
					Correspondent struct{ Name string }
					Tags          []struct{ Name string }
					TagIds        []string
				}
			}
		}
		e.mustDo(`{ documents(orderBy: [{field: CREATED, direction: DESC}], pageSize: 25) {
			totalCount items { title correspondent { name } tags { name } tagIds } } }`, &out)
		if out.Documents.TotalCount != 60 || len(out.Documents.Items) != 25 {
			t.Fatalf("got %d of %d", len(out.Documents.Items), out.Documents.TotalCount)
		}
		first := out.Documents.Items[0]
		if first.Title != "Doc 059" || first.Correspondent.Name != "Corr 4" || len(first.Tags) != 2 || len(first.TagIds) != 2 {
			t.Fatalf("first item %+v", first)
		}
		if n := qc.n.Load(); n > 3 {
			t.Fatalf("a page of 25 documents with tags and correspondents took %d SQL queries, want ≤ 3", n)
		}
	})
}

func TestDocumentFiltersAndBulkEdit(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		a, b := seedDocs(t, e, 9)
		var out struct{ Documents struct{ TotalCount int } }
		e.mustDo(fmt.Sprintf(`{ documents(filter: {tags: {all: [%d, %d]}}) { totalCount } }`, a, b), &out)
		// Tag pairs cycle (0,1), (1,2), (2,0): a∧b is every third document.
		if out.Documents.TotalCount != 3 {
			t.Fatalf("tags all: %d documents, want 3", out.Documents.TotalCount)
		}
		var ids struct{ DocumentIds []string }
		e.mustDo(fmt.Sprintf(`{ documentIds(filter: {tags: {none: [%d]}}) }`, a), &ids)
		if len(ids.DocumentIds) != 3 {
			t.Fatalf("tags none: %v", ids.DocumentIds)
		}
		var changed struct{ BulkEditDocuments []string }
		e.mustDo(fmt.Sprintf(`mutation { bulkEditDocuments(input: {documentIds: [%s], method: ADD_TAG, tagId: %d}) }`,
			joinIDs(ids.DocumentIds), a), &changed)
		if len(changed.BulkEditDocuments) != 3 {
			t.Fatalf("bulk add_tag changed %v", changed.BulkEditDocuments)
		}
		var st struct {
			Statistics struct {
				DocumentsTotal int
				DocumentsInbox *int
			}
		}
		e.mustDo(`{ statistics { documentsTotal documentsInbox } }`, &st)
		if st.Statistics.DocumentsTotal != 9 || st.Statistics.DocumentsInbox != nil {
			t.Fatalf("statistics %+v", st.Statistics)
		}
	})
}

func TestSavedViewsArePerUser(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		var created struct {
			CreateSavedView struct {
				ID          string
				FilterRules []struct {
					RuleType int
					Value    *string
				}
			}
		}
		e.mustDo(`mutation { createSavedView(input: {name: "Inbox", showOnDashboard: true, showInSidebar: false,
			filterRules: [{ruleType: 6, value: "1"}, {ruleType: 0, value: "bank"}]}) { id filterRules { ruleType value } } }`, &created)
		if len(created.CreateSavedView.FilterRules) != 2 {
			t.Fatalf("rules %+v", created.CreateSavedView.FilterRules)
		}
		e.wantCode(e.do(e.other, fmt.Sprintf(`{ savedView(id: %s) { id } }`, created.CreateSavedView.ID), nil), "NOT_FOUND")
		var list struct{ SavedViews struct{ TotalCount int } }
		if errs := e.do(e.other, `{ savedViews { totalCount } }`, &list); len(errs) > 0 || list.SavedViews.TotalCount != 0 {
			t.Fatalf("other user sees %d views (%v)", list.SavedViews.TotalCount, errs)
		}
		e.wantCode(e.do(e.c, `mutation { createSavedView(input: {name: "x"}) { id } }`, nil), "VALIDATION")
	})
}

func joinIDs(ids []string) string {
	out := ""
	for i, id := range ids {
		if i > 0 {
			out += ","
		}
		out += id
	}
	return out
}
