package atomicfile

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// An edit another program made after the caller read the file is never
// overwritten: Write refuses with ErrChanged and leaves the file alone.
func TestWriteExpectRefusesAFileChangedSinceRead(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "netrc")
	for _, tc := range []struct {
		name    string
		onDisk  *string // nil: no file
		expect  Content
		wantErr bool
	}{
		{"unchanged", ptr("old\n"), Content{Data: []byte("old\n"), Exists: true}, false},
		{"still absent", nil, Content{}, false},
		{"edited meanwhile", ptr("old\nuser's line\n"), Content{Data: []byte("old\n"), Exists: true}, true},
		{"created meanwhile", ptr(""), Content{}, true},
		{"deleted meanwhile", nil, Content{Data: []byte("old\n"), Exists: true}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			os.Remove(path)
			if tc.onDisk != nil {
				if err := os.WriteFile(path, []byte(*tc.onDisk), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			_, err := Write(path, []byte("new\n"), Options{Expect: &tc.expect})
			if got := errors.Is(err, ErrChanged); got != tc.wantErr {
				t.Fatalf("err = %v, want ErrChanged %v", err, tc.wantErr)
			}
			data, readErr := os.ReadFile(path)
			switch {
			case !tc.wantErr && string(data) != "new\n":
				t.Errorf("file = %q, want the new content", data)
			case tc.wantErr && tc.onDisk == nil && readErr == nil:
				t.Errorf("a file was created: %q", data)
			case tc.wantErr && tc.onDisk != nil && string(data) != *tc.onDisk:
				t.Errorf("file = %q, want it left as %q", data, *tc.onDisk)
			}
		})
	}
}

func ptr(s string) *string { return &s }
