package redact

import (
	"strings"
	"testing"
)

func TestSecrets(t *testing.T) {
	const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln"
	tests := []struct {
		name, in string
		known    []string
		want     string
	}{
		{"plain message kept", "Error: not logged in (exit 1)", nil, "Error: not logged in (exit 1)"},
		{"known secret, however short", "got abc123 back", []string{"abc123"}, "got **** back"},
		{"JWT", "refreshing " + jwt + " failed", nil, "refreshing **** failed"},
		{"short JWT shape", "tok aaaa.bbbb.cccc end", nil, "tok **** end"},
		{"JSON fields", `{"level":"error","token":"OPAQUE-456","refresh_token":"v1.R","msg":"x"}`, nil,
			`{"level":"error","token":"****","refresh_token":"****","msg":"x"}`},
		{"JSON field cut short", `{"access_token":"abc`, nil, `{"access_token":"****"`},
		{"logfmt and flags", `level=error password=hunter2 --client-secret=s3cr3t api_key: k1`, nil,
			`level=error password=**** --client-secret=**** api_key: ****`},
		{"quoted pair", `token='a b c' next`, nil, `token=**** next`},
		{"prose after a colon kept", "Error: failed to get token: not logged in", nil, "Error: failed to get token: not logged in"},
		{"YAML-ish pairs", "access_token: abc refresh-token: def client_secret:ghi", nil, "access_token: **** refresh-token: **** client_secret:****"},
		{"authorization header", "Authorization: Bearer opaque123 sent", nil, "Authorization: Bearer **** sent"},
		{"basic auth", "basic dXNlcjpwYXNz", nil, "basic ****"},
		{"long opaque run", "key " + strings.Repeat("Ab9", 10) + " end", nil, "key **** end"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Secrets(tt.in, tt.known...); got != tt.want {
				t.Errorf("Secrets(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
