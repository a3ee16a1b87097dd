// Package faketoken issues and verifies the tokens of credgen's test doubles:
// JWT-shaped (header.payload.signature, HS256 over a fixed test key) so that
// credgen's JWT expiry reader sees what chainctl would print, and the fake
// index can tell a live token from an expired or forged one. Test-only: it
// lives under testdata and is never linked into credgen.
package faketoken

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// key signs every fake token. Not a secret: it only has to be shared by fakes.
var key = []byte("credgen-fake-signing-key")

// Claims are the fields a fake token carries.
type Claims struct {
	Subject  string `json:"sub"`
	Audience string `json:"aud"`
	IssuedAt int64  `json:"iat"`
	Expiry   int64  `json:"exp,omitempty"` // 0: no exp claim (credgen assumes 1 h)
	ID       string `json:"jti"`
}

var b64 = base64.RawURLEncoding

// Issue returns a new signed token for subject and audience, valid for ttl from
// now (ttl 0: no exp claim). Every call returns a different token.
func Issue(subject, audience string, ttl time.Duration, now time.Time) string {
	var id [8]byte
	_, _ = rand.Read(id[:])
	c := Claims{Subject: subject, Audience: audience, IssuedAt: now.Unix(), ID: hex.EncodeToString(id[:])}
	if ttl > 0 {
		c.Expiry = now.Add(ttl).Unix()
	}
	header := b64.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
	payload, _ := json.Marshal(c)
	signed := header + "." + b64.EncodeToString(payload)
	return signed + "." + sign(signed)
}

func sign(s string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(s))
	return b64.EncodeToString(m.Sum(nil))
}

// ErrExpired is returned by Verify for a well-signed token past its exp.
var ErrExpired = errors.New("token expired")

// Verify checks the signature and expiry of token at now and returns its claims.
// A token without exp is valid for one hour after iat.
func Verify(token string, now time.Time) (Claims, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return Claims{}, errors.New("not a JWT")
	}
	if !hmac.Equal([]byte(sign(parts[0]+"."+parts[1])), []byte(parts[2])) {
		return Claims{}, errors.New("bad signature")
	}
	raw, err := b64.DecodeString(parts[1])
	if err != nil {
		return Claims{}, fmt.Errorf("payload: %w", err)
	}
	var c Claims
	if err := json.Unmarshal(raw, &c); err != nil {
		return Claims{}, fmt.Errorf("payload: %w", err)
	}
	exp := c.Expiry
	if exp == 0 {
		exp = c.IssuedAt + 3600
	}
	if now.Unix() >= exp {
		return c, ErrExpired
	}
	return c, nil
}
