package doctor

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/credgen/credgen/generator/netrc"
)

// A netrc reader: which file a client reads, and how it parses it.
type netrcReader int

const (
	readerPython netrcReader = iota // requests' get_netrc_auth: pip, poetry, pdm, pipenv
	readerUV
	readerCurl
)

// netrcChoice is the netrc file a reader opens, and why that one.
type netrcChoice struct {
	path string // "" when it reads none
	note string // set when NETRC decides it in a way the user may not expect
}

// netrcFile picks the file each reader opens:
//   - Python's requests: $NETRC when set (and nothing when that file does not
//     exist), else the first of ~/.netrc, ~/_netrc that exists;
//   - uv: $NETRC when it names a file that exists, else ~/.netrc;
//   - curl (with --netrc): $NETRC when set (curl 8.16 and later), else ~/.netrc.
func (w *world) netrcFile(r netrcReader) netrcChoice {
	named := w.getenv("NETRC")
	homeNetrc := filepath.Join(w.env.Home, ".netrc")
	switch r {
	case readerPython:
		if named != "" {
			p := w.home(named)
			if !w.exists(p) {
				return netrcChoice{note: "NETRC names " + p + ", which does not exist, so Python reads no netrc at all"}
			}
			return netrcChoice{path: p, note: "NETRC names it"}
		}
		for _, name := range []string{".netrc", "_netrc"} {
			if p := filepath.Join(w.env.Home, name); w.exists(p) {
				return netrcChoice{path: p}
			}
		}
		return netrcChoice{note: "there is no ~/.netrc"}
	case readerUV:
		if named != "" {
			p := w.home(named)
			if w.exists(p) {
				return netrcChoice{path: p, note: "NETRC names it"}
			}
			return netrcChoice{path: homeNetrc, note: "NETRC names " + p + ", which does not exist, so uv reads ~/.netrc instead"}
		}
	case readerCurl:
		if named != "" {
			return netrcChoice{path: w.home(named), note: "NETRC names it"}
		}
	}
	return netrcChoice{path: homeNetrc}
}

// netrcVerdict is what the reader takes from its netrc for ix, asked with
// the username urlUser from the index URL ("" for none).
func (w *world) netrcVerdict(ix Index, r netrcReader, urlUser string) Verdict {
	choice := w.netrcFile(r)
	fix := w.netrcFix(choice)
	if choice.path == "" {
		return Verdict{Status: Problem, Sends: "nothing", Why: "it finds no credential for " + ix.Host + ": " + choice.note, Fix: fix}
	}
	data, ok := w.read(choice.path)
	if !ok {
		why := choice.path + " does not exist"
		if choice.note != "" {
			why = choice.note + ", and " + why
		}
		return Verdict{Status: Problem, Sends: "nothing", Why: why, Fix: fix}
	}
	source := "netrc " + choice.path
	f, err := netrc.Parse(data)
	if err != nil && r != readerUV {
		return Verdict{Status: Problem, Source: source, Sends: "nothing", Why: choice.path + " does not parse (" + parseLine(err) + ")", Fix: "fix the file, then run `credgen write`"}
	}
	var m netrc.Machine
	switch r {
	case readerPython:
		if !f.PythonReadable() {
			return Verdict{Status: Problem, Source: source, Sends: "nothing", Why: "Python's netrc module cannot read " + choice.path + " and ignores it whole (pip, poetry, pdm and pipenv see no entry)", Fix: "rewrite the file in plain `machine HOST login USER password SECRET` lines, then run `credgen write`"}
		}
		if m, ok = pythonLookup(f, ix.Host); !ok {
			return w.noEntry(ix, choice, fix)
		}
	case readerUV:
		u := netrc.ReadUV(data, netrc.UVCurrent)
		if !u.OK {
			return Verdict{Status: Problem, Source: source, Sends: "nothing", Why: fmt.Sprintf("uv cannot parse %s (line %d: %s) and ignores it whole", choice.path, u.Line, u.Reason), Fix: "fix that line, then run `credgen write`"}
		}
		if m, ok = u.Lookup(ix.Host, urlUser); !ok {
			if other, found := u.Lookup(ix.Host, ""); found && urlUser != "" {
				return Verdict{Status: Problem, Source: source, Sends: "nothing",
					Why: fmt.Sprintf("the index URL names the user %s but the netrc entry's login is %s, so uv skips the entry", urlUser, other.Login),
					Fix: "drop the username from the index URL, or make it " + other.Login}
			}
			return w.noEntry(ix, choice, fix)
		}
	case readerCurl:
		if m, ok = curlLookup(f, ix.Host); !ok {
			return w.noEntry(ix, choice, fix)
		}
	}
	where := source
	if m.Default {
		where += " (its default entry)"
	} else if m.Line > 0 {
		where += fmt.Sprintf(" line %d", m.Line)
	}
	v := judge(ix, found{source: where, user: m.Login, fingerprint: fingerprint(m.Password)}, fix)
	if v.Status == Problem && choice.note != "" {
		v.Why += " (" + choice.note + ")"
	}
	return v
}

func (w *world) noEntry(ix Index, choice netrcChoice, fix string) Verdict {
	why := choice.path + " has no entry for " + ix.Host
	if choice.note != "" {
		why += " (" + choice.note + ")"
	}
	return Verdict{Status: Problem, Source: "netrc " + choice.path, Sends: "nothing", Why: why, Fix: fix}
}

// netrcFix is the one-line fix for a netrc that does not carry credgen's
// entry: point NETRC back at credgen's file, or have credgen write this one.
func (w *world) netrcFix(choice netrcChoice) string {
	own := w.facts.Outputs["netrc"]
	switch {
	case own == "":
		return "run `credgen write --targets netrc,...` so that netrc carries the credential"
	case w.getenv("NETRC") != "" && !w.credgenWrites("netrc", w.home(w.getenv("NETRC"))):
		return fmt.Sprintf("unset NETRC (credgen writes %s), or run `credgen write --netrc %s`", own, w.home(w.getenv("NETRC")))
	case choice.path != "" && !w.credgenWrites("netrc", choice.path):
		return fmt.Sprintf("export NETRC=%s (the netrc credgen writes)", own)
	}
	return "run `credgen write`"
}

// pythonLookup is the entry Python's netrc module gives requests for host:
// the last entry of exactly that name, else the default entry.
func pythonLookup(f *netrc.File, host string) (netrc.Machine, bool) {
	var hit, def netrc.Machine
	var okHit, okDef bool
	for _, m := range f.Machines() {
		switch {
		case m.Default:
			def, okDef = m, true
		case m.Name == host:
			hit, okHit = m, true
		}
	}
	if okHit {
		return hit, true
	}
	return def, okDef
}

// curlLookup is curl's: the first entry for host in any case, or the default
// entry when it comes first.
func curlLookup(f *netrc.File, host string) (netrc.Machine, bool) {
	for _, m := range f.Machines() {
		if m.Default || strings.EqualFold(m.Name, host) {
			return m, true
		}
	}
	return netrc.Machine{}, false
}

// parseLine names where a file stopped parsing, never quoting its words
// (which may be secrets).
func parseLine(err error) string {
	var pe *netrc.ParseError
	if errors.As(err, &pe) {
		return fmt.Sprintf("line %d", pe.Line)
	}
	return "a syntax error"
}
