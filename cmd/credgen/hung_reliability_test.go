//go:build unix

package main

import (
	"context"
	"syscall"
	"testing"
	"time"

	"github.com/credgen/credgen/testdata/fakes/mendacloud"
)

// testHungProviderHoldsNothingUp: a `write --force` waits on a menda-cloud
// that never answers; a second write of the Chainguard index, forced too,
// does not wait for it. It mints its own host, keeps the hung host's valid
// credential, exits 0 and is done while the first is still waiting: a mint
// holds only its own host's mint lock, never the lock on the files.
func testHungProviderHoldsNothingUp(t *testing.T, kit *testKit) {
	w, _ := faultWorld(t, kit)
	oldCA := w.credentialOf(hostCA)
	w.menda.SetFault(mendacloud.Registry, mendacloud.Fault{Delay: 10 * time.Minute})
	defer w.menda.ClearFaults()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	args := []string{"write", "--force"}
	hung, out := w.command(ctx, w.env(), args...)
	before := w.menda.Calls(mendacloud.Registry)
	if err := hung.Start(); err != nil {
		t.Fatal(err)
	}
	for w.menda.Calls(mendacloud.Registry) == before {
		if ctx.Err() != nil {
			t.Fatal("the first write never called menda-cloud")
		}
		time.Sleep(10 * time.Millisecond)
	}
	calls := w.chainctlCalls()
	r := w.run("write", "--force", "--index", indexCGR)
	w.want(r, 0)
	if hung.ProcessState != nil {
		t.Error("the hung write ended before the second one was done")
	}
	if w.chainctlCalls() != calls+1 {
		t.Errorf("chainctl ran %d times for the second write, want 1", w.chainctlCalls()-calls)
	}
	if w.credentialOf(hostCA) != oldCA {
		t.Error("the hung host's credential changed")
	}
	if err := hung.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	w.finish(args, out, hung.Wait(), 0)
	w.wantKept(hostCA, oldCA)
}
