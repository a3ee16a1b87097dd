// Package urlcred reads and replaces the credentials embedded in an index URL
// (https://user:secret@host/path) by string surgery, so that every other byte
// of the URL stays exactly as the user wrote it.
package urlcred

import (
	"net/url"
	"strings"
)

// parts of an absolute URL: scheme "://" [userinfo "@"] hostport rest.
type parts struct {
	scheme, userinfo, hostport, rest string
	hasUserinfo                      bool
}

// split cuts raw into its parts. A URL whose authority holds a backslash is
// not split at all: pip's own code (urllib.parse) reads the authority up to
// the first "/", "?" or "#", while urllib3 and uv (WHATWG) end it at the
// backslash, so "https://evil.com\@libraries.cgr.dev/" names a different host
// to each. Such a URL has no host for credgen, and so never gets a credential.
func split(raw string) (parts, bool) {
	p, ok := splitLoose(raw)
	if !ok || strings.ContainsRune(p.userinfo+p.hostport, '\\') {
		return parts{}, false
	}
	return p, true
}

// splitLoose cuts raw as Python's urllib.parse does: the authority ends at the
// first "/", "?" or "#", the userinfo at the last "@" in it. Mask uses it
// directly, so that whatever any parser could take for a password is masked.
func splitLoose(raw string) (parts, bool) {
	i := strings.Index(raw, "://")
	if i <= 0 {
		return parts{}, false
	}
	p := parts{scheme: raw[:i]}
	after := raw[i+3:]
	end := strings.IndexAny(after, "/?#")
	if end < 0 {
		end = len(after)
	}
	authority := after[:end]
	p.rest = after[end:]
	if at := strings.LastIndexByte(authority, '@'); at >= 0 {
		p.userinfo, p.hostport, p.hasUserinfo = authority[:at], authority[at+1:], true
	} else {
		p.hostport = authority
	}
	return p, p.hostport != ""
}

// Host is the lower-case host of raw without port or userinfo; "" when raw is
// not an absolute URL.
func Host(raw string) string {
	p, ok := split(raw)
	if !ok {
		return ""
	}
	h := p.hostport
	if strings.HasPrefix(h, "[") { // IPv6 literal
		if end := strings.IndexByte(h, ']'); end > 0 {
			return strings.ToLower(h[1:end])
		}
	}
	if c := strings.LastIndexByte(h, ':'); c >= 0 {
		h = h[:c]
	}
	return strings.ToLower(strings.TrimSuffix(h, "."))
}

// Scheme is the lower-case scheme of raw ("" when raw is not absolute).
func Scheme(raw string) string {
	p, ok := split(raw)
	if !ok {
		return ""
	}
	return strings.ToLower(p.scheme)
}

// Strip returns raw without its userinfo.
func Strip(raw string) string {
	p, ok := split(raw)
	if !ok || !p.hasUserinfo {
		return raw
	}
	return p.scheme + "://" + p.hostport + p.rest
}

// With returns raw carrying user and secret as its userinfo, percent-encoded
// as RFC 3986 asks (a "/" in user becomes %2F). An empty user strips it.
func With(raw, user, secret string) string {
	p, ok := split(raw)
	if !ok {
		return raw
	}
	if user == "" {
		return Strip(raw)
	}
	return p.scheme + "://" + url.UserPassword(user, secret).String() + "@" + p.hostport + p.rest
}

// HasUserinfo says whether raw carries a userinfo part ("user:secret@"),
// whether or not it decodes.
func HasUserinfo(raw string) bool {
	p, ok := split(raw)
	return ok && p.hasUserinfo
}

// Userinfo returns the decoded username and password embedded in raw.
func Userinfo(raw string) (user, secret string, ok bool) {
	p, ok := split(raw)
	if !ok || !p.hasUserinfo {
		return "", "", false
	}
	u, err := url.Parse(p.scheme + "://" + p.userinfo + "@x/")
	if err != nil || u.User == nil {
		return "", "", false
	}
	secret, _ = u.User.Password()
	return u.User.Username(), secret, true
}

// Key is what two index URLs are compared by: scheme and host in lower case,
// no userinfo, no default port, no trailing slash. Two URLs with equal keys
// name the same index.
func Key(raw string) string {
	p, ok := split(raw)
	if !ok {
		return strings.TrimRight(raw, "/")
	}
	scheme := strings.ToLower(p.scheme)
	hp := strings.ToLower(p.hostport)
	if scheme == "https" {
		hp = strings.TrimSuffix(hp, ":443")
	} else if scheme == "http" {
		hp = strings.TrimSuffix(hp, ":80")
	}
	return scheme + "://" + hp + strings.TrimRight(p.rest, "/")
}

// Mask returns raw with the password part of its userinfo replaced by ****,
// for showing a URL to a person. Userinfo without a password may itself be a
// token (https://TOKEN@host/), so it is masked whole.
func Mask(raw string) string {
	p, ok := splitLoose(raw)
	if !ok || !p.hasUserinfo {
		return raw
	}
	c := strings.IndexByte(p.userinfo, ':')
	if c < 0 {
		return p.scheme + "://****@" + p.hostport + p.rest
	}
	return p.scheme + "://" + p.userinfo[:c] + ":****@" + p.hostport + p.rest
}
