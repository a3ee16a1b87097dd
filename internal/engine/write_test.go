package engine

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/credgen/credgen/internal/config"
	"github.com/credgen/credgen/providers"
)

func TestWriteMintsOnceThenNothingIsDue(t *testing.T) {
	w := newWorld(t)
	fl := config.Flags{DefaultIndex: cgrIndex, Indexes: []string{caIndex}}
	pass := w.mustWrite(w.engine(fl), WriteOptions{})
	if w.chainguard.mintCount() != 1 || w.menda.mintCount() != 1 {
		t.Fatalf("mints: chainguard %d, menda %d; want 1 each", w.chainguard.mintCount(), w.menda.mintCount())
	}
	for _, h := range pass.Hosts {
		if !h.Minted || h.Credential == nil || h.Err != nil {
			t.Errorf("host %s: minted %v, credential %v, err %v", h.Host, h.Minted, h.Credential != nil, h.Err)
		}
	}
	netrc := w.read(w.netrc())
	for _, want := range []string{"machine " + cgrHost + " login _token password " + w.chainguard.lastSecret(),
		"machine " + caHost + " login aws password " + w.menda.lastSecret()} {
		if !strings.Contains(netrc, want) {
			t.Errorf("netrc lacks %q:\n%s", want, netrc)
		}
	}
	before := map[string]time.Time{}
	for _, p := range []string{w.netrc(), w.pipConf(), w.uvToml()} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		before[p] = fi.ModTime()
	}
	// A second run, as cron's: nothing is due, nothing is minted or written.
	again := w.mustWrite(w.engine(config.Flags{}), WriteOptions{})
	if w.chainguard.mintCount() != 1 || w.menda.mintCount() != 1 {
		t.Errorf("the second write minted: chainguard %d, menda %d", w.chainguard.mintCount(), w.menda.mintCount())
	}
	for _, f := range again.Files {
		if f.Written {
			t.Errorf("the second write rewrote %s", f.Path)
		}
	}
	for p, mtime := range before {
		if fi, _ := os.Stat(p); !fi.ModTime().Equal(mtime) {
			t.Errorf("%s: mtime changed", p)
		}
	}
}

func TestStateRecordsFingerprintsNeverSecrets(t *testing.T) {
	w := newWorld(t)
	w.mustWrite(w.engine(config.Flags{DefaultIndex: cgrIndex, Indexes: []string{caIndex}}), WriteOptions{})
	state := w.read(w.state())
	for _, p := range []*fakeProvider{w.chainguard, w.menda} {
		secret := p.lastSecret()
		if strings.Contains(state, secret) {
			t.Errorf("state.json holds the %s secret", p.name)
		}
		if !strings.Contains(state, providers.Fingerprint(secret)) {
			t.Errorf("state.json lacks the fingerprint of the %s secret", p.name)
		}
	}
}

// An edit made to an output while credgen mints is kept: credgen applies
// its change to what the file holds when it writes.
func TestWriteKeepsEditsMadeWhileMinting(t *testing.T) {
	w := newWorld(t)
	e := w.engine(config.Flags{DefaultIndex: cgrIndex})
	w.mustWrite(e, WriteOptions{})
	gate := make(chan struct{})
	w.chainguard.gate, w.chainguard.started = gate, make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		pass, err := e.Write(context.Background(), WriteOptions{Force: true})
		if err == nil {
			err = pass.Err()
		}
		done <- err
	}()
	waitStarted(t, w.chainguard)
	w.write(w.netrc(), w.read(w.netrc())+"machine git.example.com login alice password alicepw\n")
	w.write(w.pipConf(), w.read(w.pipConf())+"[install]\ntimeout = 60\n")
	close(gate)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if netrc := w.read(w.netrc()); !strings.Contains(netrc, "machine git.example.com login alice password alicepw") ||
		!strings.Contains(netrc, w.chainguard.lastSecret()) {
		t.Errorf("netrc lost the user's entry or lacks the new secret:\n%s", netrc)
	}
	if pip := w.read(w.pipConf()); !strings.Contains(pip, "[install]\ntimeout = 60") || !strings.Contains(pip, w.chainguard.lastSecret()) {
		t.Errorf("pip.conf lost the user's section or lacks the new secret:\n%s", pip)
	}
}

// Two credgen processes that find the same host due mint it once: the second
// waits for the first and takes what it minted.
func TestConcurrentWritesMintOnce(t *testing.T) {
	w := newWorld(t)
	gate := make(chan struct{})
	w.chainguard.gate, w.chainguard.started = gate, make(chan string, 2)
	fl := config.Flags{DefaultIndex: cgrIndex}
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	run := func() {
		defer wg.Done()
		pass, err := w.engine(fl).Write(context.Background(), WriteOptions{})
		if err == nil {
			err = pass.Err()
		}
		errs <- err
	}
	wg.Add(1)
	go run()
	waitStarted(t, w.chainguard)
	wg.Add(1)
	go run()
	// The second waits on the host's mint lock; let the first finish.
	close(gate)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := w.chainguard.mintCount(); n != 1 {
		t.Errorf("%d mints, want 1", n)
	}
	if !strings.Contains(w.read(w.netrc()), w.chainguard.lastSecret()) {
		t.Error("netrc lacks the one minted secret")
	}
}

// A provider that hangs holds neither the files' lock nor another provider's
// hosts: a second write, forced even, finishes while the first still waits,
// and keeps the hung host's valid credential.
func TestHungProviderDoesNotHoldUpAnotherWrite(t *testing.T) {
	w := newWorld(t)
	fl := config.Flags{DefaultIndex: cgrIndex, Indexes: []string{caIndex}}
	w.mustWrite(w.engine(fl), WriteOptions{})
	oldCA := w.menda.lastSecret()
	gate := make(chan struct{})
	w.menda.gate, w.menda.started = gate, make(chan string, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	hung := make(chan error, 1)
	go func() {
		_, err := w.engine(config.Flags{}).Write(ctx, WriteOptions{MintProviders: []string{"menda"}})
		hung <- err
	}()
	waitStarted(t, w.menda)
	pass := w.mustWrite(w.engine(config.Flags{}), WriteOptions{Force: true})
	select {
	case err := <-hung:
		t.Fatalf("the hung write ended first: %v", err)
	default:
	}
	for _, h := range pass.Hosts {
		switch h.Host {
		case cgrHost:
			if !h.Minted {
				t.Error("chainguard was not minted")
			}
		case caHost:
			if h.Minted || h.Credential == nil || h.Credential.Secret != oldCA {
				t.Error("the hung host's current credential was not kept")
			}
		}
	}
	if netrc := w.read(w.netrc()); !strings.Contains(netrc, w.chainguard.lastSecret()) || !strings.Contains(netrc, oldCA) {
		t.Errorf("netrc:\n%s", netrc)
	}
	close(gate)
	if err := <-hung; err != nil {
		t.Fatal(err)
	}
	if netrc := w.read(w.netrc()); !strings.Contains(netrc, w.menda.lastSecret()) || strings.Contains(netrc, oldCA) {
		t.Error("the first write's mint did not land once its provider answered")
	}
}

func TestFailedMintKeepsTheCurrentCredential(t *testing.T) {
	w := newWorld(t)
	fl := config.Flags{DefaultIndex: cgrIndex, Indexes: []string{caIndex}}
	w.mustWrite(w.engine(fl), WriteOptions{})
	old := w.menda.lastSecret()
	w.menda.fail = errors.New("menda-cloud said no")
	pass, err := w.engine(config.Flags{}).Write(context.Background(), WriteOptions{Force: true})
	if err != nil {
		t.Fatal(err)
	}
	if ExitCode(pass.Err()) != ExitMint || !strings.Contains(pass.Err().Error(), "menda-cloud said no") {
		t.Fatalf("pass error %v, want exit 1 naming the failure", pass.Err())
	}
	netrc := w.read(w.netrc())
	if !strings.Contains(netrc, old) || !strings.Contains(netrc, w.chainguard.lastSecret()) {
		t.Errorf("netrc:\n%s", netrc)
	}
	if !strings.Contains(w.read(w.state()), "menda-cloud said no") {
		t.Error("the state does not record the failure")
	}
}

func TestDryRunMintsAndWritesNothing(t *testing.T) {
	w := newWorld(t)
	pass, err := w.engine(config.Flags{DefaultIndex: cgrIndex}).Write(context.Background(), WriteOptions{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if w.chainguard.mintCount() != 0 {
		t.Error("dry run minted")
	}
	if _, err := os.Stat(w.netrc()); !os.IsNotExist(err) {
		t.Error("dry run created the netrc")
	}
	rep := pass.Report()
	if len(rep.Indexes) != 1 || !rep.Indexes[0].WouldMint || rep.Indexes[0].Fingerprint != "" {
		t.Errorf("report indexes %+v", rep.Indexes)
	}
	var diff string
	for _, f := range rep.Files {
		diff += f.Diff
	}
	if !strings.Contains(diff, "+machine libraries.cgr.dev login _token password ****") {
		t.Errorf("diff:\n%s", diff)
	}
}

// A forced mint is written even when the credential it replaces claims a
// later expiry: the later mint is the fresher one.
func TestForcedMintReplacesACredentialClaimingALaterExpiry(t *testing.T) {
	w := newWorld(t)
	w.chainguard.lifetime = 20 * time.Hour
	w.mustWrite(w.engine(config.Flags{DefaultIndex: cgrIndex}), WriteOptions{})
	w.chainguard.lifetime = time.Hour
	pass := w.mustWrite(w.engine(config.Flags{}), WriteOptions{Force: true})
	if !pass.Hosts[0].Minted || !strings.Contains(w.read(w.netrc()), w.chainguard.lastSecret()) {
		t.Errorf("the forced mint was not written:\n%s", w.read(w.netrc()))
	}
}

// Run as root, credgen refuses a netrc another user planted in a folder that
// user does not own (a sticky shared folder): keeping that owner would hand
// them the fresh token. Nothing is minted.
func TestWriteRefusesAForeignOwnedOutputBeforeMinting(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to give a file to another user")
	}
	w := newWorld(t)
	shared := t.TempDir()
	if err := os.Chmod(shared, 0o1777); err != nil {
		t.Fatal(err)
	}
	planted := shared + "/netrc"
	w.write(planted, "machine example.com login x password y\n")
	if err := os.Chown(planted, 1234, 1234); err != nil {
		t.Fatal(err)
	}
	_, err := w.engine(config.Flags{DefaultIndex: cgrIndex, Netrc: planted}).Write(context.Background(), WriteOptions{})
	if ExitCode(err) != ExitUsage || !strings.Contains(err.Error(), planted) {
		t.Fatalf("err = %v (exit %d), want exit 2 naming %s", err, ExitCode(err), planted)
	}
	if w.chainguard.mintCount() != 0 {
		t.Error("minted before refusing")
	}
	if got := w.read(planted); got != "machine example.com login x password y\n" {
		t.Errorf("the planted file changed:\n%s", got)
	}
}
