package rest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/quirehq/quire/store"
	"github.com/quirehq/quire/store/storetest"
)

// TestUploadStoragePath: post_document's storage_path (v10) is stored with
// the task and files the document under that storage path, ahead of the
// storage path matching would pick; its files are named by the template.
// A storage path the uploader may not see, or none at all, is a field
// error at upload time and queues nothing. Both databases.
func TestUploadStoragePath(t *testing.T) {
	for _, dialect := range storetest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			l := newLive(t, dialect)
			ctx := context.Background()
			anna := &store.User{Username: "anna", Password: testParams.Hash("anna-pw"), IsActive: true, DateJoined: time.Now()}
			bob := &store.User{Username: "bob", Password: testParams.Hash("bob-pw"), IsActive: true, DateJoined: time.Now()}
			for _, u := range []*store.User{anna, bob} {
				if err := l.st.CreateUser(ctx, u); err != nil {
					t.Fatal(err)
				}
			}
			str := func(s string) *string { return &s }
			any1 := store.MatchAny
			// Unowned, matching the content: what matching alone would pick.
			matched, err := l.st.CreateStoragePath(ctx, store.StoragePathInput{Name: str("Matched"), Path: str("matched/{{ title }}"),
				Match: str("contract"), MatchingAlgorithm: &any1})
			if err != nil {
				t.Fatal(err)
			}
			given, err := l.st.CreateStoragePath(ctx, store.StoragePathInput{Name: str("Given"), Path: str("given/{{ created_year }}/{{ title }}")})
			if err != nil {
				t.Fatal(err)
			}
			bobs, err := l.st.CreateStoragePath(store.WithPrincipal(ctx, &store.Principal{UserID: bob.ID}),
				store.StoragePathInput{Name: str("Bob's"), Path: str("bob/{{ title }}")})
			if err != nil {
				t.Fatal(err)
			}
			var tok struct{ Token string }
			(&client{l: l}).post("/api/token/", map[string]string{"username": "anna", "password": "anna-pw"}, 200, &tok)
			app := &client{l: l, token: tok.Token, version: "10"}
			note := part{name: "document", filename: "contract.txt", data: []byte("A contract signed 2021-05-06.\n")}

			for _, id := range []int{bobs.ID, 999999} {
				var fe map[string][]string
				json.Unmarshal(app.upload(400, note, field("storage_path", fmt.Sprint(id))), &fe)
				if want := fmt.Sprintf("Invalid pk \"%d\" - object does not exist.", id); len(fe["storage_path"]) != 1 || fe["storage_path"][0] != want {
					t.Fatalf("storage_path %d: %v", id, fe)
				}
			}
			// GraphQL: the same check, under the argument's name.
			body, ct := multipartBody(t,
				field("operations", fmt.Sprintf(`{"query":"mutation($f: Upload!) { uploadDocument(file: $f, storagePathId: %d) { id } }","variables":{"f":null}}`, bobs.ID)),
				field("map", `{"0":["variables.f"]}`),
				part{name: "0", filename: "contract.txt", data: note.data})
			var gql struct {
				Errors []struct {
					Extensions struct {
						Code   string
						Fields map[string][]string
					}
				}
			}
			app.want("POST", "/graphql", body, 200, &gql, "Content-Type", ct)
			if len(gql.Errors) != 1 || gql.Errors[0].Extensions.Code != "VALIDATION" || len(gql.Errors[0].Extensions.Fields["storagePathId"]) != 1 {
				t.Fatalf("GraphQL uploadDocument with another's storage path: %+v", gql)
			}
			var none struct{ Count int }
			app.want("GET", "/api/tasks/", nil, 200, &none)
			if none.Count != 0 {
				t.Fatalf("a refused upload queued %d tasks", none.Count)
			}

			upload := func(parts ...part) store.Document {
				t.Helper()
				var taskID string
				json.Unmarshal(app.upload(200, parts...), &taskID)
				deadline := time.Now().Add(2 * time.Minute)
				for {
					task, err := l.st.ConsumptionTask(ctx, taskID)
					if err != nil {
						t.Fatal(err)
					}
					if task.DocumentID != nil {
						d, err := l.st.Document(ctx, *task.DocumentID)
						if err != nil {
							t.Fatal(err)
						}
						return *d
					}
					if task.State == store.TaskFailed || time.Now().After(deadline) {
						t.Fatalf("task %s: %s %v", taskID, task.State, task.Message)
					}
					time.Sleep(50 * time.Millisecond)
				}
			}
			d := upload(note, field("title", "Lease"), field("created", "2021-05-06"), field("storage_path", fmt.Sprint(given.ID)))
			if d.StoragePathID == nil || *d.StoragePathID != given.ID {
				t.Fatalf("storage path %v, want %d (given wins over matched %d)", d.StoragePathID, given.ID, matched.ID)
			}
			if d.Filename == nil || *d.Filename != fmt.Sprintf("given/2021/lease-%07d.txt", d.ID) {
				t.Fatalf("file name %q (title %q, created %v)", *d.Filename, d.Title, d.Created)
			}
			if _, err := os.Stat(filepath.Join(l.media, "documents", "originals", *d.Filename)); err != nil {
				t.Fatal(err)
			}
			var rest struct {
				StoragePath *int `json:"storage_path"`
			}
			app.want("GET", fmt.Sprintf("/api/documents/%d/", d.ID), nil, 200, &rest)
			if rest.StoragePath == nil || *rest.StoragePath != given.ID {
				t.Fatalf("REST storage_path %v", rest.StoragePath)
			}

			// Without storage_path, matching decides (the test can fail both ways).
			note.filename = "contract2.txt"
			note.data = []byte("Another contract signed 2022-01-02.\n")
			d = upload(note, field("title", "Lease 2"))
			if d.StoragePathID == nil || *d.StoragePathID != matched.ID || d.Filename == nil || *d.Filename != fmt.Sprintf("matched/lease-2-%07d.txt", d.ID) {
				t.Fatalf("matched: storage path %v, file %q", d.StoragePathID, *d.Filename)
			}
		})
	}
}
