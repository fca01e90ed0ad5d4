package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/quirehq/quire/store"
	"github.com/quirehq/quire/store/storetest"
)

// The object-level half of the authorization matrix (NGX.md §4.2): one
// object of each owned model, owned by "owner", granted view to
// "granted" and change to the group of "member"; "other" holds nothing on
// it; "admin" is a superuser. Every principal reads, changes and deletes
// it through REST and GraphQL, and every count that could leak it is
// checked. The table of models is the data: a model added to it gets every
// check.

// permModel is an owned model as the matrix probes it.
type permModel struct {
	model store.Model
	rest  string // collection path under /api/
	gql   string // GraphQL list field (with totalCount)
	one   string // GraphQL single-object field
	// create makes an object owned by owner and returns its id.
	create func(m *matrix, owner int, name string) int
	patch  map[string]any // a REST PATCH body
}

var permModels = []permModel{
	{model: store.ModelDocument, rest: "documents", gql: "documents", one: "document",
		create: func(m *matrix, owner int, name string) int {
			d := &store.Document{Title: name, Content: "matrix content " + name, Created: time.Now(), Added: time.Now(),
				Modified: time.Now(), MimeType: "application/pdf", Checksum: fmt.Sprintf("%032x", len(name)*7919+m.n),
				OriginalFilename: name + ".pdf", OwnerID: &owner}
			m.n++
			if err := m.st.CreateDocument(context.Background(), d, nil); err != nil {
				m.t.Fatal(err)
			}
			return d.ID
		}, patch: map[string]any{"title": "renamed"}},
	{model: store.ModelTag, rest: "tags", gql: "tags", one: "tag",
		create: func(m *matrix, owner int, name string) int {
			tg, err := m.st.CreateTag(context.Background(), store.TagInput{Name: &name, OwnerID: &owner})
			if err != nil {
				m.t.Fatal(err)
			}
			return tg.ID
		}, patch: map[string]any{"match": "renamed"}},
	{model: store.ModelCorrespondent, rest: "correspondents", gql: "correspondents", one: "correspondent",
		create: func(m *matrix, owner int, name string) int {
			c, err := m.st.CreateCorrespondent(context.Background(), store.CorrespondentInput{Name: &name, OwnerID: &owner})
			if err != nil {
				m.t.Fatal(err)
			}
			return c.ID
		}, patch: map[string]any{"match": "renamed"}},
	{model: store.ModelDocumentType, rest: "document_types", gql: "documentTypes", one: "documentType",
		create: func(m *matrix, owner int, name string) int {
			d, err := m.st.CreateDocumentType(context.Background(), store.DocumentTypeInput{Name: &name, OwnerID: &owner})
			if err != nil {
				m.t.Fatal(err)
			}
			return d.ID
		}, patch: map[string]any{"match": "renamed"}},
}

// permPrincipal is who acts, and what the matrix expects of them.
type permPrincipal struct {
	name      string
	see, edit bool
	token     string
}

func TestObjectPermissionMatrix(t *testing.T) {
	for _, dialect := range storetest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			m := newMatrix(t, dialect)
			ctx := context.Background()
			mk := func(name string) *store.User {
				u := &store.User{Username: name, Password: "!", IsActive: true, DateJoined: time.Now()}
				if err := m.st.CreateUser(ctx, u); err != nil {
					t.Fatal(err)
				}
				return u
			}
			owner, granted, member, other := mk("owner"), mk("granted"), mk("member"), mk("other")
			g := &store.Group{Name: "editors"}
			if err := m.st.CreateGroup(ctx, g, nil); err != nil {
				t.Fatal(err)
			}
			if err := m.st.SetUserGroups(ctx, member.ID, []int{g.ID}); err != nil {
				t.Fatal(err)
			}
			token := func(u *store.User) string {
				tok, err := m.st.TokenForUser(ctx, u.ID)
				if err != nil {
					t.Fatal(err)
				}
				return tok.Key
			}
			principals := []permPrincipal{
				{name: "owner", see: true, edit: true, token: token(owner)},
				{name: "granted", see: true, edit: false, token: token(granted)},
				{name: "member", see: true, edit: true, token: token(member)},
				{name: "other", see: false, edit: false, token: token(other)},
				{name: "superuser", see: true, edit: true, token: m.token},
			}
			// The store acts as the owner when granting.
			asOwner := store.WithPrincipal(ctx, &store.Principal{UserID: owner.ID, Perms: map[string]bool{}})
			grant := func(pm permModel, id int) {
				view, change := []int{granted.ID}, []int{g.ID}
				err := m.st.SetPermissions(asOwner, pm.model, []int{id}, store.PermissionsUpdate{
					View: &store.HoldersUpdate{Users: &view}, Change: &store.HoldersUpdate{Groups: &change}})
				if err != nil {
					t.Fatal(err)
				}
			}
			for _, pm := range permModels {
				t.Run(pm.rest, func(t *testing.T) {
					for _, p := range principals {
						t.Run(p.name, func(t *testing.T) {
							name := fmt.Sprintf("matrix-%s-%s", pm.rest, p.name)
							id := pm.create(m, owner.ID, name)
							grant(pm, id)
							m.checkObject(t, pm, p, id, name)
						})
					}
				})
			}
		})
	}
}

// permDo sends a REST request with a token (API version 10).
func (m *matrix) permDo(method, path, token string, body any) (int, []byte) {
	var rd *strings.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = strings.NewReader(string(b))
	} else {
		rd = strings.NewReader("")
	}
	req := httptest.NewRequest(method, path, rd)
	req.Header.Set("Authorization", "Token "+token)
	req.Header.Set("Accept", "application/json; version=10")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	m.h.ServeHTTP(rec, req)
	return rec.Code, rec.Body.Bytes()
}

// permGQL runs a GraphQL query with a token; it returns data and the
// first error's code.
func (m *matrix) permGQL(token, q string) (map[string]any, string) {
	_, b := m.permDo("POST", "/graphql", token, map[string]string{"query": q})
	var resp struct {
		Data   map[string]any
		Errors []struct {
			Extensions struct{ Code string }
		}
	}
	json.Unmarshal(b, &resp)
	if len(resp.Errors) > 0 {
		return resp.Data, resp.Errors[0].Extensions.Code
	}
	return resp.Data, ""
}

func (m *matrix) checkObject(t *testing.T, pm permModel, p permPrincipal, id int, name string) {
	base := "/api/" + pm.rest + "/"
	detail := fmt.Sprintf("%s%d/", base, id)
	filter := "title__icontains="
	if pm.model != store.ModelDocument {
		filter = "name__icontains="
	}
	// Read: the detail, the list's count (filtered to the object's name),
	// GraphQL's single object and totalCount.
	wantSee := map[bool]int{true: 200, false: 404}[p.see]
	if code, b := m.permDo("GET", detail, p.token, nil); code != wantSee {
		t.Errorf("GET %s: %d, want %d: %s", detail, code, wantSee, b)
	}
	_, b := m.permDo("GET", base+"?"+filter+name, p.token, nil)
	var page struct{ Count int }
	json.Unmarshal(b, &page)
	if want := map[bool]int{true: 1, false: 0}[p.see]; page.Count != want {
		t.Errorf("GET %s count %d, want %d: %s", base, page.Count, want, b)
	}
	data, code := m.permGQL(p.token, fmt.Sprintf(`{ %s(id: %d) { id } }`, pm.one, id))
	if want := map[bool]string{true: "", false: "NOT_FOUND"}[p.see]; code != want {
		t.Errorf("graphql %s: code %q, want %q (%v)", pm.one, code, want, data)
	}
	if pm.model == store.ModelDocument {
		data, _ = m.permGQL(p.token, fmt.Sprintf(`{ documents(filter: {title: {icontains: %q}}) { totalCount } }`, name))
	} else {
		data, _ = m.permGQL(p.token, fmt.Sprintf(`{ %s(filter: {name: {icontains: %q}}) { totalCount } }`, pm.gql, name))
	}
	if got := fmt.Sprint(data[pm.gql]); got != fmt.Sprintf("map[totalCount:%d]", map[bool]int{true: 1, false: 0}[p.see]) {
		t.Errorf("graphql %s totalCount: %s", pm.gql, got)
	}
	// Counts elsewhere: the statistics and selection data of someone who
	// sees no document count none (every matrix document is owned).
	if pm.model == store.ModelDocument && !p.see {
		_, b := m.permDo("GET", "/api/statistics/", p.token, nil)
		var st struct {
			DocumentsTotal int `json:"documents_total"`
		}
		json.Unmarshal(b, &st)
		if st.DocumentsTotal != 0 {
			t.Errorf("statistics of %s: %s", p.name, b)
		}
		data, _ := m.permGQL(p.token, `{ statistics { documentsTotal } }`)
		if fmt.Sprint(data["statistics"]) != "map[documentsTotal:0]" {
			t.Errorf("graphql statistics of %s: %v", p.name, data)
		}
	}
	// Change: 200, or 403 when seen but not changeable, 404 when unseen.
	wantEdit := 200
	switch {
	case !p.see:
		wantEdit = 404
	case !p.edit:
		wantEdit = 403
	}
	if code, b := m.permDo("PATCH", detail, p.token, pm.patch); code != wantEdit {
		t.Errorf("PATCH %s: %d, want %d: %s", detail, code, wantEdit, b)
	}
	// Delete: the same rule (204 when allowed).
	wantDel := wantEdit
	if wantDel == 200 {
		wantDel = 204
	}
	if code, b := m.permDo("DELETE", detail, p.token, nil); code != wantDel {
		t.Errorf("DELETE %s: %d, want %d: %s", detail, code, wantDel, b)
	}
}
