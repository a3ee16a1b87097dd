// Package config reads credgen's own config file and resolves it, together
// with flags and environment, into the Settings one run works with.
// Precedence: flag, then environment, then config file, then default.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/pelletier/go-toml/v2"

	"github.com/credgen/credgen/generator/atomicfile"
	"github.com/credgen/credgen/providers/chainguard"
	"github.com/credgen/credgen/providers/known"
)

// File is credgen's config.toml as written by the user.
type File struct {
	RefreshBefore  Duration `toml:"refresh_before"`
	Targets        []string `toml:"targets"`
	ChainguardMode string   `toml:"chainguard_mode"`
	AllowTracked   bool     `toml:"allow_tracked"`
	Outputs        Outputs  `toml:"outputs"`
	Index          []Index  `toml:"index"`

	path  string
	lines lineFinder
}

// Outputs names the files credgen writes.
type Outputs struct {
	Netrc  string `toml:"netrc"`
	Pip    string `toml:"pip"`
	UV     string `toml:"uv"`
	Pypirc string `toml:"pypirc"`
	Embed  *bool  `toml:"embed"`
}

// Index is one [[index]] table.
type Index struct {
	URL      string `toml:"url"`
	Default  bool   `toml:"default"`
	Name     string `toml:"name"`     // uv index name (default <provider>-<repo>)
	Profile  string `toml:"profile"`  // menda profile
	Provider string `toml:"provider"` // for hosts the built-in patterns do not recognise
	Mode     string `toml:"mode"`     // chainguard: session or pull-token
	Parent   string `toml:"parent"`   // chainguard pull-token organisation
}

// Duration is a Go duration written as a TOML string ("30m").
type Duration struct{ time.Duration }

// UnmarshalText parses "30m", "1h30m".
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("not a duration (like \"30m\"): %q", b)
	}
	d.Duration = v
	return nil
}

// Error is a problem in the config file; it names file and line.
type Error struct {
	Path string
	Line int
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.Path, e.Msg)
}

// Load reads the config at path. A missing file is no error when optional;
// it yields an empty File.
func Load(path string, optional bool) (*File, error) {
	data, exists, err := atomicfile.Read(path)
	if err != nil {
		return nil, &Error{Path: path, Msg: fmt.Sprintf("read: %v", unwrapPath(err))}
	}
	if !exists {
		if optional {
			return &File{path: path}, nil
		}
		return nil, &Error{Path: path, Msg: "read: no such file"}
	}
	return Parse(path, data)
}

// Parse decodes data strictly: an unknown key or a value of the wrong type is
// an error naming the line.
func Parse(path string, data []byte) (*File, error) {
	f := &File{path: path, lines: lineFinder(data)}
	dec := toml.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(f); err != nil {
		return nil, decodeError(path, err)
	}
	if err := f.validate(); err != nil {
		return nil, err
	}
	return f, nil
}

// Path is where the file was read from.
func (f *File) Path() string { return f.path }

func decodeError(path string, err error) error {
	var de *toml.DecodeError
	var se *toml.StrictMissingError
	switch {
	case errors.As(err, &se) && len(se.Errors) > 0:
		line, _ := se.Errors[0].Position()
		return &Error{Path: path, Line: line, Msg: "unknown key " + strings.Join(se.Errors[0].Key(), ".")}
	case errors.As(err, &de):
		line, _ := de.Position()
		return &Error{Path: path, Line: line, Msg: strings.TrimPrefix(de.Error(), "toml: ")}
	}
	return &Error{Path: path, Msg: err.Error()}
}

// unwrapPath drops the *fs.PathError around err: callers name the path.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func (f *File) validate() error {
	if f.RefreshBefore.Duration < 0 {
		return f.errAt(-1, "refresh_before", "refresh_before must not be negative")
	}
	if _, err := ParseTargets(strings.Join(f.Targets, ",")); err != nil && len(f.Targets) > 0 {
		return f.errAt(-1, "targets", err.Error())
	}
	if err := checkMode(f.ChainguardMode); err != nil {
		return f.errAt(-1, "chainguard_mode", err.Error())
	}
	defaults := 0
	for i, ix := range f.Index {
		if ix.URL == "" {
			return f.errAt(i, "", "[[index]] without url")
		}
		if ix.Default {
			if defaults++; defaults > 1 {
				return f.errAt(i, "default", "a second index with default = true: pip and uv take one default index")
			}
		}
		if err := checkMode(ix.Mode); err != nil {
			return f.errAt(i, "mode", err.Error())
		}
		if ix.Provider != "" && !slices.Contains(known.Names(), ix.Provider) {
			return f.errAt(i, "provider", fmt.Sprintf("unknown provider %q (%s)", ix.Provider, strings.Join(known.Names(), " or ")))
		}
	}
	return nil
}

// errAt builds an Error at the line of key in the i-th [[index]] table (i < 0:
// a top-level key).
func (f *File) errAt(i int, key, msg string) *Error {
	return &Error{Path: f.path, Line: f.lines.find(i, key), Msg: msg}
}

// IndexLine is the line of the i-th [[index]] table's key (its header when key
// is empty), for messages about a value that decoded but is not acceptable.
func (f *File) IndexLine(i int, key string) int { return f.lines.find(i, key) }

func checkMode(m string) error { return chainguard.CheckMode(m) }

// lineFinder locates keys for messages about values that decoded fine but are
// not acceptable; go-toml reports lines only for syntax and type errors.
type lineFinder []byte

var indexHeader = regexp.MustCompile(`^\s*\[\[\s*index\s*\]\]`)

func (l lineFinder) find(index int, key string) int {
	keyRe := regexp.MustCompile(`^\s*"?` + regexp.QuoteMeta(key) + `"?\s*=`)
	tableRe := regexp.MustCompile(`^\s*\[`)
	seen, inTable := -1, index < 0
	for n, line := range strings.Split(string(l), "\n") {
		switch {
		case indexHeader.MatchString(line):
			seen++
			inTable = seen == index
			if inTable && key == "" {
				return n + 1
			}
		case tableRe.MatchString(line):
			inTable = false
		case inTable && key != "" && keyRe.MatchString(line):
			return n + 1
		}
	}
	return 0
}
