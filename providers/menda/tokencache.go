package menda

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/credgen/credgen/generator/atomicfile"
)

// The token cache ~/.menda/tokens/cache/.token is shared with the menda CLI:
//
//	{"<key>": {"access_token": "...", "token_type": "Bearer", "expires_at": <epoch seconds or RFC 3339>}, ...}
//
// The key is a profile id (u2m tokens that `menda auth login` stores) or a
// client id (m2m tokens that menda-keyring and credgen store). credgen reads
// both kinds and writes only m2m entries, keeping every other key, and every
// field of its own entries that it does not know, exactly as it found them.
// Its entries carry one more field, credgen_host: the menda host that issued
// the token, which is the only host it is ever sent to again. Other readers
// ignore fields they do not know.

// cacheValidityMargin is how much life a cached token must have left to count,
// as in menda-keyring: enough for the registry call that follows.
const cacheValidityMargin = 60 * time.Second

// maxTokenCacheBytes bounds what credgen reads; the real cache holds a few
// entries of a few KiB.
const maxTokenCacheBytes = 16 << 20

// latestEpoch is 9999-12-31T23:59:59Z: an expires_at beyond it is nonsense.
const latestEpoch = 253402300799

// tokenCache is the parsed cache file. Entries stay raw so that a rewrite
// reproduces what credgen does not own.
type tokenCache struct {
	path    string
	entries map[string]json.RawMessage // empty when the file does not exist
	exists  bool
}

// hostField names the entry field that records which menda host issued the
// token (scheme, host, port and path prefix, as credgen reaches it).
const hostField = "credgen_host"

// cachedToken is one entry as credgen understands it.
type cachedToken struct {
	AccessToken string
	TokenType   string
	ExpiresAt   time.Time // zero when the entry has no expires_at
	Host        string    // the issuing menda host; "" when the entry does not say
}

// validAt reports whether the token still counts at now.
func (t cachedToken) validAt(now time.Time) bool {
	return t.AccessToken != "" && !t.ExpiresAt.IsZero() && t.ExpiresAt.Sub(now) > cacheValidityMargin
}

// readTokenCache reads the cache at path; a missing file is an empty cache.
func readTokenCache(path string) (*tokenCache, error) {
	data, err := readBounded(path, maxTokenCacheBytes)
	if errors.Is(err, fs.ErrNotExist) {
		return &tokenCache{path: path, entries: map[string]json.RawMessage{}}, nil
	}
	if err != nil {
		return nil, &TokenCacheError{Path: path, Problem: describeFileError(err), Err: err}
	}
	return parseTokenCache(path, data)
}

// parseTokenCache parses the cache's bytes; path is only for messages.
func parseTokenCache(path string, data []byte) (*tokenCache, error) {
	var entries map[string]json.RawMessage
	if err := json.Unmarshal(data, &entries); err != nil {
		return nil, cacheSyntaxError(path, data, err)
	}
	if entries == nil {
		return nil, &TokenCacheError{Path: path, Problem: "holds null, not a JSON object"}
	}
	return &tokenCache{path: path, entries: entries, exists: true}, nil
}

// cacheSyntaxError turns a JSON decoding error into one naming line and column.
func cacheSyntaxError(path string, data []byte, err error) error {
	var syntax *json.SyntaxError
	var wrongType *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		line, col := lineColumn(data, syntax.Offset)
		return &TokenCacheError{Path: path, Line: line, Column: col, Problem: "not valid JSON: " + syntax.Error(), Err: err}
	case errors.As(err, &wrongType):
		return &TokenCacheError{Path: path, Problem: "holds a JSON " + wrongType.Value + ", not an object", Err: err}
	}
	return &TokenCacheError{Path: path, Problem: "not valid JSON", Err: err}
}

// lineColumn converts a json.SyntaxError offset (bytes read, the bad one
// included) into the 1-based line and column of the offending byte, or of the
// end of the input when it ended too early.
func lineColumn(data []byte, offset int64) (int, int) {
	pos := min(max(offset-1, 0), int64(len(data)))
	if offset >= int64(len(data)) {
		pos = int64(len(data))
	}
	before := data[:pos]
	line := 1 + bytes.Count(before, []byte("\n"))
	col := int(pos) - bytes.LastIndexByte(before, '\n')
	return line, col
}

// token returns key's entry. found is false when there is none; an entry that
// is not an object of the expected field types is an error (its text never
// contains a field's value).
func (c *tokenCache) token(key string) (tok cachedToken, found bool, err error) {
	raw, ok := c.entries[key]
	if !ok {
		return cachedToken{}, false, nil
	}
	tok, err = parseCachedToken(raw)
	if err != nil {
		return cachedToken{}, true, fmt.Errorf("entry %q: %w", key, err)
	}
	return tok, true, nil
}

func parseCachedToken(raw json.RawMessage) (cachedToken, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		return cachedToken{}, errors.New("not a JSON object")
	}
	var tok cachedToken
	if err := optionalString(fields, "access_token", &tok.AccessToken); err != nil {
		return cachedToken{}, err
	}
	if err := optionalString(fields, "token_type", &tok.TokenType); err != nil {
		return cachedToken{}, err
	}
	if err := optionalString(fields, hostField, &tok.Host); err != nil {
		return cachedToken{}, err
	}
	expiresAt, err := parseExpiresAt(fields["expires_at"])
	if err != nil {
		return cachedToken{}, fmt.Errorf("expires_at: %w", err)
	}
	tok.ExpiresAt = expiresAt
	return tok, nil
}

func optionalString(fields map[string]json.RawMessage, name string, dst *string) error {
	raw, ok := fields[name]
	if !ok || string(raw) == "null" {
		return nil
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		return fmt.Errorf("%s is not a string", name)
	}
	return nil
}

// parseExpiresAt accepts epoch seconds (integer or fractional, as a number or
// a numeric string) and RFC 3339 times. Absent or null is the zero time.
func parseExpiresAt(raw json.RawMessage) (time.Time, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return time.Time{}, nil
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return time.Time{}, errors.New("not a JSON value")
	}
	switch v := v.(type) {
	case float64:
		return epochSeconds(v)
	case string:
		return parseTimeString(v)
	}
	return time.Time{}, errors.New("neither epoch seconds nor an RFC 3339 time")
}

func parseTimeString(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	if f, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil {
		return epochSeconds(f)
	}
	return time.Time{}, errors.New("neither epoch seconds nor an RFC 3339 time")
}

func epochSeconds(f float64) (time.Time, error) {
	if math.IsNaN(f) || f < 0 || f > latestEpoch {
		return time.Time{}, errors.New("epoch seconds out of range")
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC(), nil
}

// withToken returns the cache's new content with key's entry set to tok:
// every other key is kept as it was, and so is every field of the old entry
// other than access_token, token_type, expires_at and credgen_host.
func (c *tokenCache) withToken(key string, tok cachedToken) ([]byte, error) {
	fields := map[string]json.RawMessage{}
	if raw, ok := c.entries[key]; ok {
		if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
			return nil, fmt.Errorf("entry %q: not a JSON object", key)
		}
	}
	set := func(name string, v any) {
		fields[name], _ = json.Marshal(v) // strings and integers always marshal
	}
	set("access_token", tok.AccessToken)
	set("token_type", tok.TokenType)
	set("expires_at", tok.ExpiresAt.Unix())
	if tok.Host != "" {
		set(hostField, tok.Host)
	} else {
		delete(fields, hostField) // a host credgen no longer vouches for
	}
	entry, err := marshalJSON(fields)
	if err != nil {
		return nil, err
	}
	entries := make(map[string]json.RawMessage, len(c.entries)+1)
	for k, v := range c.entries {
		entries[k] = v
	}
	entries[key] = entry
	return marshalJSON(entries)
}

// marshalJSON encodes v indented and without HTML escaping, so that values
// credgen copies through keep their characters.
func marshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// readBounded reads the regular file path, at most limit bytes; a larger
// file, or a FIFO or device (which would block), is an error.
func readBounded(path string, limit int64) ([]byte, error) {
	return atomicfile.ReadLimited(path, limit)
}

// describeFileError is an I/O error without the path (callers name the file).
func describeFileError(err error) string {
	var pathErr *fs.PathError
	if errors.As(err, &pathErr) {
		return pathErr.Err.Error()
	}
	return err.Error()
}
