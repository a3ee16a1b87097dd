package keyringcli

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

func TestWriteCredentialMatchesKeyringsOutput(t *testing.T) {
	tests := []struct {
		name, mode, output, want string
	}{
		{"password", ModePassword, OutputPlain, "s3cr3t.tok\n"},
		{"creds", ModeCreds, OutputPlain, "ORG/ID\ns3cr3t.tok\n"},
		{"password json", ModePassword, OutputJSON, "{\"password\": \"s3cr3t.tok\"}\n"},
		{"creds json", ModeCreds, OutputJSON, "{\"username\": \"ORG/ID\", \"password\": \"s3cr3t.tok\"}\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out strings.Builder
			if err := WriteCredential(&out, Request{Mode: tt.mode, Output: tt.output}, "ORG/ID", "s3cr3t.tok"); err != nil {
				t.Fatal(err)
			}
			if out.String() != tt.want {
				t.Errorf("got %q, want %q", out.String(), tt.want)
			}
		})
	}
}

// awkwardStrings are values whose JSON Go and Python write differently.
var awkwardStrings = []string{
	"plain", "", `quote " backslash \ slash /`, "<html>&amp;", "tab\tnl\ncr\rbs\bff\f",
	"\x00\x01\x1f\x7f", "é ü ß", "日本", "😀 U+1F600", "\u2028\u2029", "\ufeffbom",
}

func TestPythonJSONStringIsWhatJSONDumpsWrites(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed")
	}
	input, err := json.Marshal(awkwardStrings)
	if err != nil {
		t.Fatal(err)
	}
	script := "import json,sys\nfor s in json.loads(sys.stdin.read()): print(json.dumps({'username': s, 'password': s}))"
	cmd := exec.Command(python, "-c", script)
	cmd.Stdin = strings.NewReader(string(input))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3: %v", err)
	}
	lines := strings.SplitAfter(string(out), "\n")
	for i, s := range awkwardStrings {
		var got strings.Builder
		if err := WriteCredential(&got, Request{Mode: ModeCreds, Output: OutputJSON}, s, s); err != nil {
			t.Fatal(err)
		}
		if got.String() != lines[i] {
			t.Errorf("%q:\n got %s\nwant %s", s, got.String(), lines[i])
		}
	}
}
