package rest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/quirehq/quire/store"
	"github.com/quirehq/quire/store/storetest"
)

// TestUploadCustomFields: post_document's custom_fields (v10; NGX.md §6.7)
// — a list of ids (attached without a value) or an object of id to value —
// is kept with the task and set on the document it makes. A field that
// does not exist, or a value its type refuses, is a field error at upload
// time. Both databases.
func TestUploadCustomFields(t *testing.T) {
	for _, dialect := range storetest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			l := newLive(t, dialect)
			ctx := context.Background()
			anna := &store.User{Username: "anna", Password: testParams.Hash("anna-pw"), IsActive: true, DateJoined: time.Now()}
			if err := l.st.CreateUser(ctx, anna); err != nil {
				t.Fatal(err)
			}
			field1 := func(name string, dt store.CustomFieldDataType) int {
				f, err := l.st.CreateCustomField(ctx, store.CustomFieldInput{Name: &name, DataType: &dt})
				if err != nil {
					t.Fatal(err)
				}
				return f.ID
			}
			amount, ref := field1("Amount", store.FieldInteger), field1("Reference", store.FieldString)
			var tok struct{ Token string }
			(&client{l: l}).post("/api/token/", map[string]string{"username": "anna", "password": "anna-pw"}, 200, &tok)
			app := &client{l: l, token: tok.Token, version: "10"}
			doc := func(name string) part {
				return part{name: "document", filename: name, data: []byte("A bill of " + name + ".\n")}
			}

			for _, c := range []struct{ value, want string }{
				{`[999999]`, "0/field: Invalid pk \"999999\" - object does not exist."},
				{fmt.Sprintf(`{"%d": "many"}`, amount), "0/value: "},
			} {
				var fe map[string][]string
				json.Unmarshal(app.upload(400, doc("bad.txt"), field("custom_fields", c.value)), &fe)
				if len(fe["custom_fields"]) != 1 || len(fe["custom_fields"][0]) < len(c.want) || fe["custom_fields"][0][:len(c.want)] != c.want {
					t.Fatalf("custom_fields %s: %v, want %q…", c.value, fe, c.want)
				}
			}

			upload := func(parts ...part) int {
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
						return *task.DocumentID
					}
					if task.State == store.TaskFailed || time.Now().After(deadline) {
						t.Fatalf("task %s: %s %v", taskID, task.State, task.Message)
					}
					time.Sleep(50 * time.Millisecond)
				}
			}
			values := func(id int) map[int]any {
				t.Helper()
				m, err := l.st.CustomFieldValuesByDocuments(ctx, []int{id})
				if err != nil {
					t.Fatal(err)
				}
				out := map[int]any{}
				for _, ci := range m[id] {
					out[ci.FieldID] = ci.Value()
				}
				return out
			}
			d1 := upload(doc("one.txt"), field("custom_fields", fmt.Sprintf(`{"%d": 42, "%d": "R-7"}`, amount, ref)))
			if got := values(d1); fmt.Sprint(got[amount]) != "42" || got[ref] != "R-7" || len(got) != 2 {
				t.Fatalf("object form: %v", got)
			}
			d2 := upload(doc("two.txt"), field("custom_fields", fmt.Sprintf(`[%d]`, ref)))
			if got := values(d2); len(got) != 1 || got[ref] != nil {
				t.Fatalf("list form: %v, want field %d attached without a value", got, ref)
			}
		})
	}
}
