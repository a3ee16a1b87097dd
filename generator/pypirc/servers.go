package pypirc

import (
	"strings"

	"github.com/credgen/credgen/generator/ini"
	"github.com/credgen/credgen/generator/urlcred"
)

// The sections and keys twine gives a meaning to.
const (
	distutilsSection   = "distutils"
	serverLoginSection = "server-login" // obsolete defaults for every server; still read
	indexServersKey    = "index-servers"
	repositoryKey      = "repository"
	usernameKey        = "username"
	passwordKey        = "password"
)

// defaultIndexServers is what twine reads as index-servers when [distutils]
// or its index-servers key is missing.
var defaultIndexServers = []string{"pypi", "testpypi"}

// Server is one repository section of the file: every section but
// [distutils], [server-login] and [DEFAULT].
type Server struct {
	Name       string
	Line       int    // 1-based line of its [section] header
	Repository string // its own repository value, or [DEFAULT]'s; "" when neither sets one (twine then fills in PyPI's upload URL for [pypi], TestPyPI's for a listed [testpypi])
	Username   string
	// HasPassword says whether the section (or [DEFAULT]) sets a password;
	// the password itself is not exposed, so a listing cannot leak it.
	HasPassword bool
	// Listed says whether index-servers names it: twine reads a section's
	// values only then.
	Listed bool
}

// Servers lists the repository sections in file order, with the values twine
// would read for them (a [DEFAULT] value counts when the section lacks one).
func (f *File) Servers() []Server {
	listed := map[string]bool{}
	for _, n := range f.IndexServers() {
		listed[n] = true
	}
	var servers []Server
	for _, s := range f.doc.Sections {
		if !isServerSection(s.Name) {
			continue
		}
		repo, _ := f.get(s.Name, repositoryKey)
		user, _ := f.get(s.Name, usernameKey)
		_, hasPassword := f.get(s.Name, passwordKey)
		servers = append(servers, Server{
			Name:        s.Name,
			Line:        s.Header + 1,
			Repository:  repo,
			Username:    user,
			HasPassword: hasPassword,
			Listed:      listed[s.Name],
		})
	}
	return servers
}

// IndexServers is the list of server names twine reads: [distutils]
// index-servers split on whitespace, "pypi testpypi" when it is missing.
func (f *File) IndexServers() []string {
	if v, ok := f.get(distutilsSection, indexServersKey); ok {
		return strings.FieldsFunc(v, ini.IsSpace)
	}
	return append([]string(nil), defaultIndexServers...)
}

// ServerFor names the section whose repository is repositoryURL (compared
// as urlcred.Key does: scheme and host case-insensitively, no userinfo, no
// trailing slash), preferring a section index-servers lists; ok is false
// when there is none.
func (f *File) ServerFor(repositoryURL string) (name string, ok bool) {
	want := urlcred.Key(repositoryURL)
	for _, s := range f.Servers() {
		if s.Repository == "" || urlcred.Key(s.Repository) != want {
			continue
		}
		if s.Listed {
			return s.Name, true
		}
		if !ok {
			name, ok = s.Name, true
		}
	}
	return name, ok
}

// get is configparser's get(section, key): the section's own value, else
// [DEFAULT]'s; ok is false when neither has it or the section is missing.
func (f *File) get(sectionName, key string) (string, bool) {
	if f.section(sectionName) == nil {
		return "", false
	}
	if o := f.ownOption(sectionName, key); o != nil {
		return o.Value, true
	}
	if o := f.ownOption(ini.DefaultSection, key); o != nil {
		return o.Value, true
	}
	return "", false
}

func isServerSection(name string) bool {
	return name != ini.DefaultSection && name != distutilsSection && name != serverLoginSection
}

// section is the first section called name, nil when there is none.
func (f *File) section(name string) *ini.Section { return f.doc.Section(name) }

// ownOption is the option a section itself sets (not through [DEFAULT]).
func (f *File) ownOption(sectionName, key string) *ini.Option {
	return f.doc.OwnOption(sectionName, key)
}

// Credentials are the username and password twine would send for the
// section name; ok is false when it sets no password. Only the engine that
// wrote them asks, to tell whether they are still its own.
func (f *File) Credentials(name string) (username, password string, ok bool) {
	password, ok = f.get(name, passwordKey)
	username, _ = f.get(name, usernameKey)
	return username, password, ok
}
