package rest_test

import (
	"testing"
)

// paperless-ng knows rule types 0–21 and refuses any other as not a valid
// choice (API.md); the paperless-ngx versions take its rule types up to 49.
func TestSavedViewRuleTypesPerDialect(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		view := func(rule int) map[string]any {
			return map[string]any{"name": "r", "show_on_dashboard": false, "show_in_sidebar": false,
				"filter_rules": []any{map[string]any{"rule_type": rule, "value": nil}}}
		}
		want := `{"filter_rules":["rule_type: \"22\" is not a valid choice."]}`
		if b := string(e.want(e.do("POST", "/api/saved_views/", view(22)), 400)); b != want {
			t.Fatalf("v1 rule 22: %s, want %s", b, want)
		}
		e.want(e.do("POST", "/api/saved_views/", view(21)), 201)
		e.want(e.do("POST", "/api/saved_views/", view(22), asV9), 201)
	})
}
