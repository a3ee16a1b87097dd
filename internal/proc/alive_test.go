package proc

import (
	"os"
	"os/exec"
	"testing"
)

func TestAlive(t *testing.T) {
	if !Alive(os.Getpid()) {
		t.Error("this process is not alive")
	}
	for _, pid := range []int{0, -1} {
		if Alive(pid) {
			t.Errorf("Alive(%d) = true", pid)
		}
	}
	// A child that has ended and been waited for is gone.
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	child := exec.Command(exe, "-test.run=^$")
	if err := child.Run(); err != nil {
		t.Fatal(err)
	}
	if Alive(child.Process.Pid) {
		t.Errorf("ended child %d reported alive", child.Process.Pid)
	}
}
