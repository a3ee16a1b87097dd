package redact

import (
	"errors"
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
		{"proxy URL userinfo", "proxy http://alice:Pr0xyPassw0rd@proxy.corp:3128 refused", nil, "proxy http://****@proxy.corp:3128 refused"},
		{"userinfo with @ in the password", "dial https://u:p@ss@h.example/x", nil, "dial https://****@h.example/x"},
		{"URL without userinfo kept", "GET http://proxy.corp:3128/x failed", nil, "GET http://proxy.corp:3128/x failed"},
		{"password colon pair", "password: hunter2!X", nil, "password: ****"},
		{"Password colon pair, no space", "Password:hunter2!X next", nil, "Password:**** next"},
		{"bare token followed by a token", "<p>Your token: CTleakTOKEN!1</p>", nil, "<p>Your token: ****</p>"},
		{"bare token followed by a word kept", "token: Expired.", nil, "token: Expired."},
		{"JSON list under a secret key", `{"token": ["x"]}`, nil, `{"token": "****"}`},
		{"JSON number under a secret key", `{"password": 12345, "user": "bob"}`, nil, `{"password": "****", "user": "bob"}`},
		{"JSON object under a secret key", `{"credentials": {"user": "u", "pw": "p"}, "ok": true}`, nil, `{"credentials": "****", "ok": true}`},
		{"nested list with strings holding brackets", `{"secret": [["a]"], {"b": "}"}], "n": 1}`, nil, `{"secret": "****", "n": 1}`},
		{"escaped quote in a secret string", `{"client_secret": "a\"b", "n": 1}`, nil, `{"client_secret": "****", "n": 1}`},
		{"list cut short", `{"token": ["abc", "de`, nil, `{"token": "****"`},
		{"Python dict", `{'access_token': 'abc', 'scope': 'read'}`, nil, `{'access_token': "****", 'scope': 'read'}`},
		{"other keys kept", `{"error":"invalid_client","error_description":"bad id"}`, nil, `{"error":"invalid_client","error_description":"bad id"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Secrets(tt.in, tt.known...); got != tt.want {
				t.Errorf("Secrets(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestSummary(t *testing.T) {
	tests := []struct {
		name string
		err  error
		max  int
		want string
	}{
		{"nil", nil, 80, ""},
		{"short kept", errors.New("chainctl: exit status 1"), 80, "chainctl: exit status 1"},
		{"redacted and one line", errors.New("stderr: password: hunter2!X\n\tproxy http://a:b@p:1"), 80, "stderr: password: **** proxy http://****@p:1"},
		{"cut to max runes", errors.New(strings.Repeat("é", 100)), 10, strings.Repeat("é", 9) + "…"},
		{"cut never shows half a secret", errors.New("body: {\"token\": \"" + strings.Repeat("s", 40) + "\"}"), 20, `body: {"token": "**…`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Summary(tt.err, tt.max)
			if got != tt.want {
				t.Errorf("Summary = %q, want %q", got, tt.want)
			}
			if n := len([]rune(got)); tt.max > 0 && n > tt.max {
				t.Errorf("%d runes, more than %d", n, tt.max)
			}
		})
	}
}
