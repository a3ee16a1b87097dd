package menda

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"
)

// Environment variables menda-keyring reads.
const (
	EnvClientID     = "MENDA_CLIENT_ID"
	EnvClientSecret = "MENDA_CLIENT_SECRET"
	EnvHost         = "MENDA_HOST"
	EnvProfileID    = "MENDA_PROFILE_ID"
)

// defaultProfile is the profile used when neither MENDA_PROFILE_ID nor the
// index names one.
const defaultProfile = "default"

// Authentication types of a mendacfg profile.
const (
	authM2M = "m2m" // machine: client credentials, exchanged by credgen
	authU2M = "u2m" // user: a token `menda auth login` left in the cache
)

// maxMendacfgBytes bounds what credgen reads; a real mendacfg is a few lines.
const maxMendacfgBytes = 1 << 20

// identity is a resolved Menda identity: who to be, where, and under which
// key its access token is cached.
type identity struct {
	authType     string
	profile      string // "" for the environment trio
	source       string // mendacfg path, or "environment" for the trio
	base         *url.URL
	clientID     string
	clientSecret string
	cacheKey     string // client id (m2m) or profile id (u2m)
}

// issuer names the menda host the identity's tokens come from, as recorded
// in the token cache: scheme, lower-case host and port, path prefix.
func (id identity) issuer() string {
	return id.base.Scheme + "://" + strings.ToLower(id.base.Host) + id.base.Path
}

// resolveIdentity follows menda-keyring's order: the MENDA_CLIENT_ID,
// MENDA_CLIENT_SECRET, MENDA_HOST trio when all three are set, otherwise a
// mendacfg profile. An index that names its profile gets that profile even
// when the trio is set: it was configured for that index specifically.
func (p *Provider) resolveIdentity(indexProfile string) (identity, error) {
	if indexProfile == "" {
		if id, ok, err := p.environmentIdentity(); ok || err != nil {
			return id, err
		}
	}
	profile := indexProfile
	if profile == "" {
		profile = cmp.Or(p.getenv(EnvProfileID), defaultProfile)
	}
	return p.profileIdentity(profile)
}

// environmentIdentity is the M2M identity of the environment trio; ok is false
// when not all three are set (then they are ignored, with a warning if some are).
func (p *Provider) environmentIdentity() (identity, bool, error) {
	id, secret, host := p.getenv(EnvClientID), p.getenv(EnvClientSecret), p.getenv(EnvHost)
	if id == "" || secret == "" || host == "" {
		var set []string
		for _, name := range []string{EnvClientID, EnvClientSecret, EnvHost} {
			if p.getenv(name) != "" {
				set = append(set, name)
			}
		}
		if len(set) > 0 {
			p.logger().Warn("menda: MENDA_CLIENT_ID, MENDA_CLIENT_SECRET and MENDA_HOST are not all set; ignoring them and using mendacfg",
				"set", strings.Join(set, ","))
		}
		return identity{}, false, nil
	}
	base, err := cloudBaseURL(host)
	if err != nil {
		return identity{}, true, &ProfileError{Path: EnvHost, Problem: err.Error()}
	}
	return identity{authType: authM2M, source: "environment", base: base,
		clientID: id, clientSecret: secret, cacheKey: id}, true, nil
}

// profileIdentity reads profile from mendacfg.
func (p *Provider) profileIdentity(profile string) (identity, error) {
	path := p.mendacfgPath()
	cfg, err := readMendacfg(path)
	if err != nil {
		return identity{}, err
	}
	if !cfg.hasProfile(profile) {
		return identity{}, &ProfileNotFoundError{Profile: profile, Path: path, Known: cfg.profileNames()}
	}
	r := profileReader{cfg: cfg, profile: profile, path: path}
	id := identity{profile: profile, source: path}
	id.authType = strings.ToLower(r.optional("auth_type"))
	host := r.required("host", "has no host")
	switch id.authType {
	case "", authU2M:
		id.authType, id.cacheKey = authU2M, profile
	case authM2M:
		id.clientID = r.required("client_id", "has auth_type m2m but no client_id")
		id.clientSecret = r.required("client_secret", "has auth_type m2m but no client_secret")
		id.cacheKey = profile // a profile's token-cache key is its profile id, m2m or u2m alike (only the MENDA_* trio uses the client id)
	default:
		r.fail(r.lines["auth_type"], fmt.Sprintf("auth_type %q is neither m2m nor u2m", id.authType), hintConfigure)
	}
	if r.err != nil {
		return identity{}, r.err
	}
	if id.base, err = cloudBaseURL(host); err != nil {
		return identity{}, &ProfileError{Profile: profile, Path: path, Line: r.lines["host"], Problem: err.Error()}
	}
	if id.authType == authM2M {
		p.warnIfReadableByOthers(path)
	}
	return id, nil
}

// readMendacfg reads and parses mendacfg; a missing file is NotConfiguredError.
func readMendacfg(path string) (*mendacfg, error) {
	data, err := readBounded(path, maxMendacfgBytes)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &NotConfiguredError{Path: path}
	}
	if err != nil {
		return nil, &ConfigFileError{Path: path, Problem: describeFileError(err), Err: err}
	}
	cfg, err := parseMendacfg(data)
	if err != nil {
		var syntax *cfgSyntaxError
		if errors.As(err, &syntax) {
			return nil, &ConfigFileError{Path: path, Line: syntax.Line, Problem: syntax.Problem}
		}
		return nil, &ConfigFileError{Path: path, Problem: err.Error(), Err: err}
	}
	return cfg, nil
}

// profileReader reads one profile's keys and keeps the first problem.
type profileReader struct {
	cfg     *mendacfg
	profile string
	path    string
	lines   map[string]int
	err     error
}

func (r *profileReader) optional(key string) string {
	v, line, _, err := r.cfg.get(r.profile, key)
	if r.lines == nil {
		r.lines = map[string]int{}
	}
	r.lines[key] = line
	if err != nil {
		r.fail(line, key+": "+err.Error(), "")
	}
	return v
}

func (r *profileReader) required(key, problem string) string {
	v := r.optional(key)
	if v == "" {
		r.fail(0, problem, hintConfigure)
	}
	return v
}

func (r *profileReader) fail(line int, problem, hint string) {
	if r.err == nil {
		r.err = &ProfileError{Profile: r.profile, Path: r.path, Line: line, Problem: problem, Hint: hint}
	}
}

// warnIfReadableByOthers: a client secret in a file others can read is worth
// a warning, not a failure (menda itself does not refuse it).
func (p *Provider) warnIfReadableByOthers(path string) {
	info, err := os.Stat(path)
	if err == nil && info.Mode().Perm()&0o077 != 0 {
		p.logger().Warn("menda: mendacfg holds a client secret and others can read it; chmod 600 it",
			"file", path, "mode", fmt.Sprintf("%04o", info.Mode().Perm()))
	}
}
