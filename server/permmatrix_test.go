package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/go-chi/chi/v5"

	"github.com/quirehq/quire/graph"
	"github.com/quirehq/quire/store"
	"github.com/quirehq/quire/store/search/typesense"
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
	gql   string // GraphQL list field (with totalCount and items)
	one   string // GraphQL single-object field
	// create makes an object owned by owner and returns its id; the
	// matrix then grants view to "granted" and change to the group.
	create func(m *matrix, owner int, name string) int
	// patch is a REST PATCH body (nil: the model has no PATCH route);
	// PUT sends the object as its owner reads it, renamed.
	patch func(name string) map[string]any
	// gqlUpdate is the GraphQL update mutation's name and input ("" none).
	gqlUpdate, gqlInput string
	// bulk is the object_type of bulk_edit_objects ("" none).
	bulk string
}

var gqlCodes = map[int]string{200: "", 403: "FORBIDDEN", 404: "NOT_FOUND"}

// matrixDoc makes a document owned by owner whose content holds name (a
// word of its own for the full-text checks), linked to the matrix's
// unowned tag, correspondent, type, storage path and custom field, so
// their document counts would count it.
func matrixDoc(m *matrix, owner int, name string) int {
	ctx := context.Background()
	d := &store.Document{Title: name, Content: "matrix content " + searchWord(name), Created: time.Now(), Added: time.Now(),
		Modified: time.Now(), MimeType: "application/pdf", Checksum: fmt.Sprintf("%032x", m.n+1),
		OriginalFilename: name + ".pdf", OwnerID: &owner}
	m.n++
	var tags []int
	if m.shared.tag != 0 {
		tags = []int{m.shared.tag}
		d.CorrespondentID, d.DocumentTypeID, d.StoragePathID = &m.shared.correspondent, &m.shared.documentType, &m.shared.storagePath
	}
	if err := m.st.CreateDocument(ctx, d, tags); err != nil {
		m.t.Fatal(err)
	}
	if m.shared.customField != 0 {
		if err := m.st.SetDocumentCustomFields(ctx, d.ID, []store.CustomFieldValueInput{{FieldID: m.shared.customField, Value: "v"}}); err != nil {
			m.t.Fatal(err)
		}
	}
	return d.ID
}

// searchWord is a word only the document named name holds.
func searchWord(name string) string {
	w := "plinth"
	for _, r := range strings.ToLower(name) {
		if r >= 'a' && r <= 'z' {
			w += string(r)
		}
	}
	return w
}

func renamed(key string) func(string) map[string]any {
	return func(name string) map[string]any { return map[string]any{key: name + "-renamed"} }
}

var permModels = []permModel{
	{model: store.ModelDocument, rest: "documents", gql: "documents", one: "document",
		create: matrixDoc, patch: renamed("title"), gqlUpdate: "updateDocument", gqlInput: "title"},
	{model: store.ModelTag, rest: "tags", gql: "tags", one: "tag",
		create: func(m *matrix, owner int, name string) int {
			tg, err := m.st.CreateTag(context.Background(), store.TagInput{Name: &name, OwnerID: &owner})
			if err != nil {
				m.t.Fatal(err)
			}
			return tg.ID
		}, patch: renamed("match"), gqlUpdate: "updateTag", gqlInput: "match", bulk: "tags"},
	{model: store.ModelCorrespondent, rest: "correspondents", gql: "correspondents", one: "correspondent",
		create: func(m *matrix, owner int, name string) int {
			c, err := m.st.CreateCorrespondent(context.Background(), store.CorrespondentInput{Name: &name, OwnerID: &owner})
			if err != nil {
				m.t.Fatal(err)
			}
			return c.ID
		}, patch: renamed("match"), gqlUpdate: "updateCorrespondent", gqlInput: "match", bulk: "correspondents"},
	{model: store.ModelDocumentType, rest: "document_types", gql: "documentTypes", one: "documentType",
		create: func(m *matrix, owner int, name string) int {
			d, err := m.st.CreateDocumentType(context.Background(), store.DocumentTypeInput{Name: &name, OwnerID: &owner})
			if err != nil {
				m.t.Fatal(err)
			}
			return d.ID
		}, patch: renamed("match"), gqlUpdate: "updateDocumentType", gqlInput: "match", bulk: "document_types"},
	{model: store.ModelStoragePath, rest: "storage_paths", gql: "storagePaths", one: "storagePath",
		create: func(m *matrix, owner int, name string) int {
			path := "{title}"
			sp, err := m.st.CreateStoragePath(context.Background(), store.StoragePathInput{Name: &name, Path: &path, OwnerID: graphql.OmittableOf(&owner)})
			if err != nil {
				m.t.Fatal(err)
			}
			return sp.ID
		}, patch: renamed("name"), gqlUpdate: "updateStoragePath", gqlInput: "name", bulk: "storage_paths"},
	{model: store.ModelCustomField, rest: "custom_fields", gql: "customFields", one: "customField",
		create: func(m *matrix, owner int, name string) int {
			dt := store.FieldString
			cf, err := m.st.CreateCustomField(context.Background(), store.CustomFieldInput{Name: &name, DataType: &dt, OwnerID: &owner})
			if err != nil {
				m.t.Fatal(err)
			}
			return cf.ID
		}, patch: renamed("name"), gqlUpdate: "updateCustomField", gqlInput: "name"},
	{model: store.ModelSavedView, rest: "saved_views", gql: "savedViews", one: "savedView",
		create: func(m *matrix, owner int, name string) int {
			f := false
			v, err := m.st.CreateSavedView(context.Background(), owner, store.SavedViewInput{Name: &name, ShowOnDashboard: &f, ShowInSidebar: &f})
			if err != nil {
				m.t.Fatal(err)
			}
			return v.ID
		}, patch: renamed("name"), gqlUpdate: "updateSavedView", gqlInput: "name"},
	// A share link follows its document: the document is owned and granted
	// like the link.
	{model: store.ModelShareLink, rest: "share_links", gql: "shareLinks", one: "shareLink",
		create: func(m *matrix, owner int, name string) int {
			doc := matrixDoc(m, owner, name)
			m.grantTo(store.ModelDocument, doc)
			l, err := m.st.CreateShareLink(m.asOwner, store.ShareLinkInput{DocumentID: doc})
			if err != nil {
				m.t.Fatal(err)
			}
			return l.ID
		}},
}

// permPrincipal is who acts, and what the matrix expects of them.
type permPrincipal struct {
	name      string
	see, edit bool
	owner     bool // owns the objects (or is a superuser)
	token     string
}

// matrixShared are unowned objects every matrix document links to.
type matrixShared struct {
	tag, correspondent, documentType, storagePath, customField int
}

// permEngines are the search engines the matrix runs on: the embedded
// index, and Typesense when TEST_TYPESENSE_URL is set.
func permEngines(t *testing.T) map[string]map[string]string {
	out := map[string]map[string]string{"bleve": nil}
	url, key := os.Getenv("TEST_TYPESENSE_URL"), os.Getenv("TEST_TYPESENSE_API_KEY")
	if url == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("TEST_TYPESENSE_URL is not set (CI must test Typesense)")
		}
		return out
	}
	out["typesense"] = map[string]string{"QUIRE_TYPESENSE_URL": url, "QUIRE_TYPESENSE_API_KEY": key}
	return out
}

func TestObjectPermissionMatrix(t *testing.T) {
	var h http.Handler
	for _, dialect := range storetest.Dialects(t) {
		for engine, extra := range permEngines(t) {
			t.Run(dialect+"/"+engine, func(t *testing.T) {
				if extra != nil {
					alias := fmt.Sprintf("quirematrix_%d", time.Now().UnixNano())
					extra["QUIRE_TYPESENSE_COLLECTION"] = alias
					t.Cleanup(func() { dropTypesense(t, extra, alias) })
				}
				m := newMatrixEnv(t, dialect, extra)
				h = m.h
				runPermMatrix(t, m)
			})
		}
	}
	t.Run("complete", func(t *testing.T) { checkPermCoverage(t, h) })
}

// checkPermCoverage fails for a REST route or GraphQL root field the
// matrix did not send, unless permExempt says why it need not.
func checkPermCoverage(t *testing.T, h http.Handler) {
	// The route table as served: the OpenAPI documents of paperless-ng
	// (1) and paperless-ngx (10).
	want := map[string]bool{}
	for _, v := range []string{"1", "10"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/schema/?version="+v, nil))
		var doc struct{ Paths map[string]map[string]any }
		if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil || len(doc.Paths) == 0 {
			t.Fatalf("OpenAPI document %s: %d %v", v, rec.Code, err)
		}
		for path, ops := range doc.Paths {
			for method := range ops {
				if method != "parameters" {
					want[strings.ToUpper(method)+" "+path] = true
				}
			}
		}
	}
	schema := graph.NewExecutableSchema(graph.Config{}).Schema()
	for _, f := range append(schema.Query.Fields, schema.Mutation.Fields...) {
		if !strings.HasPrefix(f.Name, "__") {
			want["graphql "+f.Name] = true
		}
	}
	var missing []string
	for k := range want {
		if !permCovered[k] && permExempt[k] == "" {
			missing = append(missing, k)
		}
	}
	slices.Sort(missing)
	for _, k := range missing {
		t.Errorf("not in the object permission matrix (nor exempt with a reason): %s", k)
	}
	for k := range permExempt {
		if !want[k] {
			t.Errorf("exempt but no longer a route or operation: %s", k)
		} else if permCovered[k] {
			t.Errorf("exempt but covered (drop the exemption): %s", k)
		}
	}
}

// permExempt are the routes and operations that touch no owned object,
// each with why.
var permExempt = map[string]string{
	"GET /api/":                              "links to the collections",
	"GET /api/schema/":                       "the OpenAPI document",
	"GET /api/remote_version/":               "a constant",
	"POST /api/token/":                       "a user's own token (authmatrix)",
	"GET /api/status/":                       "superusers only (authmatrix)",
	"GET /api/logs/":                         "superusers only (authmatrix)",
	"GET /api/logs/{name}/":                  "superusers only (authmatrix)",
	"GET /api/documents/next_asn/":           "the highest serial number of all documents, as paperless-ngx answers",
	"POST /api/documents/post_document/":     "creates a document owned by the uploader (consume tests)",
	"GET /api/tasks/":                        "consumption tasks are not an owned model",
	"GET /api/tasks/{id}/":                   "consumption tasks are not an owned model",
	"POST /api/tasks/acknowledge/":           "consumption tasks are not an owned model",
	"POST /api/acknowledge_tasks/":           "consumption tasks are not an owned model",
	"GET /api/ui_settings/":                  "the caller's own settings",
	"POST /api/ui_settings/":                 "the caller's own settings",
	"GET /api/profile/":                      "the caller's own profile",
	"PATCH /api/profile/":                    "the caller's own profile",
	"POST /api/profile/generate_auth_token/": "the caller's own token",
	"GET /api/users/":                        "users are not an owned model (global view_user, authmatrix)",
	"POST /api/users/":                       "users are not an owned model (global add_user, authmatrix)",
	"GET /api/users/{id}/":                   "users are not an owned model (authmatrix)",
	"PUT /api/users/{id}/":                   "users are not an owned model (authmatrix)",
	"PATCH /api/users/{id}/":                 "users are not an owned model (authmatrix)",
	"DELETE /api/users/{id}/":                "users are not an owned model (authmatrix)",
	"GET /api/groups/":                       "groups are not an owned model (authmatrix)",
	"POST /api/groups/":                      "groups are not an owned model (authmatrix)",
	"GET /api/groups/{id}/":                  "groups are not an owned model (authmatrix)",
	"PUT /api/groups/{id}/":                  "groups are not an owned model (authmatrix)",
	"PATCH /api/groups/{id}/":                "groups are not an owned model (authmatrix)",
	"DELETE /api/groups/{id}/":               "groups are not an owned model (authmatrix)",

	"graphql me":                      "the caller",
	"graphql apiToken":                "the caller's own token",
	"graphql regenerateApiToken":      "the caller's own token",
	"graphql profile":                 "the caller's own profile",
	"graphql updateProfile":           "the caller's own profile",
	"graphql uiSettings":              "the caller's own settings",
	"graphql setUiSettings":           "the caller's own settings",
	"graphql serverStatus":            "superusers only (authmatrix)",
	"graphql logEntry":                "server logs: superusers only (authmatrix)",
	"graphql logEntries":              "server logs: superusers only (authmatrix)",
	"graphql logNames":                "server logs: superusers only (authmatrix)",
	"graphql logLines":                "server logs: superusers only (authmatrix)",
	"graphql nextArchiveSerialNumber": "the highest serial number of all documents, as paperless-ngx answers",
	"graphql uploadDocument":          "creates a document owned by the uploader (consume tests)",
	"graphql tasks":                   "consumption tasks are not an owned model",
	"graphql consumptionTask":         "consumption tasks are not an owned model",
	"graphql consumptionTasks":        "consumption tasks are not an owned model",
	"graphql acknowledgeTasks":        "consumption tasks are not an owned model",
	"graphql users":                   "users are not an owned model (authmatrix)",
	"graphql user":                    "users are not an owned model (authmatrix)",
	"graphql createUser":              "users are not an owned model (authmatrix)",
	"graphql updateUser":              "users are not an owned model (authmatrix)",
	"graphql deleteUser":              "users are not an owned model (authmatrix)",
	"graphql groups":                  "groups are not an owned model (authmatrix)",
	"graphql group":                   "groups are not an owned model (authmatrix)",
	"graphql createGroup":             "groups are not an owned model (authmatrix)",
	"graphql updateGroup":             "groups are not an owned model (authmatrix)",
	"graphql deleteGroup":             "groups are not an owned model (authmatrix)",
}

// dropTypesense drops a test's collection (the server outlives the test).
func dropTypesense(t *testing.T, cfg map[string]string, alias string) {
	ctx := context.Background()
	if e, err := typesense.Open(ctx, typesense.Config{URL: cfg["QUIRE_TYPESENSE_URL"], APIKey: cfg["QUIRE_TYPESENSE_API_KEY"], Alias: alias, StatsDir: t.TempDir(),
		Contents: func(context.Context, []int) (map[int]string, error) { return nil, nil }}); err == nil {
		e.DropAll(ctx)
		e.Close()
	}
}

func runPermMatrix(t *testing.T, m *matrix) {
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
		{name: "owner", see: true, edit: true, owner: true, token: token(owner)},
		{name: "granted", see: true, edit: false, token: token(granted)},
		{name: "member", see: true, edit: true, token: token(member)},
		{name: "other", see: false, edit: false, token: token(other)},
		{name: "superuser", see: true, edit: true, owner: true, token: m.token},
	}
	m.ownerToken, m.ownerID = principals[0].token, owner.ID
	// The store acts as the owner when granting.
	m.asOwner = store.WithPrincipal(ctx, &store.Principal{UserID: owner.ID, Perms: map[string]bool{}})
	m.grantTo = func(model store.Model, id int) {
		view, change := []int{granted.ID}, []int{g.ID}
		err := m.st.SetPermissions(m.asOwner, model, []int{id}, store.PermissionsUpdate{
			View: &store.HoldersUpdate{Users: &view}, Change: &store.HoldersUpdate{Groups: &change}})
		if err != nil {
			t.Fatal(err)
		}
	}
	// Unowned objects every document links to: everyone sees them, but
	// their document counts must count only documents the caller sees.
	for _, pm := range permModels[1:6] {
		id := pm.create(m, owner.ID, "shared-"+pm.rest)
		if err := m.st.SetOwner(ctx, pm.model, id, nil); err != nil {
			t.Fatal(err)
		}
		switch pm.model {
		case store.ModelTag:
			m.shared.tag = id
		case store.ModelCorrespondent:
			m.shared.correspondent = id
		case store.ModelDocumentType:
			m.shared.documentType = id
		case store.ModelStoragePath:
			m.shared.storagePath = id
		case store.ModelCustomField:
			m.shared.customField = id
		}
	}
	for _, pm := range permModels {
		t.Run(pm.rest, func(t *testing.T) {
			for _, p := range principals {
				if pm.model == store.ModelSavedView && p.name == "superuser" {
					// dashboards stay personal: README, saved views
					p.see, p.edit = false, false
				}
				t.Run(p.name, func(t *testing.T) {
					name := fmt.Sprintf("matrix-%s-%s", pm.rest, p.name)
					id := pm.create(m, owner.ID, name)
					m.grantTo(pm.model, id)
					if pm.model == store.ModelDocument {
						if err := m.ix.Drain(ctx); err != nil {
							t.Fatal(err)
						}
						m.checkDocument(t, p, id, name)
						m.checkDocumentOps(t, p, id, name)
					}
					m.checkObject(t, pm, p, id, name)
				})
			}
		})
	}
	t.Run("trash", func(t *testing.T) {
		for _, p := range principals {
			t.Run(p.name, func(t *testing.T) { m.checkTrash(t, p, owner.ID) })
		}
	})
}

// permDo sends a REST request with a token (API version 10).
func (m *matrix) permDo(method, path, token string, body any) (int, []byte) {
	return m.permDoV("10", method, path, token, body)
}

// permCovered records the REST routes ("GET /api/tags/{id}/") and GraphQL
// root fields the object matrix sent, for TestObjectPermissionMatrix's
// completeness check.
var permCovered = map[string]bool{}

var gqlRootField = regexp.MustCompile(`^\s*(?:mutation\s*)?\{\s*(\w+)`)

// permGQL runs a GraphQL query with a token; it returns data and the
// first error's code.
func (m *matrix) permGQL(token, q string) (map[string]any, string) {
	if f := gqlRootField.FindStringSubmatch(q); f != nil {
		permCovered["graphql "+f[1]] = true
	}
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

// permDoV is permDo with another API version.
func (m *matrix) permDoV(version, method, path, token string, body any) (int, []byte) {
	var rd *strings.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = strings.NewReader(string(b))
	} else {
		rd = strings.NewReader("")
	}
	req := httptest.NewRequest(method, path, rd)
	if rt, ok := m.h.(*chi.Mux); ok && req.URL.Path != "/graphql" {
		if pat := rt.Find(chi.NewRouteContext(), method, req.URL.Path); pat != "" {
			permCovered[method+" "+pat] = true
		}
	}
	req.Header.Set("Authorization", "Token "+token)
	req.Header.Set("Accept", "application/json; version="+version)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	m.h.ServeHTTP(rec, req)
	return rec.Code, rec.Body.Bytes()
}

// restPage is a paginated REST answer.
type restPage struct {
	Count   int
	All     []int
	Results []struct{ ID int }
}

func (pg restPage) ids() []int {
	out := []int{}
	for _, r := range pg.Results {
		out = append(out, r.ID)
	}
	return out
}

// gqlIDs reads {totalCount items {id}} of a GraphQL list.
func gqlIDs(v any) (int, []int) {
	l, _ := v.(map[string]any)
	n, _ := l["totalCount"].(float64)
	items, _ := l["items"].([]any)
	out := []int{}
	for _, it := range items {
		var id int
		fmt.Sscan(fmt.Sprint(it.(map[string]any)["id"]), &id)
		out = append(out, id)
	}
	return int(n), out
}

func (m *matrix) checkObject(t *testing.T, pm permModel, p permPrincipal, id int, name string) {
	base := "/api/" + pm.rest + "/"
	detail := fmt.Sprintf("%s%d/", base, id)
	// Read: the detail, GraphQL's single object.
	wantSee := map[bool]int{true: 200, false: 404}[p.see]
	if code, b := m.permDo("GET", detail, p.token, nil); code != wantSee {
		t.Errorf("GET %s: %d, want %d: %s", detail, code, wantSee, b)
	}
	data, code := m.permGQL(p.token, fmt.Sprintf(`{ %s(id: %d) { id } }`, pm.one, id))
	if want := map[bool]string{true: "", false: "NOT_FOUND"}[p.see]; code != want {
		t.Errorf("graphql %s: code %q, want %q (%v)", pm.one, code, want, data)
	}
	// The whole list: the object is in it iff seen, and count, all (v9)
	// and totalCount are the objects listed, no more.
	_, b := m.permDo("GET", base+"?page_size=1000", p.token, nil)
	var page restPage
	if err := json.Unmarshal(b, &page); err != nil {
		t.Fatalf("GET %s: %v: %s", base, err, b)
	}
	ids := page.ids()
	if slices.Contains(ids, id) != p.see {
		t.Errorf("GET %s lists %d: %t, want %t", base, id, !p.see, p.see)
	}
	if page.Count != len(ids) {
		t.Errorf("GET %s count %d for %d results", base, page.Count, len(ids))
	}
	if page.All != nil && !slices.Equal(slices.Sorted(slices.Values(page.All)), slices.Sorted(slices.Values(ids))) {
		t.Errorf("GET %s all %v for results %v", base, page.All, ids)
	}
	data, code = m.permGQL(p.token, fmt.Sprintf(`{ %s(pageSize: 1000) { totalCount items { id } } }`, pm.gql))
	if code != "" {
		t.Fatalf("graphql %s: %s", pm.gql, code)
	}
	n, gids := gqlIDs(data[pm.gql])
	if slices.Contains(gids, id) != p.see || n != len(gids) {
		t.Errorf("graphql %s of %s: totalCount %d, items %v (object %d)", pm.gql, p.name, n, gids, id)
	}
	// The filtered count of the paperless-ngx list.
	if pm.model != store.ModelShareLink && pm.model != store.ModelSavedView {
		filter := "name__icontains="
		if pm.model == store.ModelDocument {
			filter = "title__icontains="
		}
		_, b := m.permDo("GET", base+"?"+filter+name, p.token, nil)
		var page struct{ Count int }
		json.Unmarshal(b, &page)
		if want := map[bool]int{true: 1, false: 0}[p.see]; page.Count != want {
			t.Errorf("GET %s?%s count %d, want %d: %s", base, filter, page.Count, want, b)
		}
	}
	m.checkCreate(t, pm, p, id, name)
	// Change: 200, or 403 when seen but not changeable, 404 when unseen.
	wantEdit := 200
	switch {
	case !p.see:
		wantEdit = 404
	case !p.edit:
		wantEdit = 403
	}
	if pm.patch != nil {
		if code, b := m.permDo("PATCH", detail, p.token, pm.patch(name)); code != wantEdit {
			t.Errorf("PATCH %s: %d, want %d: %s", detail, code, wantEdit, b)
		}
		// PUT: the object as its owner reads it, renamed.
		_, b := m.permDo("GET", detail, m.ownerToken, nil)
		var obj map[string]any
		json.Unmarshal(b, &obj)
		for k := range pm.patch(name) {
			obj[k] = name + "-put"
		}
		// a plain edit: who owns it and who holds it are the owner's
		for _, k := range []string{"owner", "permissions", "set_permissions"} {
			delete(obj, k)
		}
		if code, b := m.permDo("PUT", detail, p.token, obj); code != wantEdit {
			t.Errorf("PUT %s: %d, want %d: %s", detail, code, wantEdit, b)
		}
	}
	if pm.gqlUpdate != "" {
		q := fmt.Sprintf(`mutation { %s(id: %d, input: {%s: %q}) { id } }`, pm.gqlUpdate, id, pm.gqlInput, name+"-gql")
		if _, code := m.permGQL(p.token, q); code != gqlCodes[wantEdit] {
			t.Errorf("graphql %s as %s: %q, want %q", pm.gqlUpdate, p.name, code, gqlCodes[wantEdit])
		}
	}
	// GraphQL delete and bulk_edit_objects, each on an object of its own:
	// refused as PATCH is, and the object stays.
	del := "delete" + strings.ToUpper(pm.one[:1]) + pm.one[1:]
	fresh := func() int {
		id := pm.create(m, m.ownerID, fmt.Sprintf("%s-%d", name, m.n))
		m.n++
		m.grantTo(pm.model, id)
		return id
	}
	stays := func(what string, id int) {
		if code, _ := m.permDo("GET", fmt.Sprintf("%s%d/", base, id), m.ownerToken, nil); code != 200 {
			t.Errorf("%s as %s deleted it", what, p.name)
		}
	}
	did := fresh()
	if _, code := m.permGQL(p.token, fmt.Sprintf(`mutation { %s(id: %d) }`, del, did)); code != gqlCodes[wantEdit] {
		t.Errorf("graphql %s as %s: %q, want %q", del, p.name, code, gqlCodes[wantEdit])
	}
	if wantEdit != 200 {
		stays("graphql "+del, did)
	}
	if pm.bulk != "" {
		did = fresh()
		code, b := m.permDo("POST", "/api/bulk_edit_objects/", p.token, map[string]any{"objects": []int{did}, "object_type": pm.bulk, "operation": "delete"})
		if wantEdit != 200 && code < 400 {
			t.Errorf("bulk_edit_objects delete as %s: %d %s", p.name, code, b)
		}
		if wantEdit != 200 {
			stays("bulk_edit_objects", did)
		}
		did = fresh()
		q := fmt.Sprintf(`mutation { bulkEditObjects(input: {objectIds: [%d], objectType: %s, operation: DELETE}) }`, did, strings.ToUpper(pm.bulk))
		if _, code := m.permGQL(p.token, q); wantEdit != 200 && code == "" {
			t.Errorf("graphql bulkEditObjects delete as %s succeeded", p.name)
		}
		if wantEdit != 200 {
			stays("graphql bulkEditObjects", did)
		}
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

// checkDocument checks what follows a document's visibility: its
// sub-resources answer as for a document that does not exist, and no
// count, search, suggestion or statistic gives it away.
func (m *matrix) checkDocument(t *testing.T, p permPrincipal, id int, name string) {
	word := searchWord(name)
	// Sub-resources: for who may not see the document, exactly what a
	// missing document gets.
	for _, sub := range []string{"notes", "history", "share_links", "download", "preview", "thumb", "metadata", "suggestions"} {
		code, _ := m.permDo("GET", fmt.Sprintf("/api/documents/%d/%s/", id, sub), p.token, nil)
		missing, _ := m.permDo("GET", fmt.Sprintf("/api/documents/%d/%s/", 99999999, sub), p.token, nil)
		if !p.see && code != missing {
			t.Errorf("GET %s of a hidden document: %d, a missing one %d", sub, code, missing)
		}
		if p.see && code == 404 && sub != "download" && sub != "preview" && sub != "thumb" {
			t.Errorf("GET %s of a visible document: 404", sub)
		}
	}
	if code, b := m.permDo("POST", fmt.Sprintf("/api/documents/%d/notes/", id), p.token, map[string]string{"note": "n " + name}); code != map[bool]int{true: 200, false: 404}[p.see] && !(p.see && !p.edit && code == 403) {
		t.Errorf("POST notes as %s: %d %s", p.name, code, b)
	}
	want := map[bool]int{true: 1, false: 0}[p.see]
	// Full text: the REST list with query, /api/search/ (v9 and v1
	// shapes), GraphQL search with facets.
	_, b := m.permDo("GET", "/api/documents/?query="+word, p.token, nil)
	var page restPage
	json.Unmarshal(b, &page)
	if page.Count != want || len(page.Results) != want {
		t.Errorf("GET /api/documents/?query=%s as %s: %s", word, p.name, b)
	}
	data, code := m.permGQL(p.token, fmt.Sprintf(`{ search(query: %q, facets: true) { totalCount hits { id }
		facets { tags { id documentCount } correspondents { id documentCount } documentTypes { id documentCount } customFields { id documentCount } noCorrespondent noDocumentType } } }`, word))
	s, _ := data["search"].(map[string]any)
	if code != "" || fmt.Sprint(s["totalCount"]) != fmt.Sprint(want) {
		t.Errorf("graphql search %s as %s: %v %s", word, p.name, data, code)
	}
	// Facets: the shared tag, correspondent, type and field count the
	// document (1 each) for who sees it, and none count it for the others.
	if f := fmt.Sprint(s["facets"]); strings.Count(f, "documentCount:1") != 4*want || strings.Contains(f, "documentCount:2") {
		t.Errorf("graphql search facets %s as %s: %s", word, p.name, f)
	}
	// /api/search/: the full-text search in version 1, the global search
	// in version 10.
	for _, v := range []string{"10", "1"} {
		_, b = m.permDoV(v, "GET", "/api/search/?query="+word, p.token, nil)
		if strings.Contains(string(b), fmt.Sprintf(`"id":%d,`, id)) != p.see {
			t.Errorf("GET /api/search/?query=%s (version %s) as %s: %s", word, v, p.name, b)
		}
		var sp struct{ Count *int }
		json.Unmarshal(b, &sp)
		if v == "1" && (sp.Count == nil || *sp.Count != want) {
			t.Errorf("GET /api/search/?query=%s (version 1) count as %s: %s", word, p.name, b)
		}
	}
	_, b = m.permDo("GET", "/api/search/?query="+name, p.token, nil)
	if strings.Contains(string(b), fmt.Sprintf(`"id":%d,`, id)) != p.see {
		t.Errorf("global search %s as %s: %s", name, p.name, b)
	}
	data, _ = m.permGQL(p.token, fmt.Sprintf(`{ globalSearch(query: %q) { total documents { id } } }`, name))
	if gs, _ := data["globalSearch"].(map[string]any); strings.Contains(fmt.Sprint(gs["documents"]), fmt.Sprintf("id:%d]", id)) != p.see {
		t.Errorf("graphql globalSearch %s as %s: %v", name, p.name, data)
	}
	// Autocomplete offers the word only to who sees its document.
	_, b = m.permDo("GET", "/api/search/autocomplete/?term="+word[:len(word)-1], p.token, nil)
	if strings.Contains(string(b), word) != p.see {
		t.Errorf("autocomplete %s as %s: %s", word, p.name, b)
	}
	data, _ = m.permGQL(p.token, fmt.Sprintf(`{ autocomplete(term: %q) }`, word[:len(word)-1]))
	if strings.Contains(fmt.Sprint(data), word) != p.see {
		t.Errorf("graphql autocomplete %s as %s: %v", word, p.name, data)
	}
	// more_like_id of a hidden document is a missing one.
	code2, b := m.permDo("GET", fmt.Sprintf("/api/documents/?more_like_id=%d", id), p.token, nil)
	if !p.see && code2 == 200 {
		json.Unmarshal(b, &page)
		if page.Count != 0 {
			t.Errorf("more_like_id of a hidden document as %s: %s", p.name, b)
		}
	}
	data, code = m.permGQL(p.token, fmt.Sprintf(`{ moreLike(documentId: %d) { totalCount } }`, id))
	if !p.see && code != "NOT_FOUND" && fmt.Sprint(data["moreLike"]) != "map[totalCount:0]" {
		t.Errorf("graphql moreLike of a hidden document as %s: %v %s", p.name, data, code)
	}
	// Statistics (v9 and v1 shapes, GraphQL) count the documents the
	// caller's list counts ("other" sees none).
	_, b = m.permDo("GET", "/api/documents/?page_size=1", p.token, nil)
	json.Unmarshal(b, &page)
	if (page.Count == 0) == p.see {
		t.Errorf("GET /api/documents/ as %s: %s", p.name, b)
	}
	for _, v := range []string{"10", "1"} {
		_, b := m.permDoV(v, "GET", "/api/statistics/", p.token, nil)
		var st struct {
			DocumentsTotal int `json:"documents_total"`
		}
		json.Unmarshal(b, &st)
		if st.DocumentsTotal != page.Count {
			t.Errorf("statistics (version %s) of %s: %s, the list counts %d", v, p.name, b, page.Count)
		}
	}
	// The v9 shape's other counts: objects as their lists count them,
	// file types and characters of the visible documents only.
	_, b = m.permDo("GET", "/api/statistics/", p.token, nil)
	var st9 map[string]any
	json.Unmarshal(b, &st9)
	for key, list := range map[string]string{"tag_count": "tags", "correspondent_count": "correspondents",
		"document_type_count": "document_types", "storage_path_count": "storage_paths"} {
		_, lb := m.permDo("GET", "/api/"+list+"/?page_size=1", p.token, nil)
		var lp restPage
		json.Unmarshal(lb, &lp)
		if n, ok := st9[key].(float64); !ok || int(n) != lp.Count {
			t.Errorf("statistics %s of %s: %v, the list counts %d", key, p.name, st9[key], lp.Count)
		}
	}
	types := 0
	ftc, _ := st9["document_file_type_counts"].([]any)
	for _, c := range ftc {
		n, _ := c.(map[string]any)["mime_type_count"].(float64)
		types += int(n)
	}
	if types != page.Count || (page.Count == 0) != (fmt.Sprint(st9["character_count"]) == "0") {
		t.Errorf("statistics of %s: %s, the list counts %d", p.name, b, page.Count)
	}
	data, _ = m.permGQL(p.token, `{ statistics { documentsTotal } }`)
	if fmt.Sprint(data["statistics"]) != fmt.Sprintf("map[documentsTotal:%d]", page.Count) {
		t.Errorf("graphql statistics of %s: %v, the list counts %d", p.name, data, page.Count)
	}
	// Selection data counts the document for who sees it only.
	code2, b = m.permDo("POST", "/api/documents/selection_data/", p.token, map[string]any{"documents": []int{id}})
	if counted := code2 == 200 && strings.Contains(string(b), `"document_count":1`); counted != p.see {
		t.Errorf("selection_data of the document as %s: %d %s", p.name, code2, b)
	}
	data, code = m.permGQL(p.token, fmt.Sprintf(`{ selectionData(documentIds: [%d]) { tags { id documentCount } correspondents { id documentCount } documentTypes { id documentCount } } }`, id))
	if counted := code == "" && strings.Contains(fmt.Sprint(data), "documentCount:1"); counted != p.see {
		t.Errorf("graphql selectionData of the document as %s: %v %q", p.name, data, code)
	}
	// Document counts of the unowned objects every document links to.
	for _, o := range []struct {
		rest, one string
		id        int
	}{{"tags", "tag", m.shared.tag}, {"correspondents", "correspondent", m.shared.correspondent},
		{"document_types", "documentType", m.shared.documentType}, {"storage_paths", "storagePath", m.shared.storagePath},
		{"custom_fields", "customField", m.shared.customField}} {
		_, b := m.permDo("GET", fmt.Sprintf("/api/%s/%d/", o.rest, o.id), p.token, nil)
		var obj struct {
			DocumentCount int `json:"document_count"`
		}
		json.Unmarshal(b, &obj)
		if (obj.DocumentCount == 0) == p.see {
			t.Errorf("%s document_count for %s: %s", o.rest, p.name, b)
		}
		data, _ := m.permGQL(p.token, fmt.Sprintf(`{ %s(id: %d) { documentCount } }`, o.one, o.id))
		if (fmt.Sprint(data[o.one]) == "map[documentCount:0]") == p.see {
			t.Errorf("graphql %s documentCount for %s: %v", o.one, p.name, data)
		}
	}
}

// createBodies are REST bodies that create an object of each model the
// matrix creates through REST (documents come by upload, share links by
// checkDocumentOps).
var createBodies = map[store.Model]func(name string) map[string]any{
	store.ModelTag:           func(n string) map[string]any { return map[string]any{"name": n} },
	store.ModelCorrespondent: func(n string) map[string]any { return map[string]any{"name": n} },
	store.ModelDocumentType:  func(n string) map[string]any { return map[string]any{"name": n} },
	store.ModelStoragePath:   func(n string) map[string]any { return map[string]any{"name": n, "path": "{{ title }}"} },
	store.ModelCustomField:   func(n string) map[string]any { return map[string]any{"name": n, "data_type": "string"} },
	store.ModelSavedView: func(n string) map[string]any {
		return map[string]any{"name": n, "show_on_dashboard": false, "show_in_sidebar": false, "sort_field": "created", "sort_reverse": true, "filter_rules": []any{}}
	},
}

// checkCreate creates an object through REST and GraphQL: the caller owns
// it, so it sees it and "other" does not; a tag whose parent the caller
// may not see is refused.
func (m *matrix) checkCreate(t *testing.T, pm permModel, p permPrincipal, id int, name string) {
	body := createBodies[pm.model]
	if body == nil {
		return
	}
	b := body(name + "-new")
	if pm.model == store.ModelTag {
		b["parent"] = id
	}
	code, out := m.permDo("POST", "/api/"+pm.rest+"/", p.token, b)
	if pm.model == store.ModelTag && !p.see {
		if code < 400 {
			t.Errorf("POST tags with a hidden parent as %s: %d %s", p.name, code, out)
		}
	} else if code != 201 {
		t.Errorf("POST %s as %s: %d %s", pm.rest, p.name, code, out)
	} else {
		var obj struct{ ID int }
		json.Unmarshal(out, &obj)
		if c, _ := m.permDo("GET", fmt.Sprintf("/api/%s/%d/", pm.rest, obj.ID), p.token, nil); c != 200 {
			t.Errorf("%s created by %s: GET %d", pm.rest, p.name, c)
		}
	}
	mut := "create" + strings.ToUpper(pm.one[:1]) + pm.one[1:]
	in := fmt.Sprintf("name: %q", name+"-gql-new")
	switch pm.model {
	case store.ModelTag:
		in += fmt.Sprintf(", parentId: %d", id)
	case store.ModelStoragePath:
		in += `, path: "{{ title }}"`
	case store.ModelCustomField:
		in += ", dataType: STRING"
	case store.ModelSavedView:
		in += `, showOnDashboard: false, showInSidebar: false, sortField: "created", sortReverse: true, filterRules: []`
	}
	_, gcode := m.permGQL(p.token, fmt.Sprintf(`mutation { %s(input: {%s}) { id } }`, mut, in))
	if pm.model == store.ModelTag && !p.see {
		if gcode == "" {
			t.Errorf("graphql createTag with a hidden parent as %s succeeded", p.name)
		}
	} else if gcode != "" {
		t.Errorf("graphql %s as %s: %q", mut, p.name, gcode)
	}
}

// checkDocumentOps checks the operations on a document beside its own
// CRUD: ids, bulk edits and downloads, notes, share links, the storage
// path test, and the GraphQL reads of its sub-resources.
func (m *matrix) checkDocumentOps(t *testing.T, p permPrincipal, id int, name string) {
	ctx := context.Background()
	wantEdit := 200
	switch {
	case !p.see:
		wantEdit = 404
	case !p.edit:
		wantEdit = 403
	}
	data, _ := m.permGQL(p.token, fmt.Sprintf(`{ documentIds(filter: {title: {icontains: %q}}) }`, name))
	if strings.Contains(fmt.Sprint(data["documentIds"]), fmt.Sprint(id)) != p.see {
		t.Errorf("graphql documentIds as %s: %v", p.name, data)
	}
	for _, f := range []string{"documentNotes(documentId: %d) { id }", "documentHistory(documentId: %d) { id }",
		"documentMetadata(id: %d) { originalChecksum }", "documentSuggestions(id: %d) { tagIds }"} {
		q := "{ " + fmt.Sprintf(f, id) + " }"
		_, code := m.permGQL(p.token, q)
		if strings.Contains(f, "History") && p.see && code == "FORBIDDEN" {
			continue // the history needs view_logentry and, but for superusers, ownership
		}
		if code != map[bool]string{true: "", false: "NOT_FOUND"}[p.see] {
			t.Errorf("graphql %s as %s: %q", q, p.name, code)
		}
	}
	// An unowned share link (made by the system, as an import does) follows
	// its document alone.
	l, err := m.st.CreateShareLink(ctx, store.ShareLinkInput{DocumentID: id})
	if err != nil {
		t.Fatal(err)
	}
	if code, b := m.permDo("GET", fmt.Sprintf("/api/share_links/%d/", l.ID), p.token, nil); (code == 200) != p.see {
		t.Errorf("GET an unowned share link of the document as %s: %d %s", p.name, code, b)
	}
	_, b := m.permDo("GET", "/api/share_links/?page_size=1000", p.token, nil)
	var page restPage
	json.Unmarshal(b, &page)
	if slices.Contains(page.ids(), l.ID) != p.see || page.Count != len(page.Results) {
		t.Errorf("GET /api/share_links/ as %s: %s", p.name, b)
	}
	data, _ = m.permGQL(p.token, `{ shareLinks(pageSize: 1000) { totalCount items { id } } }`)
	if n, ids := gqlIDs(data["shareLinks"]); slices.Contains(ids, l.ID) != p.see || n != len(ids) {
		t.Errorf("graphql shareLinks as %s: %v", p.name, data)
	}
	// Bulk edits need change on every document.
	code, b := m.permDo("POST", "/api/documents/bulk_edit/", p.token, map[string]any{"documents": []int{id}, "method": "remove_tag", "parameters": map[string]any{"tag": m.shared.tag}})
	if (code == 200) != (wantEdit == 200) {
		t.Errorf("bulk_edit as %s: %d %s", p.name, code, b)
	}
	_, gcode := m.permGQL(p.token, fmt.Sprintf(`mutation { bulkEditDocuments(input: {documentIds: [%d], method: ADD_TAG, tagId: %d}) }`, id, m.shared.tag))
	if (gcode == "") != (wantEdit == 200) {
		t.Errorf("graphql bulkEditDocuments as %s: %q", p.name, gcode)
	}
	code, b = m.permDo("POST", "/api/documents/bulk_download/", p.token, map[string]any{"documents": []int{id}})
	if !p.see && code < 400 {
		t.Errorf("bulk_download of a hidden document as %s: %d %s", p.name, code, b)
	}
	// Notes: adding and deleting need change on the document.
	_, gcode = m.permGQL(p.token, fmt.Sprintf(`mutation { addNote(documentId: %d, note: "g") { id } }`, id))
	if gcode != gqlCodes[wantEdit] {
		t.Errorf("graphql addNote as %s: %q, want %q", p.name, gcode, gqlCodes[wantEdit])
	}
	for _, gql := range []bool{false, true} {
		n, err := m.st.AddNote(ctx, id, &m.ownerID, "note of the owner")
		if err != nil {
			t.Fatal(err)
		}
		if gql {
			_, gcode = m.permGQL(p.token, fmt.Sprintf(`mutation { deleteNote(documentId: %d, id: %d) }`, id, n.ID))
			if gcode != gqlCodes[wantEdit] {
				t.Errorf("graphql deleteNote as %s: %q, want %q", p.name, gcode, gqlCodes[wantEdit])
			}
		} else if code, b := m.permDo("DELETE", fmt.Sprintf("/api/documents/%d/notes/?id=%d", id, n.ID), p.token, nil); code != wantEdit {
			t.Errorf("DELETE notes as %s: %d, want %d: %s", p.name, code, wantEdit, b)
		}
	}
	// A share link needs a document the caller sees.
	code, b = m.permDo("POST", "/api/share_links/", p.token, map[string]any{"document": id})
	if (code == 201) != p.see {
		t.Errorf("POST share_links as %s: %d %s", p.name, code, b)
	}
	_, gcode = m.permGQL(p.token, fmt.Sprintf(`mutation { createShareLink(input: {documentId: %d}) { id } }`, id))
	if (gcode == "") != p.see {
		t.Errorf("graphql createShareLink as %s: %q", p.name, gcode)
	}
	// The storage path test renders a document the caller sees only.
	code, b = m.permDo("POST", "/api/storage_paths/test/", p.token, map[string]any{"document": id, "path": "{{ title }}"})
	if p.see && (code != 200 || !strings.Contains(string(b), name)) || !p.see && (code < 400 || strings.Contains(string(b), name)) {
		t.Errorf("storage path test of a hidden document as %s: %d %s", p.name, code, b)
	}
	data, gcode = m.permGQL(p.token, fmt.Sprintf(`{ testStoragePath(path: "{{ title }}", documentId: %d) }`, id))
	if p.see && gcode != "" || !p.see && (gcode == "" || strings.Contains(fmt.Sprint(data), name)) {
		t.Errorf("graphql testStoragePath of a hidden document as %s: %v", p.name, data)
	}
}

// checkTrash: a document of owner in the trash is listed only to who
// owns it (or a superuser); restoring or emptying it needs change.
func (m *matrix) checkTrash(t *testing.T, p permPrincipal, owner int) {
	ctx := context.Background()
	name := "trash-" + p.name
	id := matrixDoc(m, owner, name)
	m.grantTo(store.ModelDocument, id)
	if _, err := m.st.TrashDocuments(ctx, []int{id}); err != nil {
		t.Fatal(err)
	}
	_, b := m.permDo("GET", "/api/trash/?page_size=1000", p.token, nil)
	var page restPage
	json.Unmarshal(b, &page)
	if slices.Contains(page.ids(), id) != p.owner || page.Count != len(page.Results) {
		t.Errorf("GET /api/trash/ as %s: %s", p.name, b)
	}
	data, _ := m.permGQL(p.token, `{ trash(pageSize: 1000) { totalCount items { id } } }`)
	n, ids := gqlIDs(data["trash"])
	if slices.Contains(ids, id) != p.owner || n != len(ids) {
		t.Errorf("graphql trash as %s: %v", p.name, data)
	}
	inTrash := func() bool {
		_, b := m.permDo("GET", "/api/trash/?page_size=1000", m.token, nil)
		var page restPage
		json.Unmarshal(b, &page)
		return slices.Contains(page.ids(), id)
	}
	for _, q := range []string{"mutation { restoreDocuments(documentIds: [%d]) }", "mutation { emptyTrash(documentIds: [%d]) }"} {
		if _, code := m.permGQL(p.token, fmt.Sprintf(q, id)); !p.edit && (code == "" || !inTrash()) {
			t.Errorf("graphql %s as %s: %q", q, p.name, code)
		}
	}
	code, b := m.permDo("POST", "/api/trash/", p.token, map[string]any{"action": "empty", "documents": []int{id}})
	if !p.edit && (code < 400 || !inTrash()) {
		t.Errorf("empty as %s: %d %s", p.name, code, b)
	}
	if p.edit && !inTrash() {
		return // emptied
	}
	code, b = m.permDo("POST", "/api/trash/", p.token, map[string]any{"action": "restore", "documents": []int{id}})
	if !p.edit && (code < 400 || !inTrash()) {
		t.Errorf("restore as %s: %d %s", p.name, code, b)
	}
}
