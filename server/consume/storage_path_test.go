package consume

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"github.com/99designs/gqlgen/graphql"

	"github.com/quirehq/quire/store"
	"github.com/quirehq/quire/store/storetest"
)

// A storage path matched on consumption names the document's file; when
// the path's template changes, or the document leaves the path, Rename
// moves the file on disk.
func TestStoragePathNamesFiles(t *testing.T) {
	requireOCR(t)
	for _, dialect := range storetest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			e := newEnv(t, dialect, func(c *Config) { c.FilenameFormat = "{title}" })
			ctx := context.Background()
			tmpl := "{{ correspondent }}/{{ created_year }}/{{ title }}"
			algo := store.MatchAny
			sp, err := e.st.CreateStoragePath(ctx, store.StoragePathInput{Name: ptrTo("Letters"), Path: &tmpl, Match: ptrTo("letter"), MatchingAlgorithm: &algo})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.st.CreateStoragePath(ctx, store.StoragePathInput{Name: ptrTo("Bills"), Path: ptrTo("bills/{{ title }}"), Match: ptrTo("invoice"), MatchingAlgorithm: &algo}); err != nil {
				t.Fatal(err)
			}
			if _, err := e.st.CreateCorrespondent(ctx, store.CorrespondentInput{Name: ptrTo("ACME"), Match: ptrTo("acme"), MatchingAlgorithm: &algo}); err != nil {
				t.Fatal(err)
			}
			e.run(t)
			doc := mustSucceed(t, e, e.wait(t, e.submit(t, "My Letter.txt", []byte("a letter from acme, 06.05.2021")).UUID))
			if doc.StoragePathID == nil || *doc.StoragePathID != sp.ID {
				t.Fatalf("storage path %v, want %d", doc.StoragePathID, sp.ID)
			}
			want := fmt.Sprintf("acme/2021/my-letter-%07d.txt", doc.ID)
			if deref(doc.Filename) != want {
				t.Fatalf("filename %s, want %s", deref(doc.Filename), want)
			}
			originals := e.svc.Layout().Originals()
			if got := dirFiles(t, originals); !slices.Equal(got, []string{want}) {
				t.Fatalf("originals %v", got)
			}
			sug, err := e.svc.Suggestions(ctx, doc)
			if err != nil || !slices.Equal(sug.StoragePaths, []int{sp.ID}) {
				t.Errorf("suggested paths %v %v", sug.StoragePaths, err)
			}

			// The template changes: the file moves, the old folders go.
			if _, _, err := e.st.UpdateStoragePath(ctx, sp.ID, store.StoragePathInput{Path: ptrTo("letters/{{ created_year }}-{{ title }}")}); err != nil {
				t.Fatal(err)
			}
			if err := e.svc.Rename(ctx, doc.ID); err != nil {
				t.Fatal(err)
			}
			doc, _ = e.st.Document(ctx, doc.ID)
			want = fmt.Sprintf("letters/2021-my-letter-%07d.txt", doc.ID)
			if got := dirFiles(t, originals); deref(doc.Filename) != want || !slices.Equal(got, []string{want}) {
				t.Errorf("after the template changed: %s, originals %v, want %s", deref(doc.Filename), got, want)
			}
			if fileExists(t, filepath.Join(originals, "acme")) {
				t.Error("emptied folder not removed")
			}

			// The document leaves the path: the filename format names it again.
			if _, err := e.st.UpdateDocument(ctx, doc.ID, store.DocumentUpdate{StoragePathID: graphql.OmittableOf[*int](nil)}); err != nil {
				t.Fatal(err)
			}
			if err := e.svc.Rename(ctx, doc.ID); err != nil {
				t.Fatal(err)
			}
			doc, _ = e.st.Document(ctx, doc.ID)
			want = fmt.Sprintf("my-letter-%07d.txt", doc.ID)
			if got := dirFiles(t, originals); deref(doc.Filename) != want || !slices.Equal(got, []string{want}) {
				t.Errorf("after leaving the path: %s, originals %v, want %s", deref(doc.Filename), got, want)
			}
		})
	}
}

// Without a filename format, a document still follows its storage path,
// and goes back to the default name when it leaves it.
func TestStoragePathWithoutFormat(t *testing.T) {
	requireOCR(t)
	e := newEnv(t, "sqlite", nil)
	ctx := context.Background()
	e.run(t)
	doc := mustSucceed(t, e, e.wait(t, e.submit(t, "note.txt", []byte("plain note")).UUID))
	if want := fmt.Sprintf("%07d.txt", doc.ID); deref(doc.Filename) != want {
		t.Fatalf("filename %s, want %s", deref(doc.Filename), want)
	}
	sp, err := e.st.CreateStoragePath(ctx, store.StoragePathInput{Name: ptrTo("Notes"), Path: ptrTo("notes/{{ title }}")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.UpdateDocument(ctx, doc.ID, store.DocumentUpdate{StoragePathID: graphql.OmittableOf(&sp.ID)}); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Rename(ctx, doc.ID); err != nil {
		t.Fatal(err)
	}
	doc, _ = e.st.Document(ctx, doc.ID)
	if want := fmt.Sprintf("notes/note-%07d.txt", doc.ID); deref(doc.Filename) != want {
		t.Fatalf("filename %s, want %s", deref(doc.Filename), want)
	}
	if _, err := e.st.DeleteStoragePath(ctx, sp.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Rename(ctx, doc.ID); err != nil {
		t.Fatal(err)
	}
	doc, _ = e.st.Document(ctx, doc.ID)
	want := fmt.Sprintf("%07d.txt", doc.ID)
	if got := dirFiles(t, e.svc.Layout().Originals()); deref(doc.Filename) != want || !slices.Equal(got, []string{want}) {
		t.Errorf("after the path went: %s, originals %v", deref(doc.Filename), got)
	}
}
