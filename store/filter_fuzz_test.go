package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/quirehq/quire/store"
	"github.com/quirehq/quire/store/storetest"
)

// FuzzTextFilters puts an arbitrary string into each text lookup the
// store builds SQL for (documents, names, logs) and runs it on SQLite:
// the answer is rows or a Validation error, never Internal (a NUL in a
// lookup was "unrecognized token", a long one "LIKE or GLOB pattern too
// complex"). which picks the lookup; a second copy goes into a second
// lookup so conditions combine.
func FuzzTextFilters(f *testing.F) {
	for i, v := range []string{"bank", "a\x00b", "\xff\xfe", "100%_\\", strings.Repeat("a", 60000), strings.Repeat("ä", 1001),
		"Rechnung März", "'; DROP TABLE documents; --", "\\%", "%%%%", "ﬁle", "e\u0301", "", " ", ",", "\u0000"} {
		f.Add(uint8(i), uint8(i*7), v)
	}
	st := storetest.Open(f, "sqlite")
	ctx := context.Background()
	for i, title := range []string{"Rechnung März", "bank statement", "100% done_now"} {
		d := &store.Document{Title: title, Content: "content: " + title, Created: time.Date(2020, 1, i+1, 0, 0, 0, 0, time.UTC),
			MimeType: "application/pdf", Checksum: fmt.Sprintf("%032d", i), OriginalFilename: "x.pdf"}
		if err := st.CreateDocument(ctx, d, nil); err != nil {
			f.Fatal(err)
		}
	}
	lookups := []func(t *store.TextFilter, v *string){
		func(t *store.TextFilter, v *string) { t.Icontains = v },
		func(t *store.TextFilter, v *string) { t.Istartswith = v },
		func(t *store.TextFilter, v *string) { t.Iendswith = v },
		func(t *store.TextFilter, v *string) { t.Iexact = v },
	}
	text := func(which uint8, v string) *store.TextFilter {
		t := &store.TextFilter{}
		lookups[int(which)%len(lookups)](t, &v)
		return t
	}
	set := func(df *store.DocumentFilter, which uint8, v string) {
		switch (which / 4) % 8 {
		case 0:
			df.Title = text(which, v)
		case 1:
			df.Content = text(which, v)
		case 2:
			df.TitleContent = &v
		case 3:
			df.Search = &v
		case 4:
			df.CorrespondentName = text(which, v)
		case 5:
			df.DocumentTypeName = text(which, v)
		case 6:
			df.TagName = text(which, v)
		case 7:
			df.Title = text(which, v)
			df.Content = text(which+1, v)
		}
	}
	f.Fuzz(func(t *testing.T, which, other uint8, v string) {
		check := func(what string, err error) {
			if code := store.ErrorCode(err); err != nil && code != store.Validation {
				t.Fatalf("%s %q: %s %v", what, v, code, err)
			}
		}
		var df store.DocumentFilter
		set(&df, which, v)
		set(&df, other, v)
		_, _, err := st.Documents(ctx, df, nil, store.Page{Number: 1, Size: 10})
		check("documents", err)
		_, _, err = st.Tags(ctx, store.NameFilter{Name: text(which, v)}, nil, store.Page{Number: 1})
		check("tags", err)
		lf := store.LogFilter{Logger: &v}
		if which%2 == 1 {
			lf = store.LogFilter{Group: &v, GroupIn: []string{v}}
		}
		_, _, err = st.LogEntries(ctx, lf, store.Desc, store.Page{Number: 1})
		check("logs", err)
	})
}
