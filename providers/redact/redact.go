// Package redact masks whatever could be a credential in text that credgen
// quotes from other programs: chainctl's stderr, menda-cloud's error bodies.
// It errs on the side of masking: a long path or host name may be masked too.
package redact

import (
	"regexp"
	"strings"
)

// Mask replaces what is redacted.
const Mask = "****"

// secretWord is a word in a name that suggests the value is a credential.
const secretWord = `(?:token|secret|passw(?:or)?d|credential|authorization|api[_-]?key|access[_-]?key)`

var (
	// secretField is a JSON string field whose name suggests a credential,
	// also when the text is cut short inside the value.
	secretField = regexp.MustCompile(`(?i)("[^"]*(token|secret|password|authorization|credential|key)[^"]*"\s*:\s*)"[^"]*"?`)
	// secretPair is name=value (logfmt, command lines) with a name that
	// suggests a credential, or name: value (YAML, headers) when the name is
	// one word joined with _ or - (access_token, client-secret): a bare
	// "token: not logged in" is prose. The value may be quoted and may follow
	// an auth scheme.
	secretPair = regexp.MustCompile(`(?i)(?P<name>(?:[A-Za-z0-9_.-]*` + secretWord + `[A-Za-z0-9_.-]*\s*=|[A-Za-z0-9]*[_-][A-Za-z0-9_-]*` + secretWord + `[A-Za-z0-9_-]*:|[A-Za-z0-9_-]*` + secretWord + `[A-Za-z0-9]*[_-][A-Za-z0-9_-]*:|[A-Za-z0-9_-]*(?:api|access)[_-]key[A-Za-z0-9_-]*:|authorization:)\s*(?:(?:bearer|basic)\s+)?)(?:"[^"]*"?|'[^']*'?|[^\s"',;&]+)`)
	// authScheme is an HTTP Authorization value.
	authScheme = regexp.MustCompile(`(?i)\b(bearer|basic)(\s+)[^\s"',;]+`)
	// tokenLike is a long unbroken run of token characters (JWTs, API keys,
	// base64), masked whatever it is.
	tokenLike = regexp.MustCompile(`[A-Za-z0-9_\-.~+/=%]{24,}`)
	// jwtLike is anything shaped like a JWT, however short.
	jwtLike = regexp.MustCompile(`[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}`)
)

// Secrets returns s with every known secret (those of the exchange quoted,
// masked wherever they appear, even when short) and anything credential-like
// masked.
func Secrets(s string, known ...string) string {
	for _, k := range known {
		if k != "" {
			s = strings.ReplaceAll(s, k, Mask)
		}
	}
	s = secretField.ReplaceAllString(s, `$1"`+Mask+`"`)
	s = secretPair.ReplaceAllString(s, `${name}`+Mask)
	s = authScheme.ReplaceAllString(s, `$1$2`+Mask)
	s = jwtLike.ReplaceAllString(s, Mask)
	return tokenLike.ReplaceAllString(s, Mask)
}
