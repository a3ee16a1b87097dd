package chainguard

import (
	"strings"
	"testing"
)

func TestErrorMessage(t *testing.T) {
	tests := []struct {
		name string
		err  *Error
		want string
	}{
		{name: "exit status with stderr",
			err:  &Error{Command: "chainctl auth token --audience=libraries.cgr.dev", ExitCode: 1, Stderr: "Error: not logged in"},
			want: "chainctl auth token --audience=libraries.cgr.dev: exit status 1; stderr: Error: not logged in; hint: " + LoginHint},
		{name: "killed",
			err:  &Error{Command: "chainctl auth token --audience=libraries.cgr.dev", ExitCode: -1, Problem: "killed: no answer within 30s"},
			want: "chainctl auth token --audience=libraries.cgr.dev: killed: no answer within 30s; hint: " + LoginHint},
		{name: "bad output",
			err:  &Error{Command: "chainctl auth token --audience=libraries.cgr.dev", Problem: "output is not a token (9 bytes, 2 lines)"},
			want: "chainctl auth token --audience=libraries.cgr.dev: exit status 0: output is not a token (9 bytes, 2 lines); hint: " + LoginHint},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestStderrExcerpt(t *testing.T) {
	const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9.c2lnbmF0dXJl"
	tests := []struct {
		name           string
		stderr, stdout string
		want           string
	}{
		{name: "plain", stderr: "Error: not logged in\n", want: "Error: not logged in"},
		{name: "lines joined", stderr: "Error: x\n\tcaused by: y\r\n", want: "Error: x caused by: y"},
		{name: "JWT redacted", stderr: "refreshing " + jwt + " failed", want: "refreshing **** failed"},
		{name: "stdout redacted", stderr: "got opaque-secret-value back", stdout: "opaque-secret-value\n", want: "got **** back"},
		{name: "terminal escapes removed", stderr: "\x1b[31mError\x1b[0m: \x00bad", want: "[31mError [0m: bad"},
		{name: "JSON log line", stderr: `{"level":"error","msg":"refresh failed","token":"OPAQUE-LEAK-456","refresh_token":"v1.LEAKREFRESH"}`,
			want: `{"level":"error","msg":"refresh failed","token":"****","refresh_token":"****"}`},
		{name: "bearer and logfmt", stderr: "level=error password=hunter2 header=\"Authorization: Bearer op4que\"",
			want: `level=error password=**** header="Authorization: Bearer ****"`},
		{name: "proxy URL with a password", stderr: "Error: proxy http://alice:Pr0xyPassw0rd@proxy.corp:3128 refused\n",
			want: "Error: proxy http://****@proxy.corp:3128 refused"},
		{name: "password colon pair", stderr: "debug: password: hunter2!X\n", want: "debug: password: ****"},
		{name: "JSON list under a secret key", stderr: `{"msg":"x","token":["OPAQUE-LEAK-789"]}`, want: `{"msg":"x","token":"****"}`},
		{name: "invalid UTF-8", stderr: "bad \xff byte", want: "bad ? byte"},
		{name: "long", stderr: strings.Repeat("é", 400), want: strings.Repeat("é", 256) + " …"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := stderrExcerpt([]byte(tt.stderr), []byte(tt.stdout)); got != tt.want {
				t.Errorf("stderrExcerpt = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestNetrcProblem(t *testing.T) {
	tests := map[string]string{
		"eyJh.eyJ.sig":     "",
		"acme/0042":        "",
		"#leading-hash":    "starts with '#'",
		"in#side":          "",
		"two words":        "contains whitespace",
		"tab\there":        "contains whitespace",
		`quo"te`:           `contains '"'`,
		`back\slash`:       `contains '\'`,
		"bell\a":           "contains a control character",
		"del\x7f":          "contains a control character",
		"caf\u00e9":        "contains a non-ASCII character",
		"nbsp\u00a0inside": "contains a non-ASCII character",
	}
	for s, want := range tests {
		if got := netrcProblem(s); got != want {
			t.Errorf("netrcProblem(%q) = %q, want %q", s, got, want)
		}
	}
}

func TestDescribe(t *testing.T) {
	tests := map[string]string{
		"":         "0 bytes, 0 lines",
		"token":    "5 bytes, 1 line",
		"token\n":  "6 bytes, 1 line",
		"a\nb":     "3 bytes, 2 lines",
		"a\nb\n\n": "5 bytes, 3 lines",
	}
	for out, want := range tests {
		if got := describe([]byte(out)); got != want {
			t.Errorf("describe(%q) = %q, want %q", out, got, want)
		}
	}
}

func TestArgs(t *testing.T) {
	if got, want := strings.Join(SessionArgs(), " "), "auth token --audience=libraries.cgr.dev"; got != want {
		t.Errorf("SessionArgs = %q, want %q", got, want)
	}
	if got, want := strings.Join(PullTokenArgs(""), " "), "auth pull-token create --repository=python --ttl=8h --output=json"; got != want {
		t.Errorf("PullTokenArgs = %q, want %q", got, want)
	}
	if got, want := strings.Join(PullTokenArgs("acme"), " "), "auth pull-token create --repository=python --ttl=8h --output=json --parent=acme"; got != want {
		t.Errorf("PullTokenArgs(acme) = %q, want %q", got, want)
	}
}
