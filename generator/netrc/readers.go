package netrc

import "strings"

// The clients that read netrc, grouped by the reader they use, as a warning
// names them.
const (
	ClientsPython   = "pip, poetry, pdm, pipenv (Python's netrc)"
	ClientUV        = "uv"
	ClientUVBefore  = "uv before 0.11.16"
	ClientCurl      = "curl"
	defaultHostName = "default" // the name Python and uv keep the default entry under
)

// ReaderVerdict is what one netrc reader makes of a file for one host.
type ReaderVerdict struct {
	Client string
	// Parses is false when the reader ignores the whole file; Line then
	// names where it gave up (0 when it cannot tell).
	Parses bool
	Line   int
	// Sees is true when, for host, the reader uses an entry for that host
	// (not the default one) whose login is the one asked about.
	Sees bool
}

// Readers tells, for each netrc reader, whether it reads the file and uses
// the entry for host with login: curl (the first entry for host in any case,
// or default if it comes first), Python's netrc module (the last entry named
// exactly host), and uv, current and before 0.11.16 (the last entry named
// exactly host, skipped when its login is not the URL's username, here
// login). host is given as a URL parser gives it, in lower case.
func (f *File) Readers(host, login string) []ReaderVerdict {
	host = strings.ToLower(host)
	verdicts := []ReaderVerdict{f.curlVerdict(host, login), f.pythonVerdict(host, login)}
	for _, v := range []struct {
		client  string
		version UVVersion
	}{{ClientUV, UVCurrent}, {ClientUVBefore, UVBefore01116}} {
		r := ReadUV(f.data, v.version)
		m, ok := r.Lookup(host, login)
		verdicts = append(verdicts, ReaderVerdict{Client: v.client, Parses: r.OK, Line: r.Line, Sees: ok && !m.Default})
	}
	return verdicts
}

// ClientsMissing names the clients that will not use the entry for host
// with login, for a warning; empty when every reader sees it. uv before
// 0.11.16 is named only when current uv sees the entry.
func (f *File) ClientsMissing(host, login string) []string {
	var missing []string
	uvMissing := false
	for _, v := range f.Readers(host, login) {
		if v.Sees {
			continue
		}
		switch v.Client {
		case ClientUV:
			uvMissing = true
		case ClientUVBefore:
			if uvMissing {
				continue
			}
		}
		missing = append(missing, v.Client)
	}
	return missing
}

// curlVerdict: curl reads the file as Parse does and stops at the first
// entry for host, compared without regard to case, or at default.
func (f *File) curlVerdict(host, login string) ReaderVerdict {
	v := ReaderVerdict{Client: ClientCurl, Parses: true}
	for _, e := range f.entries {
		if e.isDefault {
			break
		}
		if e.isFor(host) {
			v.Sees = e.machine().Login == login
			break
		}
	}
	return v
}

// pythonVerdict: Python keeps the last entry of each exact name and looks
// the host up exactly.
func (f *File) pythonVerdict(host, login string) ReaderVerdict {
	v := ReaderVerdict{Client: ClientsPython, Parses: f.pyOK}
	if !f.pyOK || host == defaultHostName {
		return v
	}
	h, ok := f.python.hosts[host]
	v.Sees = ok && h.login == login
	return v
}
