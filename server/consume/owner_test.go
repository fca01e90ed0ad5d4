package consume

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/quirehq/quire/store"
	"github.com/quirehq/quire/store/storetest"
)

// QUIRE_CONSUMER_DEFAULT_OWNER owns what nobody uploaded; the default
// grants go on every consumed document; a name that does not exist is
// left out with a warning, and never stops consumption.
func TestDefaultOwnerAndGrants(t *testing.T) {
	for _, dialect := range storetest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			e := newEnv(t, dialect, func(c *Config) {
				c.DefaultOwner = "clerk"
				c.DefaultGrants = DefaultGrants{ViewGroups: []string{"Office"}, ChangeUsers: []string{"nobody", "boss"}}
			})
			var ids = map[string]int{}
			for _, name := range []string{"clerk", "boss", "uploader"} {
				u := &store.User{Username: name, Password: "!unusable", IsActive: true}
				if err := e.st.CreateUser(ctx, u); err != nil {
					t.Fatal(err)
				}
				ids[name] = u.ID
			}
			office := &store.Group{Name: "office"}
			if err := e.st.CreateGroup(ctx, office, nil); err != nil {
				t.Fatal(err)
			}
			e.run(t)

			check := func(doc *store.Document, owner string) {
				t.Helper()
				if doc.OwnerID == nil || *doc.OwnerID != ids[owner] {
					t.Fatalf("owner %v, want %s (%d)", doc.OwnerID, owner, ids[owner])
				}
				m, err := e.st.ObjectGrants(ctx, store.ModelDocument, []int{doc.ID})
				if err != nil {
					t.Fatal(err)
				}
				g := m[doc.ID]
				if !slices.Equal(g.View.Groups, []int{office.ID}) || !slices.Equal(g.Change.Users, []int{ids["boss"]}) {
					t.Fatalf("grants %+v, want view group %d and change user %d", g, office.ID, ids["boss"])
				}
			}
			task := e.wait(t, e.submit(t, "folder.txt", []byte("found in the consume folder")).UUID)
			check(mustSucceed(t, e, task), "clerk")
			if msgs := strings.Join(logMessages(t, e.st, task.UUID), "\n"); !strings.Contains(msgs, `QUIRE_CONSUMER_DEFAULT_CHANGE_USERS: user "nobody" not found`) {
				t.Fatalf("no warning about the unknown user in the task's log:\n%s", msgs)
			}

			up := ids["uploader"]
			uploaded, err := e.svc.Submit(ctx, Upload{Filename: "upload.txt", Body: bytes.NewReader([]byte("uploaded by someone")), OwnerID: &up})
			if err != nil {
				t.Fatal(err)
			}
			check(mustSucceed(t, e, e.wait(t, uploaded.UUID)), "uploader")
		})
	}
}
