package pypirc

import (
	"strings"

	"github.com/credgen/credgen/generator/urlcred"
)

const mask = "****"

// Masked is the file with every secret shown as ****, for a dry run to
// print: the whole value of a key that names a secret (password, token,
// secret, ...), any value that looks like a PyPI or CodeArtifact token, and
// the password in any URL. Line numbers stay those of the file.
func (f *File) Masked() []byte {
	c, err := Parse(f.Bytes())
	if err != nil {
		return nil // cannot happen: a File's bytes always parse
	}
	var e edits
	for _, o := range c.options {
		if isSecretKey(o.name) || looksLikeToken(o.value) {
			c.maskValue(&e, o)
			continue
		}
		for _, t := range o.tokens {
			raw := c.tokenText(t)
			if m := urlcred.Mask(raw); m != raw {
				e.splice(t.line, t.start, t.end, m)
			}
		}
	}
	if err := c.apply(e); err != nil {
		return nil // cannot happen: **** replaces words with a word
	}
	return c.Bytes()
}

// maskValue replaces the value on o's key line and on each of its
// continuation lines by ****, keeping indentation and line count.
func (f *File) maskValue(e *edits, o *option) {
	for _, line := range append([]int{o.line}, o.conts...) {
		var first, last *token
		for i := range o.tokens {
			if t := &o.tokens[i]; t.line == line {
				if first == nil {
					first = t
				}
				last = t
			}
		}
		if first != nil {
			e.splice(line, first.start, last.end, mask)
		}
	}
}

// secretKeyWords are parts of key names whose values are secrets.
var secretKeyWords = []string{"password", "passwd", "secret", "token", "apikey", "api-key", "api_key", "auth"}

func isSecretKey(name string) bool {
	for _, w := range secretKeyWords {
		if strings.Contains(name, w) {
			return true
		}
	}
	return false
}

// looksLikeToken spots secrets under keys of any name: PyPI API tokens
// ("pypi-" then a macaroon) and long single words such as CodeArtifact's
// authorization tokens.
func looksLikeToken(value string) bool {
	if strings.HasPrefix(value, "pypi-") && len(value) > 20 {
		return true
	}
	return len(value) >= 100 && !strings.ContainsFunc(value, isSpace) && !strings.Contains(value, "://")
}
