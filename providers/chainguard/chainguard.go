// Package chainguard mints Chainguard Libraries credentials with chainctl.
//
// Session mode runs `chainctl auth token --audience=libraries.cgr.dev` and uses
// the printed JWT with the username `_token`. Pull-token mode (for headless
// machines) runs `chainctl auth pull-token create ... --output=json` and uses
// the identity id it prints as the username. chainctl gets no stdin, its output
// is bounded, and it is killed (with its whole process group) after a timeout.
package chainguard

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"github.com/credgen/credgen/providers"
)

// Name is the provider's name in the config and the state.
const Name = "chainguard"

// Serves says whether host is Chainguard's: cgr.dev and its subdomains.
func Serves(host string) bool {
	return host == "cgr.dev" || strings.HasSuffix(host, ".cgr.dev")
}

// Audience is what session tokens are requested for. Chainguard Libraries
// documents this one audience for every ecosystem, whichever *.cgr.dev host
// serves the index, so it does not follow the index host.
const Audience = "libraries.cgr.dev"

// SessionUsername is the username Chainguard Libraries expects with a session token.
const SessionUsername = "_token"

// pullTokenTTL is the lifetime credgen asks for in pull-token mode.
const pullTokenTTL = 8 * time.Hour

// sessionFallbackLifetime is assumed for a session token without an exp claim.
const sessionFallbackLifetime = time.Hour

// maxSessionLifetime is the longest a chainctl session token lives; a later
// exp is not believed.
const maxSessionLifetime = 24 * time.Hour

// defaultTimeout bounds one chainctl run when Provider.Timeout is zero.
const defaultTimeout = 30 * time.Second

// Index modes.
const (
	ModeSession   = "session"
	ModePullToken = "pull-token"
)

// LoginHint is what a user should run when chainctl cannot mint.
const LoginHint = "run `chainctl auth login --audience=libraries.cgr.dev`"

// Provider mints Chainguard Libraries credentials by running chainctl.
type Provider struct {
	Chainctl string           // path to chainctl; "" = look up "chainctl" on PATH at Mint time
	Timeout  time.Duration    // 0 = 30 s; chainctl and its children are killed after it
	Env      []string         // environment for chainctl; nil = os.Environ()
	Now      func() time.Time // nil = time.Now
	Logger   *slog.Logger     // nil = discard
	// CacheDir is chainctl's token cache ($XDG_CACHE_HOME/chainguard), which
	// watch watches for logins; "" = none.
	CacheDir string
}

// Name is the provider's name.
func (p *Provider) Name() string { return Name }

// Username is _token in session mode; a pull token's identity is known only
// once it is minted.
func (p *Provider) Username(idx providers.Index) string {
	if idx.Mode == ModePullToken {
		return ""
	}
	return SessionUsername
}

// WatchedFiles is chainctl's token cache folder, which `chainctl auth login`
// rewrites.
func (p *Provider) WatchedFiles() []string {
	if p.CacheDir == "" {
		return nil
	}
	return []string{p.CacheDir}
}

// CacheDir is where chainctl keeps its tokens: $XDG_CACHE_HOME/chainguard,
// else ~/.cache/chainguard.
func CacheDir(getenv func(string) string, home string) string {
	if v := getenv("XDG_CACHE_HOME"); v != "" && filepath.IsAbs(v) {
		return filepath.Join(v, "chainguard")
	}
	return filepath.Join(home, ".cache", "chainguard")
}

// CheckMode refuses a mode chainguard does not know ("" is the default).
func CheckMode(mode string) error {
	switch mode {
	case "", ModeSession, ModePullToken:
		return nil
	}
	return fmt.Errorf("unknown chainguard mode %q (%s or %s)", mode, ModeSession, ModePullToken)
}

// Mint runs chainctl for idx and returns the credential it printed.
func (p *Provider) Mint(ctx context.Context, idx providers.Index) (providers.Credential, error) {
	switch idx.Mode {
	case "", ModeSession:
		return p.mintSession(ctx)
	case ModePullToken:
		return p.mintPullToken(ctx, idx)
	}
	return providers.Credential{}, fmt.Errorf("chainguard: unknown mode %q for %s (want %q or %q)",
		idx.Mode, idx.URL, ModeSession, ModePullToken)
}

// SessionArgs are chainctl's arguments in session mode.
func SessionArgs() []string {
	return []string{"auth", "token", "--audience=" + Audience}
}

// PullTokenArgs are chainctl's arguments in pull-token mode; parent may be "".
func PullTokenArgs(parent string) []string {
	args := []string{"auth", "pull-token", "create", "--repository=python",
		"--ttl=" + formatHours(pullTokenTTL), "--output=json"}
	if parent != "" {
		args = append(args, "--parent="+parent)
	}
	return args
}

// formatHours writes whole-hour durations as chainctl's docs do ("8h", not "8h0m0s").
func formatHours(d time.Duration) string {
	return fmt.Sprintf("%dh", int64(d/time.Hour))
}

func (p *Provider) mintSession(ctx context.Context) (providers.Credential, error) {
	res, err := p.run(ctx, SessionArgs())
	if err != nil {
		return providers.Credential{}, err
	}
	token, err := sessionToken(res.stdout)
	if err != nil {
		return providers.Credential{}, res.outputError(err)
	}
	expiry, err := p.tokenExpiry(token, res.obtained, sessionFallbackLifetime, maxSessionLifetime)
	if err != nil {
		return providers.Credential{}, res.outputError(err)
	}
	return providers.Credential{Username: SessionUsername, Secret: token, ObtainedAt: res.obtained, Expiry: expiry}, nil
}

func (p *Provider) mintPullToken(ctx context.Context, idx providers.Index) (providers.Credential, error) {
	res, err := p.run(ctx, PullTokenArgs(idx.Parent))
	if err != nil {
		return providers.Credential{}, err
	}
	identity, token, err := pullToken(res.stdout)
	if err != nil {
		return providers.Credential{}, res.outputError(err)
	}
	// The pull token lives no longer than the --ttl credgen asked for.
	expiry, err := p.tokenExpiry(token, res.obtained, pullTokenTTL, pullTokenTTL)
	if err != nil {
		return providers.Credential{}, res.outputError(err)
	}
	// Every pull-token call leaves a new identity behind in the organisation;
	// users should know, so they can prefer session mode or clean up.
	p.logger().Info("chainctl created a new pull-token identity; each pull-token mint creates another one",
		"host", idx.Host, "identity", identity, "parent", idx.Parent, "expires", expiry)
	return providers.Credential{Username: identity, Secret: token, ObtainedAt: res.obtained, Expiry: expiry}, nil
}

// sessionToken extracts the token from `chainctl auth token` output.
func sessionToken(out []byte) (string, error) {
	token := strings.TrimSpace(string(out))
	if token == "" {
		return "", fmt.Errorf("printed no token")
	}
	if strings.ContainsAny(token, "\r\n") {
		return "", fmt.Errorf("output is not a token (%s)", describe(out))
	}
	if err := checkToken(token); err != nil {
		return "", fmt.Errorf("%w (%s)", err, describe(out))
	}
	return token, nil
}

// pullTokenOutput is what `chainctl auth pull-token create --output=json` prints.
type pullTokenOutput struct {
	IdentityID string `json:"identity_id"`
	Token      string `json:"token"`
}

// pullToken extracts identity and token from pull-token JSON output. The JSON
// decoder's messages can quote the input, so they are replaced by a shape.
func pullToken(out []byte) (identity, token string, err error) {
	trimmed := strings.TrimSpace(string(out))
	if trimmed == "" {
		return "", "", fmt.Errorf("printed nothing")
	}
	var got pullTokenOutput
	if json.Unmarshal([]byte(trimmed), &got) != nil {
		return "", "", fmt.Errorf("output is not the expected JSON object (%s)", describe(out))
	}
	switch {
	case got.IdentityID == "" && got.Token == "":
		return "", "", fmt.Errorf("JSON output has neither identity_id nor token (%s)", describe(out))
	case got.IdentityID == "":
		return "", "", fmt.Errorf("JSON output has no identity_id")
	case got.Token == "":
		return "", "", fmt.Errorf("JSON output has no token")
	}
	if problem := netrcProblem(got.IdentityID); problem != "" {
		return "", "", fmt.Errorf("identity_id refused: it %s, which netrc cannot carry", problem)
	}
	if err := checkToken(got.Token); err != nil {
		return "", "", err
	}
	return got.IdentityID, got.Token, nil
}

// checkToken refuses tokens netrc cannot carry and anything that is not JWT-shaped.
func checkToken(token string) error {
	if problem := netrcProblem(token); problem != "" {
		return fmt.Errorf("token refused: it %s, which netrc cannot carry", problem)
	}
	if !jwtShaped(token) {
		return fmt.Errorf("output is not a token: expected a JWT (header.payload.signature)")
	}
	return nil
}

// netrcProblem says why s cannot be a netrc field, or "" when it can. netrc
// readers split on whitespace and disagree on quotes, backslashes and a leading
// '#', so only characters every reader treats alike are allowed.
func netrcProblem(s string) string {
	if strings.HasPrefix(s, "#") {
		return "starts with '#'"
	}
	for _, r := range s {
		switch {
		case r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f':
			return "contains whitespace"
		case r == '"':
			return `contains '"'`
		case r == '\\':
			return `contains '\'`
		case r < 0x20 || r == 0x7f:
			return "contains a control character"
		case r > 0x7e:
			return "contains a non-ASCII character"
		}
	}
	return ""
}

// tokenExpiry is the JWT's exp, or obtained+fallback when it has none, and
// never later than obtained+longest (with a warning). A token already expired
// when received is refused: writing it would only break installs.
func (p *Provider) tokenExpiry(token string, obtained time.Time, fallback, longest time.Duration) (time.Time, error) {
	expiry, ok := ExpiryFromJWT(token)
	if !ok {
		return obtained.Add(fallback), nil
	}
	if !expiry.After(obtained) {
		return time.Time{}, fmt.Errorf("token already expired at %s (is the clock right?)",
			expiry.UTC().Format(time.RFC3339))
	}
	bounded, clamped := providers.ClampExpiry(obtained, expiry, longest)
	if clamped {
		p.logger().Warn("chainctl's token claims to expire later than such a token lives; renewing it as if it expired sooner",
			"claimed_expiry", expiry.UTC().Format(time.RFC3339), "longest_lifetime", longest, "assumed_expiry", bounded.UTC().Format(time.RFC3339))
	}
	return bounded, nil
}

// describe tells the shape of output without revealing it, which may be a secret.
func describe(out []byte) string {
	lines := strings.Count(string(out), "\n")
	if len(out) > 0 && out[len(out)-1] != '\n' {
		lines++
	}
	return fmt.Sprintf("%d bytes, %d %s", len(out), lines, plural(lines, "line", "lines"))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func (p *Provider) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

func (p *Provider) timeout() time.Duration {
	if p.Timeout > 0 {
		return p.Timeout
	}
	return defaultTimeout
}

func (p *Provider) logger() *slog.Logger {
	if p.Logger != nil {
		return p.Logger
	}
	return slog.New(slog.DiscardHandler)
}
