package mendacloud

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/credgen/credgen/testdata/fakes/faketoken"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

const registryURL = "https://acme-111122223333.d.codeartifact.eu-west-1.amazonaws.com/pypi/plugins/simple/"

func newTestServer(t *testing.T, opts Options) (*Server, *httptest.Server) {
	t.Helper()
	if opts.Clients == nil {
		opts.Clients = map[string]string{"bot": "s3cret:with/odd&chars"}
	}
	fake := New(opts)
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	return fake, srv
}

// accessToken runs the grant as credgen does, with x/oauth2.
func accessToken(t *testing.T, base, id, secret string, style oauth2.AuthStyle) (*oauth2.Token, error) {
	t.Helper()
	cfg := clientcredentials.Config{ClientID: id, ClientSecret: secret, TokenURL: base + OAuthTokenPath, AuthStyle: style}
	return cfg.Token(context.Background())
}

func registryToken(t *testing.T, base, bearer, registry string) (int, map[string]any) {
	t.Helper()
	body := fmt.Sprintf(`{"registry_url": %q}`, registry)
	req, _ := http.NewRequest(http.MethodPost, base+RegistryTokenPath, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+bearer)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func TestClientCredentialsGrant(t *testing.T) {
	fake, srv := newTestServer(t, Options{AccessTTL: 30 * time.Minute})
	for _, style := range []oauth2.AuthStyle{oauth2.AuthStyleInHeader, oauth2.AuthStyleInParams} {
		tok, err := accessToken(t, srv.URL, "bot", "s3cret:with/odd&chars", style)
		if err != nil {
			t.Fatalf("style %v: %v", style, err)
		}
		claims, err := faketoken.Verify(tok.AccessToken, time.Now())
		if err != nil || claims.Audience != Audience || claims.Subject != "bot" || tok.TokenType != "Bearer" {
			t.Errorf("style %v: token %+v, claims %+v, %v", style, tok, claims, err)
		}
		if left := time.Until(tok.Expiry); left < 29*time.Minute || left > 31*time.Minute {
			t.Errorf("expires in %v, want 30m", left)
		}
	}
	for _, bad := range [][2]string{{"bot", "wrong"}, {"nobody", "x"}, {"", ""}} {
		_, err := accessToken(t, srv.URL, bad[0], bad[1], oauth2.AuthStyleInHeader)
		var re *oauth2.RetrieveError
		if !errors.As(err, &re) || re.Response.StatusCode != 401 || re.ErrorCode != "invalid_client" {
			t.Errorf("client %q: err = %v", bad[0], err)
		}
	}
	if got := fake.Calls(OAuth); got != 5 {
		t.Errorf("Calls(OAuth) = %d, want 5", got)
	}
	if got := len(fake.Issued()); got != 2 {
		t.Errorf("issued %d tokens, want 2", got)
	}
}

func TestOAuthRejectsOtherGrants(t *testing.T) {
	_, srv := newTestServer(t, Options{})
	resp, err := http.PostForm(srv.URL+OAuthTokenPath, url.Values{"grant_type": {"password"}, "client_id": {"bot"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Errorf("status %d, want 400", resp.StatusCode)
	}
}

func TestRegistryToken(t *testing.T) {
	for _, style := range []Style{StyleMenda, StyleCodeArtifact} {
		fake, srv := newTestServer(t, Options{Style: style, RegistryTTL: 2 * time.Hour})
		access := fake.UserToken("alice", time.Hour)
		status, body := registryToken(t, srv.URL, access, registryURL)
		if status != 200 {
			t.Fatalf("status %d: %v", status, body)
		}
		var token string
		var expiry time.Time
		if style == StyleMenda {
			token = body["token"].(string)
			expiry, _ = time.Parse(time.RFC3339, body["expiration"].(string))
		} else {
			token = body["authorizationToken"].(string)
			expiry = time.Unix(int64(body["expiration"].(float64)), 0)
		}
		claims, err := faketoken.Verify(token, time.Now())
		if err != nil || claims.Subject != "aws" || claims.Audience != "acme-111122223333.d.codeartifact.eu-west-1.amazonaws.com" ||
			claims.Expiry != expiry.Unix() {
			t.Errorf("style %v: claims %+v, %v, expiry %v", style, claims, err, expiry)
		}
		if got := fake.RegistryURLs(); !reflect.DeepEqual(got, []string{registryURL}) {
			t.Errorf("RegistryURLs = %v", got)
		}
		if issued := fake.Issued(); len(issued) != 2 || issued[0] != access || issued[1] != token {
			t.Errorf("Issued = %v", issued)
		}
	}
}

func TestRegistryRefusesBadRequests(t *testing.T) {
	fake, srv := newTestServer(t, Options{})
	valid := fake.UserToken("alice", time.Hour)
	expired := faketoken.Issue("alice", Audience, time.Minute, time.Now().Add(-time.Hour))
	wrongAudience := faketoken.Issue("aws", "some.host", time.Hour, time.Now())
	for _, tc := range []struct {
		name, bearer, registry string
		want                   int
	}{
		{"no token", "", registryURL, 401},
		{"forged", valid[:len(valid)-3] + "abc", registryURL, 401},
		{"expired", expired, registryURL, 401},
		{"registry token as access token", wrongAudience, registryURL, 401},
		{"http registry", valid, "http://x.example/simple/", 400},
		{"not a URL", valid, "::", 400},
	} {
		if status, body := registryToken(t, srv.URL, tc.bearer, tc.registry); status != tc.want {
			t.Errorf("%s: status %d (%v), want %d", tc.name, status, body, tc.want)
		}
	}
}

func TestFaults(t *testing.T) {
	fake, srv := newTestServer(t, Options{})
	access := fake.UserToken("alice", time.Hour)
	fake.FailNext(Registry, 2, 503)
	for i, want := range []int{503, 503, 200} {
		if status, _ := registryToken(t, srv.URL, access, registryURL); status != want {
			t.Errorf("call %d: status %d, want %d", i, status, want)
		}
	}
	fake.SetFault(Registry, Fault{Status: 429, RetryAfter: "7"})
	req, _ := http.NewRequest(http.MethodPost, srv.URL+RegistryTokenPath, strings.NewReader("{}"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "7" {
		t.Errorf("429 fault: %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	fake.SetFault(OAuth, Fault{WrongContentType: true})
	if _, err := accessToken(t, srv.URL, "bot", "s3cret:with/odd&chars", oauth2.AuthStyleInHeader); err == nil {
		t.Error("wrong content type accepted by x/oauth2")
	}
	fake.SetFault(OAuth, Fault{InvalidJSON: true})
	if _, err := accessToken(t, srv.URL, "bot", "s3cret:with/odd&chars", oauth2.AuthStyleInHeader); err == nil {
		t.Error("invalid JSON accepted by x/oauth2")
	}
	fake.ClearFaults()
	if status, _ := registryToken(t, srv.URL, access, registryURL); status != 200 {
		t.Errorf("after ClearFaults: %d", status)
	}
	resp, err = http.Get(srv.URL + StatsPath)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	stats, _ := io.ReadAll(resp.Body)
	if want := `{"calls":{"oauth":2,"registry":5},"issued":3}`; strings.TrimSpace(string(stats)) != want {
		t.Errorf("stats = %s, want %s", stats, want)
	}
}

func TestSlowFaultStopsWhenTheClientGivesUp(t *testing.T) {
	fake, srv := newTestServer(t, Options{})
	fake.SetFault(OAuth, Fault{Delay: time.Minute})
	client := &http.Client{Timeout: 100 * time.Millisecond}
	start := time.Now()
	if _, err := client.PostForm(srv.URL+OAuthTokenPath, url.Values{"grant_type": {"client_credentials"}}); err == nil {
		t.Fatal("slow fault answered")
	}
	srv.Close() // waits for the handler
	if time.Since(start) > 5*time.Second {
		t.Errorf("handler kept running %v", time.Since(start))
	}
}

func TestParseModes(t *testing.T) {
	modes, err := ParseModes(`# failure modes
oauth 429 retry-after=2
registry fail-next 3 503

`)
	want := map[Endpoint]Fault{OAuth: {Status: 429, RetryAfter: "2"}, Registry: {Status: 503, Times: 3}}
	if err != nil || !reflect.DeepEqual(modes, want) {
		t.Errorf("ParseModes = %v, %v", modes, err)
	}
	for _, tc := range []struct {
		line string
		want Fault
	}{
		{"ok", Fault{}},
		{"401", Fault{Status: 401}},
		{"403", Fault{Status: 403}},
		{"500", Fault{Status: 500}},
		{"slow 250ms", Fault{Delay: 250 * time.Millisecond}},
		{"invalid-json", Fault{InvalidJSON: true}},
		{"wrong-content-type", Fault{WrongContentType: true}},
	} {
		f, err := ParseFault(strings.Fields(tc.line))
		if err != nil || f != tc.want {
			t.Errorf("ParseFault(%q) = %+v, %v", tc.line, f, err)
		}
	}
	for _, bad := range []string{"web 401", "oauth", "oauth teapot", "oauth 99", "oauth slow", "oauth slow soon",
		"oauth fail-next 0 500", "oauth fail-next 1", "oauth 429 after=3", "oauth ok extra"} {
		if _, err := ParseModes(bad); err == nil || !strings.HasPrefix(err.Error(), "line 1: ") {
			t.Errorf("ParseModes(%q) = %v, want a line 1 error", bad, err)
		}
	}
}
