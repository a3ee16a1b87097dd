//go:build unix

package main

import (
	"testing"
)

// testStatusAgreesWithWrite: after a successful `credgen write`, status is
// ok. An index credgen only found in pip.conf is not added to uv.toml by
// write, so status must not call it missing there (it says "run credgen
// write", which never adds it, so status stays 1 forever).
func testStatusAgreesWithWrite(t *testing.T, kit *testKit) {
	w := newRelWorld(t, kit, relWorldOptions{})
	relWriteFile(t, w.pipConf(), []byte("[global]\nindex-url = "+indexCGR+"\n"), 0o600)
	w.want(w.run("write"), 0)
	w.want(w.run("write"), 0)
	r := w.run("status")
	if r.code != 0 {
		t.Errorf("status exits %d right after a successful write:\n%s", r.code, r.stdout)
	}
}
