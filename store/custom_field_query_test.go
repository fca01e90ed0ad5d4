package store

import (
	"encoding/json"
	"strings"
	"testing"
)

// FuzzCustomFieldQuery feeds any JSON to the custom_field_query compiler
// with one field of every type: it must either compile to SQL or report
// exactly one problem under a path inside "customFieldQuery", and never
// panic.
func FuzzCustomFieldQuery(f *testing.F) {
	for _, s := range []string{`["a","exists",true]`, `["AND",[["a","exact",1],["NOT",["b","gt",2]]]]`,
		`["OR",[]]`, `[1,2]`, `null`, `{"a":[1]}`, `["not",[["x"]]]`, strings.Repeat(`["NOT",`, 30) + `1` + strings.Repeat(`]`, 30),
		`["date","year__in",[2024,2025]]`, `["money","range",["EUR1","2.50"]]`, `["link","contains",[1,2]]`,
		`["select","in",["Red","x"]]`, `[3,"icontains","a"]`, `["int","range",[1]]`} {
		f.Add(s)
	}
	var fields []CustomField
	for i, t := range CustomFieldDataTypes {
		cf := CustomField{ID: i + 1, Name: string(t), DataType: t}
		if t == FieldSelect {
			cf.ExtraData = &CustomFieldExtra{SelectOptions: []SelectOption{{ID: "x", Label: "Red"}}}
		}
		fields = append(fields, cf)
	}
	fields[4].Name, fields[6].Name, fields[7].Name = "int", "money", "link"
	s := &Store{}
	f.Fuzz(func(t *testing.T, q string) {
		d := json.NewDecoder(strings.NewReader(q))
		d.UseNumber()
		var expr any
		if d.Decode(&expr) != nil {
			return
		}
		c, e := s.newCFQCompiler(fields).expr(expr, "customFieldQuery")
		if e == nil {
			if c.sql == "" || strings.Count(c.sql, "?") != len(c.args) {
				t.Fatalf("%s: compiled to %q %v", q, c.sql, c.args)
			}
			return
		}
		if !strings.HasPrefix(e.path, "customFieldQuery") || e.msg == "" {
			t.Fatalf("%s: %v", q, e)
		}
	})
}
