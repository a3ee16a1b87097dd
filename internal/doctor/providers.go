package doctor

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// credentialVerdict is about credgen's own credential for ix: held, fresh,
// and issued by a clock that agrees with this one.
func (w *world) credentialVerdict(ix Index) Verdict {
	v := Verdict{Client: "credgen", Status: OK}
	left := ix.ExpiresAt.Sub(w.env.Now).Round(time.Second)
	switch {
	case ix.Fingerprint == "":
		v.Status, v.Why, v.Fix = Problem, "credgen holds no credential for this index", "run `credgen write`"
	case left <= 0:
		v.Status, v.Why, v.Fix = Problem, fmt.Sprintf("credgen's credential expired %s ago", -left), "run `credgen write`, or keep `credgen watch` running"
	case left < MinValidity:
		v.Status, v.Why, v.Fix = Problem, fmt.Sprintf("credgen's credential expires in %s", left), "run `credgen write`, or keep `credgen watch` running"
	default:
		v.Sends = fmt.Sprintf("%s, valid for %s", ix.Fingerprint, left)
	}
	if ix.LastError != "" && v.Status == Problem {
		v.Why += "; last error: " + ix.LastError
	}
	if ahead := ix.IssuedAt.Sub(w.env.Now); !ix.IssuedAt.IsZero() && ahead > ClockSkewTolerance && v.Status == OK {
		v.Status, v.Sends = Problem, ""
		v.Why = fmt.Sprintf("this machine's clock is %s behind the token's issue time: the server may call it expired or not yet valid, and credgen renews at the wrong moment", ahead.Round(time.Second))
		v.Fix = "set the clock right (e.g. `timedatectl set-ntp true`)"
	}
	return v
}

// IssuedAt is a JWT's iat claim, read from its payload without checking
// the signature; zero when secret is not a JWT or has none. Only the time
// leaves this function.
func IssuedAt(secret string) time.Time {
	parts := strings.Split(secret, ".")
	if len(parts) != 3 {
		return time.Time{}
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return time.Time{}
	}
	var claims struct {
		IAT json.Number `json:"iat"`
	}
	if json.Unmarshal(payload, &claims) != nil {
		return time.Time{}
	}
	f, err := claims.IAT.Float64()
	if err != nil || f <= 0 {
		return time.Time{}
	}
	return time.Unix(int64(f), 0)
}

// providerVerdicts: each provider the managed indexes use, ready to renew.
func (w *world) providerVerdicts() []Verdict {
	var used []string
	var profiles []string
	for _, ix := range w.facts.Indexes {
		if !slices.Contains(used, ix.Provider) {
			used = append(used, ix.Provider)
		}
		if ix.Provider == "menda" && !slices.Contains(profiles, ix.Profile) {
			profiles = append(profiles, ix.Profile)
		}
	}
	out := []Verdict{}
	for _, p := range used {
		switch p {
		case "chainguard":
			out = append(out, w.chainguardReady())
		case "menda":
			for _, prof := range profiles {
				out = append(out, w.mendaReady(prof))
			}
		}
	}
	return out
}

// chainguardReady: chainctl found ($CREDGEN_CHAINCTL, else PATH). Whether
// it is logged in for libraries.cgr.dev is not told: chainctl's token cache
// layout is not documented, and doctor does not guess.
func (w *world) chainguardReady() Verdict {
	v := Verdict{Client: "chainguard", Status: OK}
	path := w.getenv("CREDGEN_CHAINCTL")
	switch {
	case path != "":
		if !w.exists(path) {
			v.Status, v.Why, v.Fix = Problem, "CREDGEN_CHAINCTL names "+path+", which does not exist: credgen cannot renew", "point CREDGEN_CHAINCTL at chainctl, or unset it"
			return v
		}
	case w.env.LookPath == nil:
		return Verdict{Client: "chainguard", Status: Skipped, Why: "cannot look chainctl up"}
	default:
		p, err := w.env.LookPath("chainctl")
		if err != nil {
			v.Status, v.Why, v.Fix = Problem, "chainctl is not on PATH: credgen cannot renew the Chainguard token", "install chainctl, or set CREDGEN_CHAINCTL"
			return v
		}
		path = p
	}
	v.Source = "chainctl " + path
	v.Why = "logged in for libraries.cgr.dev: cannot tell (the layout of chainctl's token cache " + filepath.Join(w.xdgCacheHome(), "chainguard") + " is not documented)"
	return v
}

func (w *world) xdgCacheHome() string {
	if v := w.getenv("XDG_CACHE_HOME"); filepath.IsAbs(v) {
		return v
	}
	return filepath.Join(w.env.Home, ".cache")
}

// mendaReady: which menda identity applies (as menda-keyring resolves it):
// the MENDA_CLIENT_ID / MENDA_CLIENT_SECRET / MENDA_HOST trio when all three
// are set, else the profile (the index's, else MENDA_PROFILE_ID, else
// default) of ~/.menda/mendacfg.
func (w *world) mendaReady(indexProfile string) Verdict {
	v := Verdict{Client: "menda", Status: OK}
	trio := []string{"MENDA_CLIENT_ID", "MENDA_CLIENT_SECRET", "MENDA_HOST"}
	var set, unset []string
	for _, k := range trio {
		if w.getenv(k) != "" {
			set = append(set, k)
		} else {
			unset = append(unset, k)
		}
	}
	if len(unset) == 0 && indexProfile == "" {
		v.Source = "environment"
		v.Sends = "machine identity " + w.getenv("MENDA_CLIENT_ID") + " at " + w.getenv("MENDA_HOST")
		return v
	}
	profile := indexProfile
	if profile == "" {
		profile = w.getenv("MENDA_PROFILE_ID")
	}
	if profile == "" {
		profile = "default"
	}
	cfg := filepath.Join(w.env.Home, ".menda", "mendacfg")
	v.Source = cfg + " [" + profile + "]"
	data, ok := w.read(cfg)
	switch {
	case !ok:
		v.Status, v.Why, v.Fix = Problem, cfg+" does not exist and the MENDA_CLIENT_ID/MENDA_CLIENT_SECRET/MENDA_HOST trio is not set", "run `menda auth configure`"
	case !iniHasSection(data, profile):
		v.Status, v.Why, v.Fix = Problem, "profile "+profile+" is not in "+cfg, "run `menda auth configure`, or set MENDA_PROFILE_ID to a profile it has"
	default:
		authType, _ := iniValue(data, strings.ToLower(profile), "auth-type")
		if authType == "" {
			authType = "u2m"
		}
		v.Sends = "profile " + profile + " (auth_type " + authType + ")"
	}
	if len(set) > 0 && len(unset) > 0 {
		v.Why = strings.TrimPrefix(v.Why+"; ", "; ") + strings.Join(set, ", ") + " set without " + strings.Join(unset, ", ") + ": the machine identity is not used"
		if v.Status == OK {
			v.Status, v.Fix = Problem, "set all of MENDA_CLIENT_ID, MENDA_CLIENT_SECRET and MENDA_HOST, or none"
		}
	}
	return v
}

// iniHasSection says whether an INI file has [name] (configparser's
// section names are case-sensitive).
func iniHasSection(data []byte, name string) bool {
	for _, line := range strings.Split(string(data), "\n") {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "[") && strings.HasSuffix(t, "]") && strings.TrimSpace(t[1:len(t)-1]) == name {
			return true
		}
	}
	return false
}
