package menda

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
)

// cacheSeeds are token caches as the menda CLI and menda-keyring leave them,
// and broken ones. They are also the seeds of FuzzTokenCache.
var cacheSeeds = map[string]string{
	"empty-object":       `{}`,
	"u2m-rfc3339":        `{"default": {"access_token": "tok", "token_type": "Bearer", "expires_at": "2030-01-02T03:04:05Z", "refresh_token": "r"}}`,
	"m2m-epoch":          `{"ci-bot": {"access_token": "tok", "token_type": "Bearer", "expires_at": 1893456000}}`,
	"epoch-float":        `{"ci-bot": {"access_token": "tok", "expires_at": 1893456000.5}}`,
	"epoch-string":       `{"ci-bot": {"access_token": "tok", "expires_at": "1893456000"}}`,
	"fractional-rfc3339": `{"p": {"access_token": "tok", "expires_at": "2030-01-02T03:04:05.123456+02:00"}}`,
	"null-expiry":        `{"p": {"access_token": "tok", "expires_at": null}}`,
	"no-expiry":          `{"p": {"access_token": "tok"}}`,
	"wrong-types":        `{"p": {"access_token": 12, "expires_at": true}}`,
	"entry-array":        `{"p": [1, 2]}`,
	"entry-null":         `{"p": null}`,
	"huge-epoch":         `{"p": {"access_token": "t", "expires_at": 1e400}}`,
	"negative":           `{"p": {"access_token": "t", "expires_at": -5}}`,
	"nested":             `{"p": {"access_token": "t", "expires_at": 1893456000, "scopes": ["a", {"b": null}], "x": 1.50}}`,
	"truncated":          "{\n  \"p\": {\"access_token\": \"t\",\n",
	"top-array":          `[{"p": 1}]`,
	"top-null":           `null`,
	"empty-file":         ``,
	"trailing":           `{} {}`,
	"nan":                `{"p": {"expires_at": NaN}}`,
	"duplicate":          `{"p": {"access_token": "a"}, "p": {"access_token": "b"}}`,
	"html-chars":         `{"<b>": {"note": "a&b<c>"}}`,
}

func TestParseTokenCacheErrorsNameLineAndColumn(t *testing.T) {
	for _, tc := range []struct{ seed, want string }{
		{"truncated", "menda token cache /c/.token: line 3, column 1: not valid JSON: unexpected end of JSON input"},
		{"top-array", "menda token cache /c/.token: holds a JSON array, not an object"},
		{"top-null", "menda token cache /c/.token: holds null, not a JSON object"},
		{"empty-file", "menda token cache /c/.token: line 1, column 1: not valid JSON: unexpected end of JSON input"},
		{"trailing", "menda token cache /c/.token: line 1, column 4: not valid JSON: invalid character '{' after top-level value"},
		{"nan", "menda token cache /c/.token: line 1, column 22: not valid JSON: invalid character 'N' looking for beginning of value"},
	} {
		_, err := parseTokenCache("/c/.token", []byte(cacheSeeds[tc.seed]))
		var cacheErr *TokenCacheError
		if !errors.As(err, &cacheErr) {
			t.Errorf("%s: err = %v, want a *TokenCacheError", tc.seed, err)
			continue
		}
		want := tc.want + " (credgen leaves it untouched; fix it, or remove it and run `menda auth login`)"
		if err.Error() != want {
			t.Errorf("%s:\n got  %s\n want %s", tc.seed, err, want)
		}
	}
}

func TestTokenCacheEntries(t *testing.T) {
	at := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		seed, key string
		want      cachedToken
		found     bool
		err       string
	}{
		{"u2m-rfc3339", "default", cachedToken{"tok", "Bearer", time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC), ""}, true, ""},
		{"m2m-epoch", "ci-bot", cachedToken{"tok", "Bearer", at, ""}, true, ""},
		{"epoch-float", "ci-bot", cachedToken{"tok", "", at.Add(500 * time.Millisecond), ""}, true, ""},
		{"epoch-string", "ci-bot", cachedToken{"tok", "", at, ""}, true, ""},
		{"fractional-rfc3339", "p", cachedToken{"tok", "", time.Date(2030, 1, 2, 1, 4, 5, 123456000, time.UTC), ""}, true, ""},
		{"null-expiry", "p", cachedToken{AccessToken: "tok"}, true, ""},
		{"no-expiry", "p", cachedToken{AccessToken: "tok"}, true, ""},
		{"m2m-epoch", "other", cachedToken{}, false, ""},
		{"wrong-types", "p", cachedToken{}, true, `entry "p": access_token is not a string`},
		{"entry-array", "p", cachedToken{}, true, `entry "p": not a JSON object`},
		{"entry-null", "p", cachedToken{}, true, `entry "p": not a JSON object`},
		{"huge-epoch", "p", cachedToken{}, true, `entry "p": expires_at: not a JSON value`},
		{"negative", "p", cachedToken{}, true, `entry "p": expires_at: epoch seconds out of range`},
		{"duplicate", "p", cachedToken{AccessToken: "b"}, true, ""},
	} {
		cache, err := parseTokenCache("/c", []byte(cacheSeeds[tc.seed]))
		if err != nil {
			t.Fatalf("%s: %v", tc.seed, err)
		}
		got, found, err := cache.token(tc.key)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("%s: err = %v, want %q", tc.seed, err, tc.err)
			}
			continue
		}
		if err != nil || found != tc.found || got.AccessToken != tc.want.AccessToken ||
			got.TokenType != tc.want.TokenType || !got.ExpiresAt.Equal(tc.want.ExpiresAt) || got.Host != tc.want.Host {
			t.Errorf("%s: token(%q) = %+v, %v, %v; want %+v, %v", tc.seed, tc.key, got, found, err, tc.want, tc.found)
		}
	}
}

func TestCachedTokenValidity(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	for _, tc := range []struct {
		left time.Duration
		want bool
	}{{time.Hour, true}, {61 * time.Second, true}, {60 * time.Second, false}, {time.Second, false}, {-time.Hour, false}} {
		if got := (cachedToken{AccessToken: "t", ExpiresAt: now.Add(tc.left)}).validAt(now); got != tc.want {
			t.Errorf("%v left: valid = %v", tc.left, got)
		}
	}
	if (cachedToken{ExpiresAt: now.Add(time.Hour)}).validAt(now) {
		t.Error("an entry without access_token must not count")
	}
}

// TestWithTokenKeepsEverythingElse: the rewritten cache has every other key
// and every unknown field of the entry, semantically unchanged.
func TestWithTokenKeepsEverythingElse(t *testing.T) {
	original := `{
  "default": {"access_token": "user-tok", "token_type": "Bearer", "expires_at": "2030-01-02T03:04:05Z", "refresh_token": "r", "scopes": ["all-apis", {"x": null}]},
  "ci-bot": {"access_token": "old", "token_type": "Bearer", "expires_at": 1, "issuer": "menda", "n": 1.50},
  "<b>&": {"note": "a&b<c>", "big": 123456789012345678901234567890}
}`
	cache, err := parseTokenCache("/c", []byte(original))
	if err != nil {
		t.Fatal(err)
	}
	expires := time.Unix(1_893_456_000, 0)
	data, err := cache.withToken("ci-bot", cachedToken{AccessToken: "new", TokenType: "Bearer", ExpiresAt: expires})
	if err != nil {
		t.Fatal(err)
	}
	var before, after map[string]map[string]json.RawMessage
	if err := json.Unmarshal([]byte(original), &before); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &after); err != nil {
		t.Fatalf("rewritten cache does not parse: %v\n%s", err, data)
	}
	if !reflect.DeepEqual(compactAll(t, before["default"]), compactAll(t, after["default"])) ||
		!reflect.DeepEqual(compactAll(t, before["<b>&"]), compactAll(t, after["<b>&"])) {
		t.Errorf("other entries changed:\n%s", data)
	}
	want := map[string]string{"access_token": `"new"`, "token_type": `"Bearer"`, "expires_at": "1893456000", "issuer": `"menda"`, "n": "1.50"}
	if got := compactAll(t, after["ci-bot"]); !reflect.DeepEqual(got, want) {
		t.Errorf("ci-bot entry = %v, want %v", got, want)
	}
	if !strings.Contains(string(data), "123456789012345678901234567890") || !strings.Contains(string(data), `"a&b<c>"`) {
		t.Errorf("numbers or characters not kept verbatim:\n%s", data)
	}
}

func compactAll(t *testing.T, m map[string]json.RawMessage) map[string]string {
	t.Helper()
	out := map[string]string{}
	for k, v := range m {
		var buf bytes.Buffer
		if err := json.Compact(&buf, v); err != nil {
			t.Fatal(err)
		}
		out[k] = buf.String()
	}
	return out
}

func assertMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := info.Mode().Perm(); got != want {
		t.Errorf("%s: mode %04o, want %04o", path, got, want)
	}
}

// FuzzTokenCache: no cache content makes reading, entry lookup or rewriting
// panic, and a rewrite always parses and keeps every key. Seeds:
// testdata/fuzz/FuzzTokenCache (cacheSeeds).
func FuzzTokenCache(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte, key string) {
		cache, err := parseTokenCache("/c", data)
		if err != nil {
			var cacheErr *TokenCacheError
			if !errors.As(err, &cacheErr) {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		tok, _, err := cache.token(key)
		if err == nil {
			_ = tok.validAt(time.Now())
		}
		out, err := cache.withToken(key, cachedToken{AccessToken: "a", TokenType: "Bearer", ExpiresAt: time.Unix(1_893_456_000, 0)})
		if err != nil {
			return // the entry is not an object: credgen refuses to touch it
		}
		var rewritten map[string]json.RawMessage
		if err := json.Unmarshal(out, &rewritten); err != nil {
			t.Fatalf("rewrite does not parse: %v\n%s", err, out)
		}
		for k := range cache.entries {
			if _, ok := rewritten[k]; !ok {
				t.Fatalf("key %q lost", k)
			}
		}
	})
}
