package store

import (
	"encoding/json"
	"strings"
	"testing"
)

// FuzzCustomFieldQuery feeds any JSON to the custom_field_query checker:
// it must report exactly one problem (no custom field exists, so no
// expression is acceptable) under a path inside "customFieldQuery", and
// never panic.
func FuzzCustomFieldQuery(f *testing.F) {
	for _, s := range []string{`["a","exists",true]`, `["AND",[["a","exact",1],["NOT",["b","gt",2]]]]`,
		`["OR",[]]`, `[1,2]`, `null`, `{"a":[1]}`, `["not",[["x"]]]`, strings.Repeat(`["NOT",`, 30) + `1` + strings.Repeat(`]`, 30)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d := json.NewDecoder(strings.NewReader(s))
		d.UseNumber()
		var expr any
		if d.Decode(&expr) != nil {
			return
		}
		fe := FieldErrors{}
		checkCustomFieldQuery(fe, expr)
		if len(fe) != 1 {
			t.Fatalf("%s: %d problems %v", s, len(fe), fe)
		}
		for k, msgs := range fe {
			if !strings.HasPrefix(k, "customFieldQuery") || len(msgs) != 1 || msgs[0] == "" {
				t.Fatalf("%s: %v", s, fe)
			}
		}
	})
}
