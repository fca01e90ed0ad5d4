package files

import (
	"errors"
	"testing"
	"time"
)

func TestConvertTemplate(t *testing.T) {
	cases := []struct{ in, want string }{
		{"{created_year}/{correspondent}/{title}", "{{ created_year }}/{{ correspondent }}/{{ title }}"},
		{"{{ title }}", "{{ title }}"},
		{"{{title}} {asn}", "{{title}} {{ asn }}"},
		{"{tags[0]}", "{tags[0]}"},
		{"plain", "plain"},
	}
	for _, c := range cases {
		if got := ConvertTemplate(c.in); got != c.want {
			t.Errorf("%q: got %q, want %q", c.in, got, c.want)
		}
	}
}

func TestTemplateFilename(t *testing.T) {
	asn := 7
	d := FormatData{ID: 42, Title: "Power bill", Correspondent: "Power Co", Tags: []string{"Bank"}, ASN: &asn,
		Created: time.Date(2025, 3, 14, 0, 0, 0, 0, time.UTC), Added: time.Date(2025, 3, 15, 0, 0, 0, 0, time.UTC),
		Ext: ".pdf", OriginalName: "scan 0314.pdf"}
	cases := []struct{ tmpl, want string }{
		{"{{ created_year }}/{{correspondent}}/{{ title }}", "2025/power-co/power-bill-0000042.pdf"},
		{"{{ created_month_name_short }}-{{ created_year_short }} {{ asn }} {{ doc_pk }}", "Mar-25 7 0000042-0000042.pdf"},
		{"{{ original_name }}/{{ document_type }}/{{ tags[0] }}", "scan-0314/none/bank-0000042.pdf"},
	}
	for _, c := range cases {
		f, err := ParseTemplate(c.tmpl)
		if err != nil {
			t.Errorf("%s: %v", c.tmpl, err)
			continue
		}
		if got := f.Filename(d); got != c.want {
			t.Errorf("%s: got %s, want %s", c.tmpl, got, c.want)
		}
	}
	for _, bad := range []string{"{{ unknown }}", "{{ title", "{% if title %}x{% endif %}", "{{ title | upper }}", "{{ tags }}"} {
		if _, err := ParseTemplate(bad); err == nil {
			t.Errorf("%s: want an error", bad)
		}
	}
}

func TestCheckTemplate(t *testing.T) {
	got, err := CheckTemplate("{created_year}/{title}")
	if err != nil || got != "{{ created_year }}/{{ title }}" {
		t.Fatalf("got %q, %v", got, err)
	}
	for in, want := range map[string]error{
		"{{ nope }}":           ErrTemplateVariable,
		"/etc/{{ title }}":     ErrTemplateOutside,
		"../{{ title }}":       ErrTemplateOutside,
		"a/ .. /{{ title }}":   ErrTemplateOutside,
		`\\server\{{ title }}`: ErrTemplateOutside,
		"  / ":                 ErrTemplateEmpty,
		"":                     ErrTemplateEmpty,
	} {
		if _, err := CheckTemplate(in); !errors.Is(err, want) {
			t.Errorf("%q: got %v, want %v", in, err, want)
		}
	}
}
