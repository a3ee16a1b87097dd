// Package doctor tells, for each index credgen manages and each client that
// would use it (pip, uv, poetry, pdm, pipenv, twine, curl), whether that
// client sends credgen's fresh credential when run from a given folder with a
// given environment, and if not, what it sends instead, why, and what to do.
//
// Each client's lookup order (its configuration files, the environment
// variables that win over them, the netrc it reads) is modelled as data from
// the client's documentation and source. The package is pure: it reads files
// through the reader it is given and never writes, runs or prints a secret;
// secrets are compared by fingerprint only.
package doctor

import (
	"slices"
	"strings"
	"time"

	"github.com/credgen/credgen/providers"
)

// Clients are the clients doctor knows, in the order it reports them.
func Clients() []string {
	names := make([]string, len(clientChecks))
	for i, c := range clientChecks {
		names[i] = c.name
	}
	return names
}

// Facts are what credgen knows of its own work: the indexes it manages, the
// credential it holds for each, and the files it writes. They hold no secret.
type Facts struct {
	Indexes []Index
	// Outputs are the files credgen writes, by kind (netrc, pip, uv, pypirc);
	// a kind credgen does not write is absent.
	Outputs map[string]string
}

// Index is one managed index and credgen's current credential for it.
type Index struct {
	URL, Host, Provider string
	UVName              string // its name in uv.toml (UV_INDEX_<NAME>_*)
	Default             bool
	Profile             string // menda profile configured for it
	Username            string // credgen's credential: username
	Fingerprint         string // credgen's credential: providers.Fingerprint of the secret; "" when credgen holds none
	ObtainedAt          time.Time
	ExpiresAt           time.Time
	// IssuedAt is the token's own issue time (a JWT's iat), zero when it has none.
	IssuedAt  time.Time
	LastError string
}

// Env is the world a client would run in: its environment, its current
// folder, the home folder and the system, and how to read a file and find a
// program. Nothing in it writes.
type Env struct {
	Getenv   func(string) string
	Cwd      string
	Home     string
	GOOS     string
	ReadFile func(string) ([]byte, error)
	LookPath func(string) (string, error)
	IsDir    func(string) bool
	// RealPath resolves symbolic links (filepath.EvalSymlinks).
	RealPath func(string) (string, error)
	// Self is credgen's own binary, links resolved.
	Self string
	Now  time.Time
}

// Status is a verdict's outcome.
type Status string

const (
	OK      Status = "ok"      // the client sends credgen's fresh credential
	Problem Status = "problem" // it sends something else, or nothing
	Skipped Status = "skipped" // the client is not set up for this index, or doctor cannot tell
)

// Verdict is one client's outcome for one index (or one provider's readiness).
type Verdict struct {
	Client string `json:"client"`
	Status Status `json:"status"`
	// Source is where the client takes its credential from (a file, a
	// variable, "netrc FILE"); "" when it finds none.
	Source string `json:"source,omitempty"`
	// Sends says what the client sends: credgen's credential, another one
	// (by fingerprint), or nothing.
	Sends string `json:"sends,omitempty"`
	Why   string `json:"why,omitempty"`
	Fix   string `json:"fix,omitempty"`
}

// IndexReport is every verdict for one index.
type IndexReport struct {
	URL         string    `json:"url"`
	Provider    string    `json:"provider"`
	Username    string    `json:"username,omitempty"`
	Fingerprint string    `json:"fingerprint,omitempty"`
	ExpiresAt   time.Time `json:"expires_at,omitzero"`
	// Credential is credgen's own credential for the index: held, fresh,
	// issued by a clock that agrees with this one.
	Credential Verdict   `json:"credential"`
	Clients    []Verdict `json:"clients"`
}

// Report is doctor's whole answer.
type Report struct {
	Indexes   []IndexReport `json:"indexes"`
	Providers []Verdict     `json:"providers"`
	OK        bool          `json:"ok"`
}

// MinValidity is how long credgen's credential must still be valid to count
// as fresh (as status counts it).
const MinValidity = 5 * time.Minute

// ClockSkewTolerance is how far in the future a token's issue time may be
// before the local clock is said to disagree.
const ClockSkewTolerance = time.Minute

// Run checks every index of facts for every client of clients (all when
// empty) in env.
func Run(facts *Facts, env *Env, clients []string) *Report {
	if len(clients) == 0 {
		clients = Clients()
	}
	w := newWorld(facts, env)
	rep := &Report{OK: true, Indexes: []IndexReport{}}
	for _, ix := range facts.Indexes {
		ir := IndexReport{URL: ix.URL, Provider: ix.Provider, Username: ix.Username, Fingerprint: ix.Fingerprint, ExpiresAt: ix.ExpiresAt}
		ir.Credential = w.credentialVerdict(ix)
		rep.OK = rep.OK && ir.Credential.Status != Problem
		for _, c := range clientChecks {
			if !slices.Contains(clients, c.name) {
				continue
			}
			v := c.check(w, ix)
			v.Client = c.name
			rep.OK = rep.OK && v.Status != Problem
			ir.Clients = append(ir.Clients, v)
		}
		rep.Indexes = append(rep.Indexes, ir)
	}
	rep.Providers = w.providerVerdicts()
	for _, v := range rep.Providers {
		rep.OK = rep.OK && v.Status != Problem
	}
	return rep
}

// clientChecks are the clients doctor knows, in the order it reports them,
// each with the check that gives its verdict for an index.
var clientChecks = []struct {
	name  string
	check func(*world, Index) Verdict
}{
	{"pip", (*world).pip},
	{"uv", (*world).uv},
	{"poetry", (*world).poetry},
	{"pdm", (*world).pdm},
	{"pipenv", (*world).pipenv},
	{"twine", (*world).twine},
	{"curl", (*world).curl},
}

// ParseClients checks a comma-separated client list; "" is all.
func ParseClients(list string) ([]string, error) {
	if strings.TrimSpace(list) == "" {
		return nil, nil
	}
	var out []string
	for _, c := range strings.Split(list, ",") {
		c = strings.ToLower(strings.TrimSpace(c))
		if !slices.Contains(Clients(), c) {
			return nil, &UnknownClientError{Name: c}
		}
		out = append(out, c)
	}
	return out, nil
}

// UnknownClientError names a client doctor does not know.
type UnknownClientError struct{ Name string }

func (e *UnknownClientError) Error() string {
	return "unknown client " + strings.TrimSpace(e.Name) + " (known: " + strings.Join(Clients(), ",") + ")"
}

// found is a credential a client takes from one place: who and which
// secret, by fingerprint only.
type found struct {
	source      string // where: "PIP_INDEX_URL", "/etc/pip.conf [install] index-url", "netrc /home/u/.netrc"
	user        string
	fingerprint string // of the password; "" when the place names a user without a password
}

// judge compares what a client takes from a place with credgen's credential.
func judge(ix Index, f found, fix string) Verdict {
	v := Verdict{Source: f.source}
	switch {
	case ix.Fingerprint == "":
		v.Status, v.Sends = Problem, "a password credgen does not hold ("+f.fingerprint+")"
		v.Why = "credgen holds no credential for this index"
		v.Fix = "run `credgen write`"
	case f.fingerprint == ix.Fingerprint && (f.user == "" || f.user == ix.Username):
		v.Status, v.Sends = OK, "credgen's credential ("+ix.Fingerprint+")"
	case f.fingerprint == ix.Fingerprint:
		v.Status, v.Sends = Problem, "credgen's password with username "+f.user
		v.Why = "the username " + f.user + " in " + f.source + " is not the provider's user " + ix.Username
		v.Fix = fix
	default:
		v.Status, v.Sends = Problem, "another password ("+f.fingerprint+", credgen's is "+ix.Fingerprint+")"
		v.Why = f.source + " holds a stale or foreign credential for " + ix.Host + ", and it wins over credgen's"
		v.Fix = fix
	}
	return v
}

// fingerprint is providers.Fingerprint, "" for no secret.
func fingerprint(secret string) string { return providers.Fingerprint(secret) }
