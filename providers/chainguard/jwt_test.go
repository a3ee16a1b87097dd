package chainguard

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/credgen/credgen/testdata/fakes/faketoken"
)

// jwtWithPayload builds an unsigned-looking JWT around a raw payload.
func jwtWithPayload(payload string) string {
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(`{"alg":"HS256"}`)) + "." + enc.EncodeToString([]byte(payload)) + ".c2ln"
}

func TestExpiryFromJWT(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	padded := base64.URLEncoding.EncodeToString([]byte(`{"exp":1800000001}`))
	tests := []struct {
		name   string
		token  string
		want   time.Time
		wantOK bool
	}{
		{name: "faketoken", token: faketoken.Issue("_token", Audience, time.Hour, now), want: now.Add(time.Hour), wantOK: true},
		{name: "faketoken without exp", token: faketoken.Issue("_token", Audience, 0, now)},
		{name: "integer exp", token: jwtWithPayload(`{"exp":1800000000}`), want: now, wantOK: true},
		{name: "fractional exp", token: jwtWithPayload(`{"exp":1800000000.5}`), want: now.Add(500 * time.Millisecond), wantOK: true},
		{name: "exponent exp", token: jwtWithPayload(`{"exp":1.8e9}`), want: now, wantOK: true},
		{name: "padded payload", token: "e30." + padded + ".c2ln", want: now.Add(time.Second), wantOK: true},
		{name: "exp as numeric string", token: jwtWithPayload(`{"exp":"1800000000"}`), want: now, wantOK: true},
		{name: "exp as word", token: jwtWithPayload(`{"exp":"tomorrow"}`)},
		{name: "exp null", token: jwtWithPayload(`{"exp":null}`)},
		{name: "exp zero", token: jwtWithPayload(`{"exp":0}`)},
		{name: "exp negative", token: jwtWithPayload(`{"exp":-5}`)},
		{name: "exp after year 9999", token: jwtWithPayload(`{"exp":253402300800}`)},
		{name: "exp beyond int64", token: jwtWithPayload(`{"exp":1e300}`)},
		{name: "payload not JSON", token: jwtWithPayload(`exp=1800000000`)},
		{name: "payload a JSON array", token: jwtWithPayload(`[1800000000]`)},
		{name: "payload not base64", token: "e30.!!!.c2ln"},
		{name: "two parts", token: "e30." + base64.RawURLEncoding.EncodeToString([]byte(`{"exp":1800000000}`))},
		{name: "five parts (JWE)", token: "a.b.c.d.e"},
		{name: "empty", token: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ExpiryFromJWT(tt.token)
			if ok != tt.wantOK || !got.Equal(tt.want) {
				t.Errorf("ExpiryFromJWT = %v, %v; want %v, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestJWTShaped(t *testing.T) {
	tests := map[string]bool{
		faketoken.Issue("_token", Audience, time.Hour, time.Now()): true,
		"aGVhZA.cGF5bG9hZA.c2ln":                                   true,
		"aGVhZA==.cGF5bG9hZA.c2ln":                                 true,
		"aGVhZA.cGF5bG9hZA.":                                       false,
		"aGVhZA.cGF5bG9hZA":                                        false,
		"aGVhZA.cGF5 bG9hZA.c2ln":                                  false,
		"aGVhZA.cGF5+bG9hZA.c2ln":                                  false,
		"Welcome":                                                  false,
		"":                                                         false,
	}
	for token, want := range tests {
		if got := jwtShaped(token); got != want {
			t.Errorf("jwtShaped(%q) = %v, want %v", token, got, want)
		}
	}
}

// FuzzExpiryFromJWT: any input, no panic; a reported expiry is a sane date.
func FuzzExpiryFromJWT(f *testing.F) {
	f.Add(faketoken.Issue("_token", Audience, time.Hour, time.Unix(1_800_000_000, 0)))
	f.Add(jwtWithPayload(`{"exp":1.5e9}`))
	f.Fuzz(func(t *testing.T, token string) {
		exp, ok := ExpiryFromJWT(token)
		if !ok {
			if !exp.IsZero() {
				t.Errorf("not ok but expiry %v", exp)
			}
			return
		}
		if exp.Unix() <= 0 || exp.Unix() >= maxExp {
			t.Errorf("expiry %v out of range", exp)
		}
		if strings.Count(token, ".") != 2 {
			t.Errorf("expiry from a token that is not three parts")
		}
	})
}
