package main

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"
)

// machine describes where the numbers were taken.
type machine struct {
	Date        string `json:"date"`
	CPUs        int    `json:"nproc"`
	CPUModel    string `json:"cpu_model"`
	Memory      string `json:"memory"`
	Kernel      string `json:"kernel"`
	Go          string `json:"go"`
	KeyringPy   string `json:"keyring_python"`
	Keyring     string `json:"keyring"`
	PipPy       string `json:"pip_python"`
	Pip         string `json:"pip"`
	LoadBefore  string `json:"loadavg_before"`
	LoadAfter   string `json:"loadavg_after,omitempty"`
	DurationSec int    `json:"duration_seconds,omitempty"`
}

func describeMachine(ctx context.Context, t tools) machine {
	return machine{
		Date:       time.Now().UTC().Format(time.RFC3339),
		CPUs:       runtime.NumCPU(),
		CPUModel:   procField("/proc/cpuinfo", "model name"),
		Memory:     procField("/proc/meminfo", "MemTotal"),
		Kernel:     firstLine("/proc/sys/kernel/osrelease"),
		Go:         runtime.Version(),
		KeyringPy:  t.keyringPython + ": " + output(ctx, t.keyringPython, "--version"),
		Keyring:    "keyring " + output(ctx, t.keyringPython, "-c", "import importlib.metadata as m; print(m.version('keyring'))"),
		PipPy:      t.pipPython + ": " + output(ctx, t.pipPython, "--version"),
		Pip:        output(ctx, t.pipPython, "-m", "pip", "--version"),
		LoadBefore: loadavg(),
	}
}

// loadavg is the 1, 5 and 15 minute load averages (the machine is shared).
func loadavg() string {
	f := strings.Fields(firstLine("/proc/loadavg"))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

func procField(path, key string) string {
	f, err := os.Open(path)
	if err != nil {
		return "?"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	return "?"
}

func firstLine(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return "?"
	}
	line, _, _ := strings.Cut(string(data), "\n")
	return strings.TrimSpace(line)
}

func output(ctx context.Context, name string, args ...string) string {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=" + os.TempDir()}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "? (" + err.Error() + ")"
	}
	line, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
	return line
}
