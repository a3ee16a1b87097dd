//go:build unix

package main

import (
	"encoding/json"
	"maps"
	"slices"
	"testing"
)

// testMendaCacheKey: for a mendacfg profile the token-cache key is the
// profile id, m2m profiles included (only the MENDA_* environment trio uses
// the client id).
func testMendaCacheKey(t *testing.T, kit *testKit) {
	w := newRelWorld(t, kit, relWorldOptions{})
	relWriteFile(t, w.mendacfg(), []byte("[ci]\nhost = https://"+mendaHost+"\nauth_type = m2m\nclient_id = "+mendaClientID+"\nclient_secret = "+mendaSecret+"\n"), 0o600)
	w.want(w.runEnv(w.env("MENDA_PROFILE_ID=ci"), "write", "--index", indexCA), 0)
	var cache map[string]json.RawMessage
	if err := json.Unmarshal(mustRead(t, w.cache()), &cache); err != nil {
		t.Fatal(err)
	}
	if _, ok := cache["ci"]; !ok {
		keys := slices.Sorted(maps.Keys(cache))
		t.Errorf("the m2m access token of mendacfg profile \"ci\" is cached under %q, want the profile id \"ci\" (a mendacfg profile's token-cache key is its profile id)", keys)
	}
}
