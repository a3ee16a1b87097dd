//go:build unix

package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/rogpeppe/go-internal/testscript"
)

// The script commands of the doctor scripts (testdata/script/doctor_*.txtar).
func doctorCommands() map[string]func(*testscript.TestScript, bool, []string) {
	return map[string]func(*testscript.TestScript, bool, []string){
		"home-snapshot": cmdHomeSnapshot,
	}
}

// homeEntry is one path under HOME as a snapshot keeps it: its kind and
// mode, size, modification time and a digest of its content.
type homeEntry struct {
	Mode   string `json:"mode"`
	Size   int64  `json:"size"`
	MTime  int64  `json:"mtime_ns"`
	Digest string `json:"digest,omitempty"`
}

// home-snapshot save | same: save every path under $HOME (bytes, mode,
// mtime) beside the world, or compare HOME with what was saved: doctor
// changes nothing.
func cmdHomeSnapshot(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 || (args[0] != "save" && args[0] != "same") {
		ts.Fatalf("usage: home-snapshot save|same")
	}
	saved := filepath.Join(ts.Getenv("WORK"), ".home-snapshot.json") // outside HOME
	now := snapshotHome(ts, ts.Getenv("HOME"))
	if args[0] == "save" {
		data, err := json.Marshal(now)
		ts.Check(err)
		ts.Check(os.WriteFile(saved, data, 0o600))
		return
	}
	data, err := os.ReadFile(saved)
	ts.Check(err)
	var before map[string]homeEntry
	ts.Check(json.Unmarshal(data, &before))
	var diffs []string
	for p, e := range now {
		if b, ok := before[p]; !ok {
			diffs = append(diffs, "new: "+p)
		} else if b != e {
			diffs = append(diffs, "changed: "+p)
		}
	}
	for p := range before {
		if _, ok := now[p]; !ok {
			diffs = append(diffs, "gone: "+p)
		}
	}
	slices.Sort(diffs)
	if (len(diffs) == 0) == neg {
		ts.Fatalf("HOME changed: %v", diffs)
	}
}

func snapshotHome(ts *testscript.TestScript, home string) map[string]homeEntry {
	out := map[string]homeEntry{}
	err := filepath.WalkDir(home, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		e := homeEntry{Mode: fi.Mode().String(), Size: fi.Size(), MTime: fi.ModTime().UnixNano()}
		switch {
		case fi.Mode().IsRegular():
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(data)
			e.Digest = hex.EncodeToString(sum[:])
		case fi.Mode()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			e.Digest = "-> " + target
		}
		out[p] = e
		return nil
	})
	ts.Check(err)
	return out
}
