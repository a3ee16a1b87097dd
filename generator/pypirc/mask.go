package pypirc

import (
	"strings"

	"github.com/credgen/credgen/generator/ini"
	"github.com/credgen/credgen/generator/urlcred"
)

const mask = "****"

// Masked is the file with every secret shown as ****, for a dry run to
// print: the whole value of a key that names a secret (password, token,
// secret, ...), any value that looks like a PyPI or CodeArtifact token, and
// the password in any URL. Line numbers stay those of the file.
func (f *File) Masked() []byte {
	c := f.doc.Clone()
	var e ini.Edits
	for _, o := range c.Options {
		if isSecretKey(o.Name) || looksLikeToken(o.Value) {
			maskValue(&e, o)
			continue
		}
		for _, t := range o.Tokens {
			raw := c.TokenText(t)
			if m := urlcred.Mask(raw); m != raw {
				e.Splice(t.Line, t.Start, t.End, m)
			}
		}
	}
	if err := c.Apply(e); err != nil {
		return nil // cannot happen: **** replaces words with a word
	}
	return c.Bytes()
}

// maskValue replaces the value on o's key line and on each of its
// continuation lines by ****, keeping indentation and line count.
func maskValue(e *ini.Edits, o *ini.Option) {
	for _, line := range append([]int{o.Line}, o.Conts...) {
		var first, last *ini.Token
		for i := range o.Tokens {
			if t := &o.Tokens[i]; t.Line == line {
				if first == nil {
					first = t
				}
				last = t
			}
		}
		if first != nil {
			e.Splice(line, first.Start, last.End, mask)
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
	return len(value) >= 100 && !strings.ContainsFunc(value, ini.IsSpace) && !strings.Contains(value, "://")
}
