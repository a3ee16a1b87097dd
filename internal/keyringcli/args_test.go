package keyringcli

import (
	"errors"
	"strings"
	"testing"
)

const svc = "https://libraries.cgr.dev/python/simple/"

func TestParseAcceptsTheShapesUvAndPipRun(t *testing.T) {
	get := func(mode, output, service, username string, hasUser bool) Request {
		return Request{Operation: OpGet, Service: service, HasService: true, Username: username, HasUsername: hasUser, Mode: mode, Output: output}
	}
	tests := []struct {
		name string
		args []string
		want Request
	}{
		{"pip before 26.2 and uv with a username", []string{"get", svc, "_token"}, get(ModePassword, OutputPlain, svc, "_token", true)},
		{"uv without a username", []string{"get", svc, "--mode", "creds"}, get(ModeCreds, OutputPlain, svc, "", false)},
		{"uv's host fallback", []string{"get", "libraries.cgr.dev", "--mode", "creds"}, get(ModeCreds, OutputPlain, "libraries.cgr.dev", "", false)},
		{"pip 26.2 without a username", []string{"--mode=creds", "--output=json", "get", svc}, get(ModeCreds, OutputJSON, svc, "", false)},
		{"pip 26.2 with a username", []string{"--mode=creds", "--output=json", "get", svc, "aws"}, get(ModeCreds, OutputJSON, svc, "aws", true)},
		{"options before get, spaced", []string{"--mode", "creds", "--output", "json", "get", svc}, get(ModeCreds, OutputJSON, svc, "", false)},
		{"options between positionals", []string{"get", "--output=json", svc, "u"}, get(ModePassword, OutputJSON, svc, "u", true)},
		{"username after a later option", []string{"get", svc, "--mode", "creds", "u"}, get(ModeCreds, OutputPlain, svc, "u", true)},
		{"abbreviated long options", []string{"--mo=creds", "--out", "json", "get", svc}, get(ModeCreds, OutputJSON, svc, "", false)},
		{"the last of a repeated option wins", []string{"--mode=creds", "--mode=password", "get", svc, "u"}, get(ModePassword, OutputPlain, svc, "u", true)},
		{"an empty username is still one", []string{"get", svc, ""}, get(ModePassword, OutputPlain, svc, "", true)},
		{"-- ends the options", []string{"get", "--", "-odd-service", "u"}, get(ModePassword, OutputPlain, "-odd-service", "u", true)},
		{"a lone dash is a positional", []string{"get", "-", "u"}, get(ModePassword, OutputPlain, "-", "u", true)},
		{"backend and path, short and long", []string{"-b", "keyring.backends.fail.Keyring", "--keyring-path=/opt/kr", "get", svc, "u"},
			withBackend(get(ModePassword, OutputPlain, svc, "u", true), "keyring.backends.fail.Keyring", "/opt/kr")},
		{"short options with attached values", []string{"-bX", "-p=/opt", "get", svc, "u"}, withBackend(get(ModePassword, OutputPlain, svc, "u", true), "X", "/opt")},
		{"set and del parse (and are refused later)", []string{"set", svc, "u"}, Request{Operation: OpSet, Service: svc, HasService: true, Username: "u", HasUsername: true, Mode: ModePassword, Output: OutputPlain}},
		{"list backends needs nothing else", []string{"--list-backends"}, Request{ListBackends: true, Mode: ModePassword, Output: OutputPlain}},
		{"disable needs nothing else", []string{"--disable"}, Request{Disable: true, Mode: ModePassword, Output: OutputPlain}},
		{"diagnose needs nothing else", []string{"diagnose"}, Request{Operation: OpDiagnose, Mode: ModePassword, Output: OutputPlain}},
		{"help stops at once", []string{"get", "-h", "--mode=bogus"}, Request{Operation: "", Help: true, Mode: ModePassword, Output: OutputPlain}},
		{"help by a long prefix", []string{"--he"}, Request{Help: true, Mode: ModePassword, Output: OutputPlain}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.args)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.args, err)
			}
			if got != tt.want {
				t.Errorf("Parse(%q)\n got %+v\nwant %+v", tt.args, got, tt.want)
			}
		})
	}
}

func withBackend(r Request, backend, path string) Request {
	r.Backend, r.BackendPath = backend, path
	return r
}

func TestParseRejectsWhatKeyringsParserRejects(t *testing.T) {
	tests := []struct {
		args []string
		msg  string
	}{
		{nil, "Specify operation (get, set, del, diagnose)."},
		{[]string{"fetch", svc, "u"}, "argument operation: invalid choice: \"fetch\" (choose from get, set, del, diagnose)"},
		{[]string{"get"}, "get requires service and username"},
		{[]string{"get", svc}, "get requires service and username"},
		{[]string{"--mode", "creds", "get"}, "get requires service"},
		{[]string{"set", svc}, "set requires service and username"},
		{[]string{"del", svc, "--mode=creds"}, "del requires service and username"},
		{[]string{"get", svc, "u", "extra"}, "unrecognized arguments: extra"},
		{[]string{"get", svc, "u", "--verbose"}, "unrecognized arguments: --verbose"},
		{[]string{"--mode=token", "get", svc}, "argument --mode: invalid choice: \"token\" (choose from password, creds)"},
		{[]string{"--output", "yaml", "get", svc, "u"}, "argument --output: invalid choice: \"yaml\" (choose from plain, json)"},
		{[]string{"get", svc, "--mode"}, "argument --mode: expected one argument"},
		{[]string{"--mode", "--output=json", "get", svc}, "argument --mode: expected one argument"},
		{[]string{"--keyring", "x", "get", svc, "u"}, "ambiguous option: --keyring could match --keyring-path, --keyring-backend"},
		{[]string{"--disable=yes"}, "argument --disable: ignored explicit argument \"yes\""},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			_, err := Parse(tt.args)
			var usage *UsageError
			if !errors.As(err, &usage) {
				t.Fatalf("Parse(%q) = %v, want a usage error", tt.args, err)
			}
			if usage.Msg != tt.msg {
				t.Errorf("Parse(%q) error\n got %q\nwant %q", tt.args, usage.Msg, tt.msg)
			}
		})
	}
}
