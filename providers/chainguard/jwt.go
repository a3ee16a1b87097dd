package chainguard

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"math"
	"strings"
	"time"
)

// maxExp is the first second of year 10000: a later exp is garbage, not a date.
const maxExp = 253402300800

// ExpiryFromJWT reads the exp claim of a JWT's payload. The signature is not
// checked: credgen only needs to know when to renew, and the index checks the
// token. It reports false when the token is not a JWT, has no exp, or its exp
// is not a positive number of seconds before year 10000.
func ExpiryFromJWT(token string) (time.Time, bool) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return time.Time{}, false
	}
	// JWTs use unpadded base64url; tolerate padding some encoders add anyway.
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return time.Time{}, false
	}
	var claims struct {
		Exp json.Number `json:"exp"`
	}
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	if err := dec.Decode(&claims); err != nil || claims.Exp == "" {
		return time.Time{}, false
	}
	return numericDate(claims.Exp)
}

// numericDate converts a JWT NumericDate (seconds, possibly fractional).
func numericDate(n json.Number) (time.Time, bool) {
	if sec, err := n.Int64(); err == nil {
		if sec <= 0 || sec >= maxExp {
			return time.Time{}, false
		}
		return time.Unix(sec, 0), true
	}
	f, err := n.Float64()
	if err != nil || math.IsNaN(f) || f <= 0 || f >= maxExp {
		return time.Time{}, false
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)), true
}

// jwtShaped reports whether token looks like a signed JWT: three non-empty
// base64url segments separated by dots (padding tolerated, as in ExpiryFromJWT).
func jwtShaped(token string) bool {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return false
	}
	for _, part := range parts {
		part = strings.TrimRight(part, "=")
		if part == "" || strings.IndexFunc(part, notBase64URL) >= 0 {
			return false
		}
	}
	return true
}

func notBase64URL(r rune) bool {
	return !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_')
}
