//go:build unix

package main

import (
	"os"
	"path/filepath"

	"github.com/rogpeppe/go-internal/testscript"
)

// keyring-link DIR: DIR/keyring links to the credgen binary the kit built,
// as `credgen keyring install DIR` makes it (the script's own `credgen` is
// this test binary, which knows no name `keyring`).
func cmdKeyringLink(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 || neg {
		ts.Fatalf("usage: keyring-link DIR")
	}
	dir := ts.MkAbs(args[0])
	ts.Check(os.MkdirAll(dir, 0o755))
	ts.Check(os.Symlink(worldOf(ts).kit.credgen, filepath.Join(dir, "keyring")))
}

// keyringEnv is what a keyring link run by pip needs of the script's
// environment: where credgen keeps its state and cache, the fake chainctl,
// a menda identity, and the test CA.
var keyringEnv = []string{"XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_RUNTIME_DIR", "CREDGEN_CHAINCTL", "FAKE_CHAINCTL_LOG",
	"FAKE_CHAINCTL_MODE", "MENDA_CLIENT_ID", "MENDA_CLIENT_SECRET", "MENDA_HOST", "SSL_CERT_FILE"}
