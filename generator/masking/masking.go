// Package masking recognises where configuration text may hold a secret
// that credgen did not write, so that a dry run can show the file without
// it. It errs on the side of hiding: a harmless value that looks secret is
// masked too.
package masking

import (
	"strings"
	"unicode"

	"github.com/credgen/credgen/generator/urlcred"
)

// Mask is what a hidden value reads as.
const Mask = "****"

// secretParts are words that make a key name secret wherever they occur in
// it (access_token, clientSecret, db-password); secretWords only as a whole
// part of the name (pass, but not passenger).
var (
	secretParts = []string{"password", "passwd", "passphrase", "secret", "token", "credential", "apikey", "authorization", "cookie", "private"}
	secretWords = map[string]bool{"auth": true, "pass": true, "pwd": true, "key": true, "pat": true, "pw": true}
)

// SecretName reports whether a key name looks like it holds a secret.
func SecretName(key string) bool {
	k := strings.ToLower(key)
	if strongSecretName(k) {
		return true
	}
	for _, w := range strings.FieldsFunc(k, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if secretWords[w] {
			return true
		}
	}
	return false
}

// strongSecretName reports whether the lower-case name k holds one of the
// secretParts: in free text only these make the next word a value ("an
// extra key uv ignores" is prose, "token abc" may not be).
func strongSecretName(k string) bool {
	for _, p := range secretParts {
		if strings.Contains(k, p) {
			return true
		}
	}
	return false
}

// URL hides the credentials of a URL word: the password of its userinfo, or
// the whole userinfo when it has no password (a token as the username). A
// scheme-less user:password@host (pip's proxy form) has its password hidden
// too. Other words come back unchanged.
func URL(word string) string {
	if m := urlcred.Mask(word); m != word {
		return m
	}
	if strings.Contains(word, "://") {
		return word
	}
	at := strings.LastIndexByte(word, '@')
	if at <= 0 || at == len(word)-1 || strings.ContainsAny(word[:at], "/?#") {
		return word
	}
	c := strings.IndexByte(word[:at], ':')
	if c < 0 {
		return word // user@host, an e-mail address: no secret in the form
	}
	return word[:c+1] + Mask + word[at:]
}

// Text hides secrets in free text such as a comment, keeping every other
// byte (so a comment stays a comment): URL credentials in any word, the
// value of a `name=value` or `name:value` word whose name looks secret, and
// the word after a word that holds password, token, secret or the like
// ("token: abc", "password abc"; "key abc" is left as prose).
func Text(s string) string {
	var b strings.Builder
	afterName := false
	for len(s) > 0 {
		space := strings.IndexFunc(s, notSpace)
		if space < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:space])
		s = s[space:]
		end := strings.IndexFunc(s, unicode.IsSpace)
		if end < 0 {
			end = len(s)
		}
		word := s[:end]
		s = s[end:]
		masked, isName := maskWord(word, afterName)
		b.WriteString(masked)
		afterName = isName
	}
	return b.String()
}

func notSpace(r rune) bool { return !unicode.IsSpace(r) }

// maskWord masks one word of free text; afterName says the word before was
// a secret-looking name. isName says this word is one (its value follows).
func maskWord(word string, afterName bool) (masked string, isName bool) {
	if afterName && !isDelimiter(word) {
		return Mask, false
	}
	if i := strings.IndexAny(word, "=:"); i > 0 && SecretName(word[:i]) {
		name, value := word[:i+1], strings.TrimLeft(word[i+1:], "=:")
		if value == "" {
			return word, true // "token:" or "token=": the value is the next word
		}
		return name + Mask, false
	}
	if name := strings.Trim(word, "\"'`#;,"); isNameLike(name) && strongSecretName(strings.ToLower(name)) {
		return word, true
	}
	if afterName { // a lone "=" or ":" between a name and its value
		return word, true
	}
	return URL(word), false
}

// isNameLike reports whether w could be a key name: letters, digits, '-',
// '_' and '.' only.
func isNameLike(w string) bool {
	return w != "" && strings.IndexFunc(w, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-' && r != '_' && r != '.'
	}) < 0
}

func isDelimiter(word string) bool { return word == "=" || word == ":" }
