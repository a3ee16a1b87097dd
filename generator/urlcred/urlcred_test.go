package urlcred

import "testing"

func TestWithAndUserinfoRoundTrip(t *testing.T) {
	for _, tc := range []struct{ raw, user, secret, want string }{
		{"https://libraries.cgr.dev/python/simple/", "_token", "abc.def-ghi", "https://_token:abc.def-ghi@libraries.cgr.dev/python/simple/"},
		{"https://old:old@libraries.cgr.dev/python/simple/", "_token", "new", "https://_token:new@libraries.cgr.dev/python/simple/"},
		{"https://libraries.cgr.dev/python/simple/", "org/1234", "t", "https://org%2F1234:t@libraries.cgr.dev/python/simple/"},
		{"https://h.example:8443/a%20b/simple?x=1#frag", "aws", "s@:/?", "https://aws:s%40%3A%2F%3F@h.example:8443/a%20b/simple?x=1#frag"},
	} {
		got := With(tc.raw, tc.user, tc.secret)
		if got != tc.want {
			t.Errorf("With(%q) = %q, want %q", tc.raw, got, tc.want)
		}
		u, s, ok := Userinfo(got)
		if !ok || u != tc.user || s != tc.secret {
			t.Errorf("Userinfo(%q) = %q %q %v", got, u, s, ok)
		}
		if Strip(got) != Strip(tc.raw) {
			t.Errorf("Strip(%q) = %q, want %q", got, Strip(got), Strip(tc.raw))
		}
	}
}

func TestHostKeyMask(t *testing.T) {
	if h := Host("https://u:p@LIBRARIES.cgr.dev:443/python/simple/"); h != "libraries.cgr.dev" {
		t.Errorf("Host = %q", h)
	}
	if h := Host("https://[::1]:8080/x"); h != "::1" {
		t.Errorf("Host v6 = %q", h)
	}
	if Host("not a url") != "" || Host("https:///path") != "" {
		t.Error("Host of a non-URL must be empty")
	}
	if Key("https://u:p@Libraries.CGR.dev:443/python/simple/") != Key("https://libraries.cgr.dev/python/simple") {
		t.Error("Key must ignore credentials, case of host, default port and trailing slash")
	}
	if Key("https://libraries.cgr.dev/python/simple/") == Key("https://libraries.cgr.dev/java/simple/") {
		t.Error("Key must keep the path")
	}
	if m := Mask("https://_token:eyJ.secret@libraries.cgr.dev/python/simple/"); m != "https://_token:****@libraries.cgr.dev/python/simple/" {
		t.Errorf("Mask = %q", m)
	}
	if m := Mask("https://eyJ.token-only@libraries.cgr.dev/python/simple/"); m != "https://****@libraries.cgr.dev/python/simple/" {
		t.Errorf("Mask of a token-only userinfo = %q", m)
	}
}

func TestHasUserinfoEvenWhenItDoesNotDecode(t *testing.T) {
	raw := "https://_token:SECRETx%zz@libraries.cgr.dev/python/simple/"
	if _, _, ok := Userinfo(raw); ok {
		t.Fatal("a bad escape decoded")
	}
	if !HasUserinfo(raw) || HasUserinfo("https://libraries.cgr.dev/python/simple/") {
		t.Fatal("HasUserinfo")
	}
	if Strip(raw) != "https://libraries.cgr.dev/python/simple/" {
		t.Fatalf("Strip = %q", Strip(raw))
	}
}
