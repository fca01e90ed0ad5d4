package server

import (
	"io"
	"strings"
	"testing"
)

// TestAuditLogSetting: the history is recorded unless
// QUIRE_AUDIT_LOG_ENABLED (or paperless-ngx's name) says false; a value
// that is neither is a configuration error naming the setting.
func TestAuditLogSetting(t *testing.T) {
	parse := func(env map[string]string) (Config, error) {
		return parseConfig("quire", nil, func(k string) string { return env[k] }, io.Discard, nil)
	}
	for _, c := range []struct {
		env     map[string]string
		disable bool
	}{
		{nil, false},
		{map[string]string{"QUIRE_AUDIT_LOG_ENABLED": "false"}, true},
		{map[string]string{"PAPERLESS_AUDIT_LOG_ENABLED": "0"}, true},
		{map[string]string{"PAPERLESS_AUDIT_LOG_ENABLED": "false", "QUIRE_AUDIT_LOG_ENABLED": "yes"}, false},
		{map[string]string{"QUIRE_AUDIT_LOG_ENABLED": "True"}, false},
	} {
		cfg, err := parse(c.env)
		if err != nil {
			t.Fatalf("%v: %v", c.env, err)
		}
		if cfg.DisableAuditLog != c.disable {
			t.Errorf("%v: DisableAuditLog %v, want %v", c.env, cfg.DisableAuditLog, c.disable)
		}
	}
	if _, err := parse(map[string]string{"QUIRE_AUDIT_LOG_ENABLED": "sometimes"}); err == nil || !strings.Contains(err.Error(), "QUIRE_AUDIT_LOG_ENABLED") {
		t.Fatalf("a bad value: %v", err)
	}
}
