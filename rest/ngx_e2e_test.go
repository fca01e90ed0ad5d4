package rest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	docfixture "github.com/quirehq/quire/server/consume/fixture"
	"github.com/quirehq/quire/store"
	"github.com/quirehq/quire/store/storetest"
)

// client is one paperless-ngx app: a user's token and an API version.
type client struct {
	l       *live
	token   string
	version string // "" sends no version
}

// in returns the client reporting to t (a subtest).
func (c *client) in(t *testing.T) *client {
	l := *c.l
	l.t = t
	cc := *c
	cc.l = &l
	return &cc
}

// in returns the harness reporting to t (a subtest).
func (l *live) in(t *testing.T) *live {
	c := *l
	c.t = t
	return &c
}

func (c *client) do(method, path string, body io.Reader, header ...string) (int, []byte) {
	c.l.t.Helper()
	req, err := http.NewRequest(method, c.l.url+path, body)
	if err != nil {
		c.l.t.Fatal(err)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Token "+c.token)
	}
	if c.version != "" {
		req.Header.Set("Accept", "application/json; version="+c.version)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.l.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func (c *client) want(method, path string, body io.Reader, status int, out any, header ...string) []byte {
	c.l.t.Helper()
	got, b := c.do(method, path, body, header...)
	if got != status {
		c.l.t.Fatalf("v%s %s %s: %d, want %d: %s", c.version, method, path, got, status, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			c.l.t.Fatalf("%s %s: %v: %s", method, path, err, b)
		}
	}
	return b
}

func (c *client) post(path string, v any, status int, out any) []byte {
	c.l.t.Helper()
	return c.want("POST", path, c.l.jsonBody(v), status, out, "Content-Type", "application/json")
}

func (c *client) upload(status int, parts ...part) []byte {
	c.l.t.Helper()
	body, ct := multipartBody(c.l.t, parts...)
	return c.want("POST", "/api/documents/post_document/", body, status, nil, "Content-Type", ct)
}

// gqlCode runs a GraphQL operation as the client and returns the first
// error's extensions.code ("" without errors) and the data.
func (c *client) gqlCode(query string) (string, map[string]any) {
	c.l.t.Helper()
	var resp struct {
		Data   map[string]any
		Errors []struct {
			Extensions struct{ Code string }
		}
	}
	c.post("/graphql", map[string]any{"query": query}, 200, &resp)
	if len(resp.Errors) > 0 {
		return resp.Errors[0].Extensions.Code, resp.Data
	}
	return "", resp.Data
}

// wireKeys returns the top-level keys of a JSON object in wire order.
func wireKeys(t *testing.T, b []byte) []string {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(string(b)))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not an object: %s", b)
	}
	var out []string
	for dec.More() {
		k, _ := dec.Token()
		out = append(out, k.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func ngxWantKeys(t *testing.T, what string, b []byte, keys string) {
	t.Helper()
	if got := strings.Join(wireKeys(t, b), ","); got != keys {
		t.Fatalf("%s keys\n got %s\nwant %s", what, got, keys)
	}
}

const (
	taskV10Keys = "id,task_id,task_type,task_type_display,trigger_source,trigger_source_display,status,status_display," +
		"date_created,date_started,date_done,duration_seconds,wait_time_seconds,input_data,result_data,related_document_ids,acknowledged,owner"
	taskV9Keys = "id,task_id,task_name,task_file_name,type,status,date_created,date_done,result,acknowledged,related_document,duplicate_documents,owner"
	statsKeys  = "documents_total,documents_inbox,inbox_tag,inbox_tags,document_file_type_counts,character_count,tag_count," +
		"correspondent_count,document_type_count,storage_path_count,current_asn"
)

// TestNGXEndpoints walks what a paperless-ngx app does at version 10 and
// at version 9 (connect, list, read, upload, wait for the task) and the
// other paperless-ngx-only endpoints, over HTTP against a running
// consumer, on SQLite and PostgreSQL (NGX.md §3, §6.7, §9.3, §10, §11,
// §13.1–13.3).
func TestNGXEndpoints(t *testing.T) {
	docfixture.RequireTools(t, "pdftotext", "pdftoppm")
	for _, dialect := range storetest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) { ngxEndpoints(t, newLive(t, dialect)) })
	}
}

func ngxEndpoints(t *testing.T, l *live) {
	ctx := context.Background()
	anna := &store.User{Username: "anna", FirstName: "Anna", Password: testParams.Hash("anna-pw"), IsActive: true, DateJoined: time.Now()}
	if err := l.st.CreateUser(ctx, anna); err != nil {
		t.Fatal(err)
	}
	var tok struct{ Token string }
	(&client{l: l}).post("/api/token/", map[string]string{"username": "anna", "password": "anna-pw"}, 200, &tok)

	// Anonymous: remote_version only.
	anon := &client{l: l, version: "10"}
	var rv map[string]any
	b := anon.want("GET", "/api/remote_version/", nil, 200, &rv)
	ngxWantKeys(t, "remote_version", b, "version,update_available")
	if rv["update_available"] != false || rv["version"] == "" {
		t.Fatalf("remote_version %s", b)
	}
	anon.want("GET", "/api/tasks/", nil, 401, nil)
	anon.want("GET", "/api/ui_settings/", nil, 401, nil)

	for _, version := range []string{"10", "9"} {
		app := &client{l: l, token: tok.Token, version: version}
		t.Run("App"+version, func(t *testing.T) { ngxApp(t, l.in(t), app.in(t), anna.ID) })
	}

	app := &client{l: l, token: tok.Token, version: "10"}
	t.Run("Acknowledge", func(t *testing.T) {
		l, app := l.in(t), app.in(t)
		var page struct {
			Count   int
			Results []struct {
				ID           int
				Acknowledged bool
			}
		}
		app.want("GET", "/api/tasks/?acknowledged=false", nil, 200, &page)
		if page.Count != 2 {
			t.Fatalf("unacknowledged tasks: %d", page.Count)
		}
		first := page.Results[0].ID
		var res map[string]int
		app.post("/api/tasks/acknowledge/", map[string]any{"tasks": []int{first}}, 200, &res)
		if res["result"] != 1 {
			t.Fatalf("acknowledge: %v", res)
		}
		app.want("GET", "/api/tasks/?acknowledged=false", nil, 200, &page)
		if page.Count != 1 || page.Results[0].ID == first {
			t.Fatalf("after acknowledge: %+v", page)
		}
		app.post("/api/acknowledge_tasks/", map[string]any{"tasks": []int{first}}, 200, &res) // the pre-v6 alias
		if res["result"] != 1 {
			t.Fatalf("acknowledge_tasks: %v", res)
		}
		app.post("/api/tasks/acknowledge/", map[string]any{}, 400, nil)
		app.post("/api/tasks/acknowledge/", map[string]any{"tasks": []int{first}, "all": true}, 400, nil)
		app.post("/api/tasks/acknowledge/", map[string]any{"tasks": "x"}, 400, nil)
		// GraphQL: the same flag.
		var out struct {
			AcknowledgeTasks int
			Tasks            struct {
				TotalCount int
				Items      []struct{ Acknowledged bool }
			}
		}
		l.gql(`mutation { acknowledgeTasks(all: true) }`, nil, &out)
		if out.AcknowledgeTasks != 2 {
			t.Fatalf("acknowledgeTasks(all) = %d", out.AcknowledgeTasks)
		}
		l.gql(`{ tasks(filter: {acknowledged: false}) { totalCount items { acknowledged } } }`, nil, &out)
		if out.Tasks.TotalCount != 0 {
			t.Fatalf("unacknowledged after all: %+v", out.Tasks)
		}
	})

	t.Run("TaskFilters", func(t *testing.T) {
		l, app := l.in(t), app.in(t)
		var page struct{ Count int }
		for q, n := range map[string]int{"status=success": 2, "status=SUCCESS&status=failure": 2, "status=pending": 0,
			"status=revoked": 0, "task_type=consume_file": 2, "task_type=train_classifier": 0, "trigger_source=api_upload": 2,
			"trigger_source=folder_consume": 0, "is_complete=true": 2, "is_complete=false": 0, "name=NOTE-V1": 1,
			fmt.Sprintf("owner=%d", anna.ID): 2, "date_created_after=2000-01-01": 2, "date_created_before=2000-01-01": 0} {
			app.want("GET", "/api/tasks/?"+q, nil, 200, &page)
			if page.Count != n {
				t.Errorf("?%s: %d tasks, want %d", q, page.Count, n)
			}
		}
		for _, q := range []string{"status=bogus", "task_type=bogus", "is_complete=maybe", "owner=x", "date_created_after=yesterday"} {
			app.want("GET", "/api/tasks/?"+q, nil, 400, nil)
		}
		v9 := &client{l: l, token: app.token, version: "9"}
		var arr []map[string]any
		v9.want("GET", "/api/tasks/?type=manual_task&task_name=consume_file", nil, 200, &arr)
		if len(arr) != 2 {
			t.Fatalf("v9 legacy filters: %d", len(arr))
		}
		v9.want("GET", "/api/tasks/?type=auto_task", nil, 200, &arr)
		if len(arr) != 0 {
			t.Fatalf("v9 auto_task: %d", len(arr))
		}
	})

	t.Run("Statistics", func(t *testing.T) {
		l, app := l.in(t), app.in(t)
		var st map[string]any
		b := app.want("GET", "/api/statistics/", nil, 200, &st)
		ngxWantKeys(t, "statistics v10", b, statsKeys)
		if st["documents_total"] != 2.0 || st["current_asn"] != 77.0 || st["storage_path_count"] != 0.0 || st["inbox_tags"] != nil {
			t.Fatalf("statistics %s", b)
		}
		if ft := st["document_file_type_counts"].([]any); len(ft) != 1 || ft[0].(map[string]any)["mime_type"] != "text/plain" {
			t.Fatalf("file types %s", b)
		}
		v1 := &client{l: l, token: app.token, version: "1"}
		ngxWantKeys(t, "statistics v1", v1.want("GET", "/api/statistics/", nil, 200, nil), "documents_total,documents_inbox")
		var g struct {
			Statistics struct {
				CurrentAsn, TagCount, CharacterCount int
				FileTypes                            []struct {
					MimeType string
					Count    int
				}
			}
		}
		l.gql(`{ statistics { currentAsn tagCount characterCount fileTypes { mimeType count } } }`, nil, &g)
		if g.Statistics.CurrentAsn != 77 || g.Statistics.CharacterCount == 0 || len(g.Statistics.FileTypes) != 1 || g.Statistics.FileTypes[0].Count != 2 {
			t.Fatalf("graphql statistics %+v", g.Statistics)
		}
	})

	t.Run("TaskVisibility", func(t *testing.T) {
		l, app := l.in(t), app.in(t)
		// The admin's upload is not anna's: she does not see it.
		admin := &client{l: l, version: "10"}
		_ = admin
		body, ct := multipartBody(t, part{name: "document", filename: "admin.txt", data: []byte("The admin's own note 2019-04-04.\n")})
		_, b := l.wantOK("POST", "/api/documents/post_document/", body, 200, "Content-Type", ct, "Accept", "application/json; version=10")
		var id string
		if err := json.Unmarshal(b, &id); err != nil {
			t.Fatalf("task id: %s", b)
		}
		var page struct{ Count int }
		app.want("GET", "/api/tasks/?task_id="+id, nil, 200, &page)
		if page.Count != 0 {
			t.Fatal("anna sees the admin's task")
		}
		_, b = l.wantOK("GET", "/api/tasks/?task_id="+id, nil, 200, "Accept", "application/json; version=10")
		if err := json.Unmarshal(b, &page); err != nil || page.Count != 1 {
			t.Fatalf("the superuser sees every task: %s", b)
		}
	})

	t.Run("UISettings", func(t *testing.T) {
		l, app := l.in(t), app.in(t)
		app.post("/api/ui_settings/", map[string]any{"settings": map[string]any{"language": "de-de",
			"update_checking": map[string]any{"enabled": true, "backend_setting": "x"}}}, 200, nil)
		var got struct {
			Settings map[string]any
		}
		app.want("GET", "/api/ui_settings/", nil, 200, &got)
		uc := got.Settings["update_checking"].(map[string]any)
		if got.Settings["language"] != "de-de" || uc["enabled"] != true || uc["backend_setting"] != "default" {
			t.Fatalf("settings after POST: %v", got.Settings)
		}
		app.post("/api/ui_settings/", map[string]any{"settings": "not json"}, 400, nil)
		app.post("/api/ui_settings/", map[string]any{}, 400, nil)
		// Another user's settings are their own.
		var admin struct{ Settings map[string]any }
		_, b := l.wantOK("GET", "/api/ui_settings/", nil, 200, "Accept", "application/json; version=10")
		json.Unmarshal(b, &admin)
		if _, ok := admin.Settings["language"]; ok {
			t.Fatalf("settings leaked to another user: %s", b)
		}
	})

	t.Run("Profile", func(t *testing.T) {
		l, app := l.in(t), app.in(t)
		var p map[string]any
		b := app.want("GET", "/api/profile/", nil, 200, &p)
		ngxWantKeys(t, "profile", b, "email,password,first_name,last_name,auth_token,social_accounts,has_usable_password,is_mfa_enabled")
		if p["auth_token"] != app.token || p["first_name"] != "Anna" || !strings.HasPrefix(p["password"].(string), "**********") {
			t.Fatalf("profile %s", b)
		}
		app.want("PATCH", "/api/profile/", strings.NewReader(`{"last_name":"Berg","email":"anna@example.org","password":"**********"}`), 200, &p, "Content-Type", "application/json")
		if p["last_name"] != "Berg" || p["email"] != "anna@example.org" {
			t.Fatalf("patched profile %v", p)
		}
		var fe map[string][]string
		app.want("PATCH", "/api/profile/", strings.NewReader(`{"email":"not an address"}`), 400, &fe, "Content-Type", "application/json")
		if len(fe["email"]) != 1 {
			t.Fatalf("bad email: %v", fe)
		}
		if _, err := l.st.UserByUsername(ctx, "anna"); err != nil {
			t.Fatal(err)
		}
		// A new password works at once.
		app.want("PATCH", "/api/profile/", strings.NewReader(`{"password":"new-anna-pw"}`), 200, nil, "Content-Type", "application/json")
		basic, _ := http.NewRequest("GET", l.url+"/api/profile/", nil)
		basic.SetBasicAuth("anna", "new-anna-pw")
		basic.Header.Set("Accept", "application/json; version=10")
		resp, err := http.DefaultClient.Do(basic)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("basic auth with the new password: %v %v", resp, err)
		}
		resp.Body.Close()
	})

	t.Run("GenerateAuthToken", func(t *testing.T) {
		outer, app := app, app.in(t)
		defer func() { outer.token = app.token }()
		var key string
		app.want("POST", "/api/profile/generate_auth_token/", nil, 200, &key)
		if len(key) != 40 || key == app.token {
			t.Fatalf("new key %q", key)
		}
		app.want("GET", "/api/ui_settings/", nil, 401, nil) // the old token is gone
		app.token = key
		app.want("GET", "/api/ui_settings/", nil, 200, nil)
		var p map[string]any
		app.want("GET", "/api/profile/", nil, 200, &p)
		if p["auth_token"] != key {
			t.Fatalf("profile token %v", p["auth_token"])
		}
	})

	t.Run("UsersGroupsStatus", func(t *testing.T) {
		l, app := l.in(t), app.in(t)
		for _, q := range []string{`{ serverStatus { version } }`, `{ users { id } }`,
			`mutation { createUser(input: {username: "x", password: "y"}) { id } }`, `mutation { deleteUser(id: 1) }`} {
			if code, _ := app.gqlCode(q); code != "FORBIDDEN" {
				t.Errorf("%s as a plain user: code %q, want FORBIDDEN", q, code)
			}
		}
		if code, data := app.gqlCode(`{ profile { firstName authToken } uiSettings { user { username } permissions } }`); code != "" ||
			data["profile"].(map[string]any)["authToken"] != app.token {
			t.Errorf("graphql profile: %s %v", code, data)
		}
		app.want("GET", "/api/users/", nil, 403, nil)
		app.want("GET", "/api/status/", nil, 403, nil)
		app.post("/api/users/", map[string]any{"username": "eve", "password": "pw"}, 403, nil)
		// The default permissions do not include view_group (NGX.md §4.1).
		app.want("GET", "/api/groups/", nil, 403, nil)
		if code, _ := app.gqlCode(`{ groups { id } }`); code != "FORBIDDEN" {
			t.Errorf("groups without view_group: code %q", code)
		}
		perms := append(store.DefaultPermissions(), "view_group")
		if err := l.st.SetUserPermissions(context.Background(), anna.ID, perms); err != nil {
			t.Fatal(err)
		}
		var groups map[string]any
		b := app.want("GET", "/api/groups/", nil, 200, &groups)
		ngxWantKeys(t, "groups v10", b, "count,next,previous,results")
		v9 := &client{l: l, token: app.token, version: "9"}
		ngxWantKeys(t, "groups v9", v9.want("GET", "/api/groups/", nil, 200, nil), "count,next,previous,all,results")

		admin := func(method, path, body string, status int) []byte {
			t.Helper()
			var r io.Reader
			if body != "" {
				r = strings.NewReader(body)
			}
			_, b := l.wantOK(method, path, r, status, "Accept", "application/json; version=10", "Content-Type", "application/json")
			return b
		}
		var page struct {
			Count   int
			Results []map[string]any
		}
		b = admin("GET", "/api/users/", "", 200)
		json.Unmarshal(b, &page)
		if page.Count != 2 || page.Results[1]["username"] != "anna" {
			t.Fatalf("users %s", b)
		}
		first, _ := json.Marshal(page.Results[0])
		_ = first
		var u map[string]any
		b = admin("POST", "/api/users/", `{"username":"eve","password":"eve-pw","is_staff":true}`, 201)
		ngxWantKeys(t, "user", b, "id,username,email,password,first_name,last_name,date_joined,is_staff,is_active,is_superuser,groups,user_permissions,inherited_permissions,is_mfa_enabled")
		json.Unmarshal(b, &u)
		eve := int(u["id"].(float64))
		admin("POST", "/api/users/", `{"username":"EVE","password":"x"}`, 400)
		admin("PATCH", fmt.Sprintf("/api/users/%d/", eve), `{"first_name":"Eve"}`, 200)
		// Staff may read the status.
		staff := &client{l: l, version: "10"}
		var et struct{ Token string }
		(&client{l: l}).post("/api/token/", map[string]string{"username": "eve", "password": "eve-pw"}, 200, &et)
		staff.token = et.Token
		var status map[string]any
		b = staff.want("GET", "/api/status/", nil, 200, &status)
		ngxWantKeys(t, "status", b, "pngx_version,server_os,install_type,storage,database,tasks,quire")
		db := status["database"].(map[string]any)
		storage := status["storage"].(map[string]any)
		if runtime.GOOS == "linux" && (storage["total"].(float64) <= 0 || storage["available"].(float64) > storage["total"].(float64)) {
			t.Fatalf("storage %s", b)
		}
		if db["status"] != "OK" || len(db["migration_status"].(map[string]any)["unapplied_migrations"].([]any)) != 0 {
			t.Fatalf("status %s", b)
		}
		admin("DELETE", fmt.Sprintf("/api/users/%d/", eve), "", 204)
		staff.want("GET", "/api/status/", nil, 401, nil)
		admin("GET", fmt.Sprintf("/api/users/%d/", eve), "", 404)
	})

	t.Run("Duplicate", func(t *testing.T) {
		l, app := l.in(t), app.in(t)
		data := []byte("A note that comes twice, 2022-02-02.\n")
		var ids [2]string
		for i := range ids {
			json.Unmarshal(app.upload(200, part{name: "document", filename: fmt.Sprintf("twice-%d.txt", i), data: data}), &ids[i])
			var task map[string]any
			for deadline := time.Now().Add(time.Minute); ; time.Sleep(100 * time.Millisecond) {
				var page struct{ Results []map[string]any }
				app.want("GET", "/api/tasks/?task_id="+ids[i], nil, 200, &page)
				if task = page.Results[0]; task["status"] == "success" || task["status"] == "failure" {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("task %s did not end", ids[i])
				}
			}
			if i == 0 {
				continue
			}
			first := task["related_document_ids"].([]any)
			rd, _ := task["result_data"].(map[string]any)
			if task["status"] != "failure" || len(first) != 1 || rd["duplicate_of"] != first[0] || rd["duplicate_in_trash"] != false {
				t.Fatalf("duplicate task %v", task)
			}
			var arr []map[string]any
			(&client{l: l, token: app.token, version: "9"}).want("GET", "/api/tasks/?task_id="+ids[1], nil, 200, &arr)
			if arr[0]["status"] != "FAILURE" || arr[0]["result"] != fmt.Sprintf("Not consuming: It is a duplicate of document #%v", first[0]) {
				t.Fatalf("v9 duplicate task %v", arr[0])
			}
		}
	})

	t.Run("NGClientUpload", func(t *testing.T) {
		l, app := l.in(t), app.in(t)
		v1 := &client{l: l, token: app.token, version: "1"}
		// paperless-ng clients keep "OK" (and the ngx-only fields mean nothing to them).
		if b := v1.upload(200, part{name: "document", filename: "ok.txt", data: []byte("A v1 upload.\n")}, field("created", "bogus")); string(b) != `"OK"` {
			t.Fatalf("v1 post_document: %s", b)
		}
	})
}

// ngxApp is one app's sequence: connect (ui_settings), list, read,
// upload, wait for the task by its id.
func ngxApp(t *testing.T, l *live, app *client, annaID int) {
	var ui map[string]any
	b := app.want("GET", "/api/ui_settings/", nil, 200, &ui)
	ngxWantKeys(t, "ui_settings", b, "user,settings,permissions")
	user := ui["user"].(map[string]any)
	if user["username"] != "anna" || user["first_name"] != "Anna" || ui["settings"].(map[string]any)["version"] == nil ||
		!slices.Contains(toStrings(ui["permissions"]), "add_document") || slices.Contains(toStrings(ui["permissions"]), "view_user") {
		t.Fatalf("ui_settings %s", b)
	}
	app.want("GET", "/api/tags/?page_size=100000", nil, 200, nil)
	app.want("GET", "/api/documents/?page=1&page_size=25&ordering=-created&truncate_content=true", nil, 200, nil)

	// Validation first: a bad created or ASN is a field error, nothing queued.
	note := part{name: "document", filename: "note-v" + app.version + ".txt", data: []byte("A note for version " + app.version + " written 2021-05-06.\n")}
	var fe map[string][]string
	json.Unmarshal(app.upload(400, note, field("created", "14.03.2025")), &fe)
	if len(fe["created"]) != 1 {
		t.Fatalf("bad created: %v", fe)
	}
	json.Unmarshal(app.upload(400, note, field("archive_serial_number", "-1")), &fe)
	if len(fe["archive_serial_number"]) != 1 {
		t.Fatalf("bad asn: %v", fe)
	}
	json.Unmarshal(app.upload(400, note, field("custom_fields", "{bad")), &fe)
	if len(fe["custom_fields"]) != 1 {
		t.Fatalf("bad custom_fields: %v", fe)
	}

	parts := []part{note, field("title", "Note "+app.version), field("custom_fields", "[]"), field("owner", "1")} // fields: TestUploadCustomFields
	if app.version == "10" {
		parts = append(parts, field("created", "2020-01-02"), field("archive_serial_number", "77"))
	} else {
		parts = append(parts, field("created", "2020-01-03 06:15:00+02:00"))
	}
	var taskID string
	if err := json.Unmarshal(app.upload(200, parts...), &taskID); err != nil || len(taskID) != 36 {
		t.Fatalf("post_document answered %q", taskID)
	}

	var task map[string]any
	deadline := time.Now().Add(2 * time.Minute)
	for {
		b = app.want("GET", "/api/tasks/?task_id="+taskID, nil, 200, nil)
		var rows []json.RawMessage
		if app.version == "10" {
			var page struct {
				Count   int
				All     *[]int
				Results []json.RawMessage
			}
			json.Unmarshal(b, &page)
			ngxWantKeys(t, "tasks v10", b, "count,next,previous,results")
			rows = page.Results
		} else if err := json.Unmarshal(b, &rows); err != nil {
			t.Fatalf("v9 tasks must be a plain array: %s", b)
		}
		if len(rows) != 1 {
			t.Fatalf("task %s: %s", taskID, b)
		}
		json.Unmarshal(rows[0], &task)
		done := task["status"] == "success" || task["status"] == "SUCCESS"
		if task["status"] == "failure" || task["status"] == "FAILURE" {
			t.Fatalf("task failed: %s", rows[0])
		}
		if done {
			if app.version == "10" {
				ngxWantKeys(t, "task v10", rows[0], taskV10Keys)
			} else {
				ngxWantKeys(t, "task v9", rows[0], taskV9Keys)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("task %s did not finish: %s", taskID, rows[0])
		}
		time.Sleep(100 * time.Millisecond)
	}
	if task["task_id"] != taskID || task["owner"] != float64(annaID) || task["acknowledged"] != false {
		t.Fatalf("task %v", task)
	}
	var docID int
	if app.version == "10" {
		ids := task["related_document_ids"].([]any)
		if len(ids) != 1 || task["result_data"].(map[string]any)["document_id"] != ids[0] || task["task_type"] != "consume_file" ||
			task["trigger_source"] != "api_upload" || task["date_started"] == nil || task["duration_seconds"] == nil {
			t.Fatalf("v10 task %v", task)
		}
		docID = int(ids[0].(float64))
	} else {
		if task["task_name"] != "consume_file" || task["type"] != "manual_task" || task["task_file_name"] != "note-v9.txt" ||
			task["result"] != fmt.Sprintf("Success. New document id %v created", task["related_document"]) {
			t.Fatalf("v9 task %v", task)
		}
		docID = int(task["related_document"].(float64))
	}
	app.want("GET", fmt.Sprintf("/api/documents/%d/", docID), nil, 200, nil)
	var detail map[string]any
	app.want("GET", fmt.Sprintf("/api/tasks/%v/", task["id"]), nil, 200, &detail)
	if detail["task_id"] != taskID {
		t.Fatalf("task detail %v", detail)
	}

	// What was stored: the created date (its date kept, local midnight) and the ASN.
	doc, err := l.st.Document(context.Background(), docID)
	if err != nil {
		t.Fatal(err)
	}
	wantDay := map[string]string{"10": "2020-01-02", "9": "2020-01-03"}[app.version]
	if got := doc.Created.In(l.st.Location()).Format(time.DateOnly); got != wantDay || doc.Title != "Note "+app.version {
		t.Fatalf("document created %s title %q, want %s", got, doc.Title, wantDay)
	}
	if app.version == "10" && (doc.ArchiveSerialNumber == nil || *doc.ArchiveSerialNumber != 77) {
		t.Fatalf("asn %v", doc.ArchiveSerialNumber)
	}

	// GraphQL sees the same task.
	var g struct {
		Tasks struct {
			TotalCount int
			Items      []struct {
				ID, State                   string
				Number                      int
				OwnerID                     *gid
				DocumentID                  *gid
				OverrideArchiveSerialNumber *int
			}
		}
	}
	l.gql(`query($id: String!) { tasks(filter: {ids: [$id]}) { totalCount items { id number state ownerId documentId overrideArchiveSerialNumber } } }`,
		map[string]any{"id": taskID}, &g)
	it := g.Tasks.Items
	if g.Tasks.TotalCount != 1 || it[0].State != "SUCCESS" || it[0].DocumentID == nil || int(*it[0].DocumentID) != docID ||
		it[0].OwnerID == nil || int(*it[0].OwnerID) != annaID || float64(it[0].Number) != task["id"] {
		t.Fatalf("graphql task %+v", g.Tasks)
	}
	if app.version == "10" && !reflect.DeepEqual(it[0].OverrideArchiveSerialNumber, ptrInt(77)) {
		t.Fatalf("graphql override asn %v", it[0].OverrideArchiveSerialNumber)
	}

}

func toStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

func ptrInt(n int) *int { return &n }
