// Package redact masks whatever could be a credential in text that credgen
// quotes from other programs: chainctl's stderr, menda-cloud's error bodies,
// and the errors built from them. It errs on the side of masking: a long path
// or host name may be masked too.
package redact

import (
	"regexp"
	"strings"
	"sync"
	"unicode"
)

// Mask replaces what is redacted.
const Mask = "****"

// secretWord is a word in a name that suggests the value is a credential.
const secretWord = `(?:token|secret|passw(?:or)?d|passphrase|credential|authorization|cookie|api[_-]?key|access[_-]?key)`

// patterns are the expressions redaction uses, compiled on first use: most
// runs never redact, and compiling them at start-up cost every run (a keyring
// lookup included) about a millisecond and a half.
type patterns struct {
	secretKeyName, quotedKey, secretPair, barePair, proseWord, userinfo, authScheme, tokenLike, jwtLike *regexp.Regexp
}

var compiled = sync.OnceValue(func() *patterns {
	return &patterns{
		// secretKeyName is a JSON (or Python dict) key whose value is masked
		// whatever its type: a string, a number, a list, an object.
		secretKeyName: regexp.MustCompile(`(?i)` + secretWord + `|key`),
		// quotedKey is a quoted key followed by a colon, where a value starts.
		quotedKey: regexp.MustCompile(`("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')\s*:\s*`),
		// secretPair is name=value (logfmt, command lines) with a name that
		// suggests a credential, or name: value (YAML, headers) when the name is
		// one word joined with _ or - (access_token, client-secret) or is a
		// password. The value may be quoted and may follow an auth scheme.
		secretPair: regexp.MustCompile(`(?i)(?P<name>(?:[A-Za-z0-9_.-]*` + secretWord + `[A-Za-z0-9_.-]*\s*=|[A-Za-z0-9]*[_-][A-Za-z0-9_-]*` + secretWord + `[A-Za-z0-9_-]*:|[A-Za-z0-9_-]*` + secretWord + `[A-Za-z0-9]*[_-][A-Za-z0-9_-]*:|[A-Za-z0-9_-]*(?:api|access)[_-]key[A-Za-z0-9_-]*:|authorization:|\bpassw(?:or)?d\s*:|\bpassphrase\s*:)\s*(?:(?:bearer|basic)\s+)?)(?:"[^"]*"?|'[^']*'?|[^\s"',;&<]+)`),
		// barePair is a bare word such as token: followed by one word. "token:
		// not logged in" is prose and stays; "token: Ab3!x" is masked (see
		// proseWord).
		barePair: regexp.MustCompile(`(?i)(\b(?:token|secret|credential|key)\s*:\s*)([^\s"',;&<]+)`),
		// proseWord is a plain word, perhaps capitalised, perhaps followed by
		// punctuation: what follows "token:" in a sentence, never a credential.
		proseWord: regexp.MustCompile(`^[A-Za-z][a-z]*[.,:;!?)]*$`),
		// userinfo is the user:password@ part of a URL (a proxy's, say).
		userinfo: regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.-]*://)[^\s/?#]*@`),
		// authScheme is an HTTP Authorization value.
		authScheme: regexp.MustCompile(`(?i)\b(bearer|basic)(\s+)[^\s"',;]+`),
		// tokenLike is a long unbroken run of token characters (JWTs, API keys,
		// base64), masked whatever it is.
		tokenLike: regexp.MustCompile(`[A-Za-z0-9_\-.~+/=%]{24,}`),
		// jwtLike is anything shaped like a JWT, however short.
		jwtLike: regexp.MustCompile(`[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}`),
	}
})

// Secrets returns s with every known secret (those of the exchange quoted,
// masked wherever they appear, even when short) and anything credential-like
// masked.
func Secrets(s string, known ...string) string {
	for _, k := range known {
		if k != "" {
			s = strings.ReplaceAll(s, k, Mask)
		}
	}
	s = secretValues(s)
	s = compiled().userinfo.ReplaceAllString(s, `${1}`+Mask+`@`)
	s = compiled().secretPair.ReplaceAllString(s, `${name}`+Mask)
	s = compiled().barePair.ReplaceAllStringFunc(s, maskUnlessProse)
	s = compiled().authScheme.ReplaceAllString(s, `$1$2`+Mask)
	s = compiled().jwtLike.ReplaceAllString(s, Mask)
	return compiled().tokenLike.ReplaceAllString(s, Mask)
}

// maskUnlessProse masks the value of a barePair match unless it is a word.
func maskUnlessProse(match string) string {
	m := compiled().barePair.FindStringSubmatch(match)
	if compiled().proseWord.MatchString(m[2]) {
		return match
	}
	return m[1] + Mask
}

// secretValues replaces the value under every secret-named quoted key with
// "****", whatever the value is: a string, a number, a list or an object,
// also when the text ends inside it. The rest of the text is kept as it was.
func secretValues(s string) string {
	var b strings.Builder
	rest := s
	for {
		loc := compiled().quotedKey.FindStringSubmatchIndex(rest)
		if loc == nil {
			b.WriteString(rest)
			return b.String()
		}
		key := rest[loc[2]:loc[3]]
		if !compiled().secretKeyName.MatchString(key) {
			b.WriteString(rest[:loc[1]])
			rest = rest[loc[1]:]
			continue
		}
		b.WriteString(rest[:loc[1]])
		b.WriteString(`"` + Mask + `"`)
		rest = rest[loc[1]+valueLength(rest[loc[1]:]):]
	}
}

// valueLength is the length of the JSON-like value s starts with: a quoted
// string, a bracketed list or object (nested, strings inside skipped), or a
// bare word up to the next separator. A value the text ends inside runs to
// the end.
func valueLength(s string) int {
	if s == "" {
		return 0
	}
	switch s[0] {
	case '"', '\'':
		return quotedLength(s)
	case '[', '{':
		depth := 0
		for i := 0; i < len(s); i++ {
			switch s[i] {
			case '"', '\'':
				i += quotedLength(s[i:]) - 1
			case '[', '{':
				depth++
			case ']', '}':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
		}
		return len(s)
	}
	if end := strings.IndexFunc(s, func(r rune) bool { return r == ',' || r == '}' || r == ']' || unicode.IsSpace(r) }); end >= 0 {
		return end
	}
	return len(s)
}

// quotedLength is the length of the quoted string s starts with, its closing
// quote included, or len(s) when it is not closed.
func quotedLength(s string) int {
	quote := s[0]
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case quote:
			return i + 1
		}
	}
	return len(s)
}

// Summary is err's message, redacted, on one line and at most max runes long
// (the cut marked with …): fit to be stored and shown again later, as the last
// error of a mint is. A nil err is "".
func Summary(err error, max int) string {
	if err == nil {
		return ""
	}
	s := Secrets(err.Error())
	s = strings.Join(strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || !unicode.IsPrint(r) }), " ")
	if r := []rune(s); max > 0 && len(r) > max {
		s = strings.TrimSpace(string(r[:max-1])) + "…"
	}
	return s
}
