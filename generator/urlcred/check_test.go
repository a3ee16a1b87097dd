package urlcred

import (
	"net/url"
	"strings"
	"testing"
)

func TestCheckIndexURLAccepts(t *testing.T) {
	for _, raw := range []string{
		"https://libraries.cgr.dev/python/simple/",
		"https://LIBRARIES.CGR.DEV/python/simple/",
		"HTTPS://libraries.cgr.dev/python/simple/",
		"https://cgr.dev/python/simple",
		"https://acme-111122223333.d.codeartifact.eu-west-1.amazonaws.com/pypi/plugins/simple/",
		"https://vpce-0a1b-c2d3.d.codeartifact.us-east-1.vpce.amazonaws.com/pypi/r/simple/",
		"https://libraries.cgr.dev:443/python/simple/",
		"https://h.example:8443/a%20b/simple?x=1#frag",
		"https://xn--bcher-kva.example/simple/",
		"https://libraries.cgr.dev",
		"https://libraries.cgr.dev/caf\u00e9/simple/", // non-ASCII outside the host
	} {
		if err := CheckIndexURL(raw); err != nil {
			t.Errorf("CheckIndexURL(%q) = %v, want nil", raw, err)
		}
	}
}

func TestCheckIndexURLRefuses(t *testing.T) {
	for _, tc := range []struct{ name, raw, want string }{
		{"backslash before a cgr.dev suffix", `https://evil.com\.cgr.dev/python/simple/`,
			`https://evil.com\.cgr.dev/python/simple/: index URL has a backslash in its host: pip and uv end the host there and would send the token to evil.com`},
		{"decimal IPv4 behind a backslash", `https://2130706433\.d.codeartifact.us-east-1.amazonaws.com/pypi/r/simple/`,
			`https://2130706433\.d.codeartifact.us-east-1.amazonaws.com/pypi/r/simple/: index URL has a backslash in its host: pip and uv end the host there and would send the token to 2130706433`},
		{"fullwidth dot behind a backslash", "https://evil\u3002com\\.d.codeartifact.us-east-1.amazonaws.com/pypi/r/simple/", "has a backslash in its host"},
		{"backslash before the at sign", `https://evil.com\@libraries.cgr.dev/python/simple/`, "would send the token to evil.com"},
		{"backslash in the path", `https://libraries.cgr.dev/python\simple/`, "contains a backslash, which pip and uv read differently"},
		{"fullwidth dot", "https://evil\u3002cgr.dev/python/simple/", "index host \"evil\u3002cgr.dev\" is not a plain DNS name: '\u3002' is not allowed"},
		{"non-ASCII letter", "https://libr\u00e4ries.cgr.dev/python/simple/", "is not a plain DNS name"},
		{"decimal IPv4", "https://2130706433/python/simple/", "ending in a number as an IP address"},
		{"hex IPv4", "https://0x7f000001/python/simple/", "ending in a number"},
		{"dotted IPv4", "https://127.0.0.1/python/simple/", "ending in a number"},
		{"numeric last label", "https://x.d.codeartifact.us-east-1.amazonaws.0x7f/r/simple/", "ending in a number"},
		{"IPv6 literal", "https://[::1]:8443/python/simple/", `'[' is not allowed`},
		{"star", "https://*.cgr.dev/python/simple/", `'*' is not allowed`},
		{"percent in host", "https://evil.com%2F.cgr.dev/python/simple/", `'%' is not allowed`},
		{"underscore", "https://lib_raries.cgr.dev/python/simple/", `'_' is not allowed`},
		{"empty label", "https://libraries..cgr.dev/python/simple/", "empty label"},
		{"leading dot", "https://.cgr.dev/python/simple/", "empty label"},
		{"trailing dot", "https://libraries.cgr.dev./python/simple/", "empty label"},
		{"long label", "https://" + strings.Repeat("a", 64) + ".cgr.dev/", "longer than 63"},
		{"long host", "https://" + strings.Repeat("a.", 127) + "cgr.dev/", "longer than 253"},
		{"empty port", "https://libraries.cgr.dev:/python/simple/", `port "" is not a number`},
		{"port zero", "https://libraries.cgr.dev:0/python/simple/", "port 0 is not from 1 to 65535"},
		{"port too big", "https://libraries.cgr.dev:65536/python/simple/", "not from 1 to 65535"},
		{"signed port", "https://libraries.cgr.dev:+443/python/simple/", "is not a number"},
		{"newline", "https://libraries.cgr.dev/python/simple/\n", `"https://libraries.cgr.dev/python/simple/\n": index URL contains whitespace or a control character ('\n')`},
		{"newline in host", "https://libraries.cgr.dev\n.evil.com/python/simple/", "control character"},
		{"tab", "https://libraries.cgr.dev/py\tthon/simple/", "control character ('\\t')"},
		{"space", "https://libraries.cgr.dev/py thon/simple/", "whitespace"},
		{"leading space", " https://libraries.cgr.dev/python/simple/", "whitespace"},
		{"NUL", "https://libraries.cgr.dev\x00.evil.com/", `control character ('\x00')`},
		{"DEL", "https://libraries.cgr.dev/\x7f/", "control character"},
		{"ideographic space", "https://libraries.cgr.dev/\u3000/", "whitespace"},
		{"bad escape", "https://libraries.cgr.dev/python/simple/%zz", `malformed percent-escape "%zz"`},
		{"truncated escape", "https://libraries.cgr.dev/python/simple/%4", `malformed percent-escape "%4"`},
		{"http", "http://libraries.cgr.dev/python/simple/", "http://libraries.cgr.dev/python/simple/: http:// index refused: credentials would travel in clear text; use https://"},
		{"HTTP upper case", "HTTP://libraries.cgr.dev/python/simple/", "http:// index refused"},
		{"other scheme", "ftp://libraries.cgr.dev/python/simple/", `"ftp://libraries.cgr.dev/python/simple/" is not an https:// index URL`},
		{"no scheme", "libraries.cgr.dev/python/simple/", "is not an https:// index URL"},
		{"no host", "https:///python/simple/", "is not an https:// index URL"},
		{"userinfo", "https://u:s3cret@libraries.cgr.dev/python/simple/", "https://libraries.cgr.dev/python/simple/: index URL must not carry credentials; credgen adds them"},
		{"undecodable userinfo", "https://_token:s3cretx%zz@libraries.cgr.dev/python/simple/", "must not carry credentials"},
		{"empty userinfo", "https://@libraries.cgr.dev/python/simple/", "must not carry credentials"},
		{"secret before a backslash", `https://u:s3cret\@libraries.cgr.dev/python/simple/`, "backslash"},
		{"secret in a URL with a newline", "https://u:s3cret@libraries.cgr.dev/\n", "control character"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckIndexURL(tc.raw)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("CheckIndexURL(%q) = %v, want %q", tc.raw, err, tc.want)
			}
			if strings.Contains(err.Error(), "s3cret") {
				t.Fatalf("the error shows the password: %v", err)
			}
		})
	}
}

// TestHostOfAmbiguousURLIsEmpty: a URL whose authority holds a backslash
// names different hosts to pip's urllib.parse and to urllib3 or uv, so
// credgen gives it no host, never strips or adds credentials there, and still
// masks whatever could be a password in it.
func TestHostOfAmbiguousURLIsEmpty(t *testing.T) {
	for _, raw := range []string{
		`https://evil.com\.cgr.dev/python/simple/`,
		`https://evil.com\@libraries.cgr.dev/python/simple/`,
		`https://_token:old@evil.com\@libraries.cgr.dev/python/simple/`,
	} {
		if h := Host(raw); h != "" {
			t.Errorf("Host(%q) = %q, want none", raw, h)
		}
		if got := With(raw, "_token", "new"); got != raw {
			t.Errorf("With(%q) = %q, want it unchanged", raw, got)
		}
		if got := Strip(raw); got != raw {
			t.Errorf("Strip(%q) = %q, want it unchanged", raw, got)
		}
	}
	if m := Mask(`https://u:s3cret\@libraries.cgr.dev/`); strings.Contains(m, "s3cret") {
		t.Errorf("Mask = %q shows the password", m)
	}
}

// authorityHost is the host a WHATWG-style parser (uv; urllib3 for pip)
// reads: after "scheme:" and any run of "/" or "\", the authority ends at the
// first "/", "\", "?" or "#", the userinfo at its last "@", the port at the
// last ":".
func authorityHost(raw string) string {
	_, rest, ok := strings.Cut(raw, ":")
	if !ok {
		return ""
	}
	rest = strings.TrimLeft(rest, `/\`)
	if end := strings.IndexAny(rest, `/\?#`); end >= 0 {
		rest = rest[:end]
	}
	if at := strings.LastIndexByte(rest, '@'); at >= 0 {
		rest = rest[at+1:]
	}
	if c := strings.LastIndexByte(rest, ':'); c >= 0 {
		rest = rest[:c]
	}
	return strings.ToLower(rest)
}

// FuzzCheckIndexURL: whatever CheckIndexURL accepts, Go's URL parser and a
// WHATWG-style authority split read the same host as credgen's Host, so the
// host credgen mints for is the host every client sends the token to.
func FuzzCheckIndexURL(f *testing.F) {
	for _, seed := range []string{
		"https://libraries.cgr.dev/python/simple/",
		"https://acme-111122223333.d.codeartifact.eu-west-1.amazonaws.com/pypi/plugins/simple/",
		"https://libraries.cgr.dev:443/python/simple/?x=1#f",
		`https://evil.com\.cgr.dev/python/simple/`,
		`https://2130706433\.d.codeartifact.us-east-1.amazonaws.com/pypi/r/simple/`,
		"https://evil\u3002com\\.d.codeartifact.us-east-1.amazonaws.com/pypi/r/simple/",
		"https://evil.com?@libraries.cgr.dev/",
		"https://evil.com#@libraries.cgr.dev/",
		"https://u:p@libraries.cgr.dev/",
		"https:\\\\evil.com/",
		"https:///evil.com/",
		"https://[::1]:443/",
		"https://0x7f.1/",
		"https://libraries.cgr.dev/\n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		if CheckIndexURL(raw) != nil {
			return
		}
		host := Host(raw)
		if host == "" {
			t.Fatalf("accepted %q without a host", raw)
		}
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatalf("accepted %q, which Go's url.Parse refuses: %v", raw, err)
		}
		if got := strings.ToLower(u.Hostname()); got != host {
			t.Fatalf("accepted %q: Go's host %q, credgen's %q", raw, got, host)
		}
		if u.Scheme != "https" || u.User != nil {
			t.Fatalf("accepted %q: scheme %q, userinfo %v", raw, u.Scheme, u.User != nil)
		}
		if got := authorityHost(raw); got != host {
			t.Fatalf("accepted %q: WHATWG-style host %q, credgen's %q", raw, got, host)
		}
	})
}
