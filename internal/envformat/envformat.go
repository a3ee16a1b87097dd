// Package envformat prints environment variables for shells, dotenv
// readers, JSON consumers and GitHub Actions, quoted so that the value a
// reader gets back is byte for byte the one printed.
package envformat

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Var is one environment variable.
type Var struct {
	Name, Value string
	Secret      bool // the value is a credential (masked in CI logs)
}

// Format is an output format of `credgen env`.
type Format string

// The formats.
const (
	SH         Format = "sh"         // export K='v'
	Fish       Format = "fish"       // set -gx K 'v'
	PowerShell Format = "powershell" // $Env:K = 'v'
	Dotenv     Format = "dotenv"     // K='v'
	JSON       Format = "json"       // {"K": "v"}
	GitHub     Format = "github"     // $GITHUB_ENV file command, masks on stdout
)

// Formats lists every format, in the order help texts name them.
var Formats = []Format{SH, Fish, PowerShell, Dotenv, JSON, GitHub}

// ParseFormat checks a format name.
func ParseFormat(name string) (Format, error) {
	for _, f := range Formats {
		if string(f) == name {
			return f, nil
		}
	}
	names := make([]string, len(Formats))
	for i, f := range Formats {
		names[i] = string(f)
	}
	return "", fmt.Errorf("unknown format %q: %s", name, strings.Join(names, ", "))
}

// UnsafeValueError says a value cannot be printed in a format so that its
// readers get it back unchanged. It names the variable, never the value.
type UnsafeValueError struct {
	Name, Format, Why string
}

func (e *UnsafeValueError) Error() string {
	return fmt.Sprintf("%s cannot be printed as %s: its value %s", e.Name, e.Format, e.Why)
}

// Print writes vars to w in format f (any format but GitHub, which writes
// files: see Actions). Nothing is written when a value cannot be printed.
func Print(w io.Writer, f Format, vars []Var) error {
	var b strings.Builder
	switch f {
	case JSON:
		if err := writeJSON(&b, vars); err != nil {
			return err
		}
	case SH, Fish, PowerShell, Dotenv:
		line := lineFormats[f]
		for _, v := range vars {
			if err := checkName(v.Name); err != nil {
				return err
			}
			if err := checkValue(v, f); err != nil {
				return err
			}
			b.WriteString(line(v.Name, v.Value))
			b.WriteByte('\n')
		}
	default:
		return fmt.Errorf("format %q prints no lines", f)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

var lineFormats = map[Format]func(name, value string) string{
	SH:         func(k, v string) string { return "export " + k + "=" + quoteSH(v) },
	Fish:       func(k, v string) string { return "set -gx " + k + " " + quoteFish(v) },
	PowerShell: func(k, v string) string { return "$Env:" + k + " = " + quotePowerShell(v) },
	Dotenv:     func(k, v string) string { return k + "=" + quoteDotenv(v) },
}

// checkName accepts the names every format can carry unquoted: a letter or
// _, then letters, digits and _.
func checkName(name string) error {
	if name == "" {
		return errors.New("an empty variable name")
	}
	for i, r := range name {
		if r == '_' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || i > 0 && r >= '0' && r <= '9' {
			continue
		}
		return fmt.Errorf("variable name %q: only letters, digits and _ (not first) are allowed", name)
	}
	return nil
}

// checkValue refuses what no environment can hold (NUL) and what a
// format's readers would change.
func checkValue(v Var, f Format) error {
	unsafe := func(why string) error { return &UnsafeValueError{Name: v.Name, Format: string(f), Why: why} }
	if strings.ContainsRune(v.Value, 0) {
		return unsafe("holds a NUL byte, which no environment variable can")
	}
	switch f {
	case JSON, PowerShell, Fish:
		if !utf8.ValidString(v.Value) {
			return unsafe("is not UTF-8")
		}
	case Dotenv:
		return checkDotenv(v.Value, unsafe)
	}
	return nil
}

// quoteSH is POSIX single quoting: everything is literal inside '...', and
// a ' closes the quote, is written escaped (\') and the quote reopens.
func quoteSH(v string) string {
	return "'" + strings.ReplaceAll(v, "'", `'\''`) + "'"
}

// quoteFish is fish's single quoting, where \ and ' are the only escapes.
func quoteFish(v string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(v) + "'"
}

// quotePowerShell is PowerShell's verbatim string: a quote is doubled, and
// PowerShell takes the typographic single quotes ‘ ’ ‚ ‛ for ' too.
func quotePowerShell(v string) string {
	var b strings.Builder
	b.WriteByte('\'')
	for _, r := range v {
		switch r {
		case '\'', '\u2018', '\u2019', '\u201a', '\u201b':
			b.WriteRune(r)
		}
		b.WriteRune(r)
	}
	b.WriteByte('\'')
	return b.String()
}

// Dotenv files are read by python-dotenv (and the tools built on it) and by
// docker compose. Values are single-quoted with python-dotenv's rules: inside
// '...' only \\ and \' are escapes, and newlines are kept. docker compose
// takes single-quoted text literally, so both read the same value whenever it
// holds no ' and no \ (true of every token, URL and username credgen
// prints). Three things python-dotenv cannot read back are refused: "${"
// (expanded as a variable even inside single quotes), a carriage return
// (turned into a newline by its text-mode read), and a trailing \ (its
// quoted-value pattern then runs on to the next quote).
func quoteDotenv(v string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(v) + "'"
}

func checkDotenv(v string, unsafe func(string) error) error {
	switch {
	case strings.Contains(v, "${"):
		return unsafe(`holds "${", which python-dotenv expands as a variable`)
	case strings.Contains(v, "\r"):
		return unsafe("holds a carriage return, which python-dotenv reads as a newline")
	case strings.HasSuffix(v, `\`):
		return unsafe(`ends in \, which python-dotenv's quoted values cannot`)
	}
	return nil
}

// writeJSON writes one object, its keys in vars' order.
func writeJSON(b *strings.Builder, vars []Var) error {
	b.WriteByte('{')
	for i, v := range vars {
		if err := checkName(v.Name); err != nil {
			return err
		}
		if err := checkValue(v, JSON); err != nil {
			return err
		}
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(v.Name)
		val, _ := json.Marshal(v.Value)
		fmt.Fprintf(b, "\n  %s: %s", k, val)
	}
	if len(vars) > 0 {
		b.WriteByte('\n')
	}
	b.WriteString("}\n")
	return nil
}
