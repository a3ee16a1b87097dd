package faketoken

import (
	"errors"
	"testing"
	"time"
)

func TestIssueVerify(t *testing.T) {
	now := time.Now()
	tok := Issue("_token", "libraries.cgr.dev", time.Minute, now)
	if tok == Issue("_token", "libraries.cgr.dev", time.Minute, now) {
		t.Fatal("tokens must be unique")
	}
	c, err := Verify(tok, now)
	if err != nil || c.Audience != "libraries.cgr.dev" || c.Expiry != now.Add(time.Minute).Unix() {
		t.Fatalf("Verify = %+v, %v", c, err)
	}
	if _, err := Verify(tok, now.Add(2*time.Minute)); !errors.Is(err, ErrExpired) {
		t.Fatalf("expired token: %v", err)
	}
	if _, err := Verify(tok[:len(tok)-2]+"xx", now); err == nil {
		t.Fatal("forged token accepted")
	}
}
