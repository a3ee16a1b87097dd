package menda

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// TestFuzzSeedsCheckedIn keeps testdata/fuzz in step with trickyMendacfgs and
// cacheSeeds (go test -update rewrites it), so `go test` runs every seed
// through both fuzz targets and `go test -fuzz` starts from them.
func TestFuzzSeedsCheckedIn(t *testing.T) {
	want := map[string]string{}
	for name, content := range trickyMendacfgs {
		want[filepath.Join("FuzzMendacfg", name)] = fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", content)
	}
	for name, content := range cacheSeeds {
		want[filepath.Join("FuzzTokenCache", name)] = fmt.Sprintf("go test fuzz v1\n[]byte(%q)\nstring(%q)\n", content, "p")
	}
	for rel, content := range want {
		path := filepath.Join("testdata", "fuzz", rel)
		if *update {
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if got, err := os.ReadFile(path); err != nil || string(got) != content {
			t.Errorf("%s is missing or stale (go test -update rewrites it)", path)
		}
	}
}
