package urlcred

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// CheckIndexURL says whether raw may be given a credential. pip (urllib and
// urllib3), uv (the WHATWG URL standard), curl and credgen itself each parse
// URLs their own way; they agree on a URL only when it is plain. So an index
// URL is accepted only when it is:
//   - https (http would carry the credential in clear text);
//   - free of whitespace, control characters and backslashes;
//   - without userinfo (credgen adds the credentials);
//   - well-formed in its percent-escapes;
//   - of a host that is a plain DNS name: ASCII letters, digits and "-" in
//     dot-separated, non-empty labels, not ending in a number (which WHATWG
//     reads as an IPv4 address: 2130706433 is 127.0.0.1), with an optional
//     port.
//
// Its error names the URL, with any password masked.
func CheckIndexURL(raw string) error {
	shown := Mask(raw)
	if i := strings.IndexFunc(raw, isSpaceOrControl); i >= 0 {
		r, _ := utf8.DecodeRuneInString(raw[i:])
		return fmt.Errorf("%q: index URL contains whitespace or a control character (%q); clients would read it differently", shown, r)
	}
	if strings.ContainsRune(raw, '\\') {
		return backslashError(raw, shown)
	}
	if HasUserinfo(raw) {
		return fmt.Errorf("%s: index URL must not carry credentials; credgen adds them", Strip(raw))
	}
	scheme, hostport := Scheme(raw), hostPort(raw)
	switch {
	case scheme == "http":
		return fmt.Errorf("%s: http:// index refused: credentials would travel in clear text; use https://", shown)
	case scheme != "https" || hostport == "":
		return fmt.Errorf("%q is not an https:// index URL", shown)
	}
	if err := checkEscapes(raw); err != nil {
		return fmt.Errorf("%s: %w", shown, err)
	}
	if err := checkHostPort(hostport); err != nil {
		return fmt.Errorf("%s: %w", shown, err)
	}
	return nil
}

func isSpaceOrControl(r rune) bool {
	return r <= ' ' || r == 0x7f || unicode.IsSpace(r) || unicode.IsControl(r)
}

// backslashError explains why a backslash is refused: in the authority it
// moves the host that uv and urllib3 see; elsewhere clients still disagree on
// what it means (WHATWG reads it as "/").
func backslashError(raw, shown string) error {
	if p, ok := splitLoose(raw); ok && strings.ContainsRune(p.userinfo+p.hostport, '\\') {
		return fmt.Errorf("%s: index URL has a backslash in its host: pip and uv end the host there and would send the token to %s", shown, whatwgHost(raw))
	}
	return fmt.Errorf("%s: index URL contains a backslash, which pip and uv read differently", shown)
}

// whatwgHost is the host a WHATWG parser (uv) or urllib3 (pip) reads in raw:
// the authority ends at the first "/", "\", "?" or "#". For messages only.
func whatwgHost(raw string) string {
	_, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return "another host"
	}
	if end := strings.IndexAny(rest, `/\?#`); end >= 0 {
		rest = rest[:end]
	}
	if at := strings.LastIndexByte(rest, '@'); at >= 0 {
		rest = rest[at+1:]
	}
	if c := strings.LastIndexByte(rest, ':'); c >= 0 {
		rest = rest[:c] // a port, or what a parser might take for one
	}
	if rest == "" {
		return "another host"
	}
	return rest
}

// hostPort is raw's authority without userinfo ("" when raw is not absolute).
func hostPort(raw string) string {
	p, ok := split(raw)
	if !ok {
		return ""
	}
	return p.hostport
}

// checkEscapes refuses a "%" not followed by two hex digits: Go's URL parser
// rejects such a URL, and others guess.
func checkEscapes(raw string) error {
	for i := 0; i < len(raw); i++ {
		if raw[i] != '%' {
			continue
		}
		if i+2 >= len(raw) || !isHex(raw[i+1]) || !isHex(raw[i+2]) {
			return fmt.Errorf("malformed percent-escape %q in index URL", raw[i:min(i+3, len(raw))])
		}
	}
	return nil
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

const (
	maxHostLen  = 253 // a DNS name's longest text form
	maxLabelLen = 63
)

// checkHostPort accepts a plain DNS name with an optional ":PORT".
func checkHostPort(hostport string) error {
	host, port := hostport, ""
	if c := strings.LastIndexByte(hostport, ':'); c >= 0 {
		host, port = hostport[:c], hostport[c+1:]
		if err := checkPort(port); err != nil {
			return fmt.Errorf("index host %q: %w", hostport, err)
		}
	}
	if len(host) > maxHostLen {
		return fmt.Errorf("index host is longer than %d characters", maxHostLen)
	}
	labels := strings.Split(host, ".")
	for _, label := range labels {
		if err := checkLabel(label); err != nil {
			return fmt.Errorf("index host %q is not a plain DNS name: %w", host, err)
		}
	}
	if last := labels[len(labels)-1]; endsInNumber(last) {
		return fmt.Errorf("index host %q is not a DNS name: clients read a host ending in a number as an IP address", host)
	}
	return nil
}

func checkPort(port string) error {
	if strings.Trim(port, "0123456789") != "" || port == "" {
		return fmt.Errorf("port %q is not a number", port)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("port %s is not from 1 to 65535", port)
	}
	return nil
}

func checkLabel(label string) error {
	switch {
	case label == "":
		return fmt.Errorf("an empty label (two dots, or a dot at either end)")
	case len(label) > maxLabelLen:
		return fmt.Errorf("a label longer than %d characters", maxLabelLen)
	}
	for _, r := range label {
		if !(r == '-' || '0' <= r && r <= '9' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z') {
			return fmt.Errorf("%q is not allowed (only ASCII letters, digits, \"-\" and \".\")", r)
		}
	}
	return nil
}

// endsInNumber follows the WHATWG host parser, which takes a host whose last
// label is decimal digits, or "0x" and hex digits, for an IPv4 address.
func endsInNumber(label string) bool {
	if strings.Trim(label, "0123456789") == "" {
		return true
	}
	if len(label) >= 2 && label[0] == '0' && (label[1] == 'x' || label[1] == 'X') {
		return strings.Trim(label[2:], "0123456789abcdefABCDEF") == ""
	}
	return false
}
