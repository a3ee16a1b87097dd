package release

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"debug/elf"
	"debug/macho"
	"debug/pe"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// releaseTargets are the systems and architectures every release ships.
var releaseTargets = []string{"linux/amd64", "linux/arm64", "darwin/amd64", "darwin/arm64", "windows/amd64", "windows/arm64"}

// binaryName is the file name make dist gives target's binary.
func binaryName(target string) string {
	goos, goarch, _ := strings.Cut(target, "/")
	name := "credgen-" + goos + "-" + goarch
	if goos == "windows" {
		name += ".exe"
	}
	return name
}

func moduleRoot(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("go env GOMOD: %v", err)
	}
	return filepath.Dir(strings.TrimSpace(string(out)))
}

// TestMakeDistBuildsHostTarget runs the Makefile's own dist recipe for the
// host's Linux target only (a few seconds with a warm build cache) and
// checks what it leaves.
func TestMakeDistBuildsHostTarget(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("make dist runs on a Unix build machine")
	}
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("no make here")
	}
	target := "linux/" + runtime.GOARCH
	if !slices.Contains(releaseTargets, target) {
		t.Skipf("%s is not a release target", target)
	}
	root := moduleRoot(t)
	dist := t.TempDir()
	make := exec.Command("make", "-s", "-C", root, "dist", "DIST="+dist, "DIST_TARGETS="+target)
	if out, err := make.CombinedOutput(); err != nil {
		t.Fatalf("make dist: %v\n%s", err, out)
	}
	checkDist(t, dist, []string{target}, root)
}

// TestDistOutput checks a full `make dist` output when there is one (make
// dist, then go test ./internal/release/): all six binaries, checksums that
// match, static and stripped binaries for the right machine.
func TestDistOutput(t *testing.T) {
	root := moduleRoot(t)
	dist := filepath.Join(root, "dist")
	if _, err := os.Stat(filepath.Join(dist, "SHA256SUMS")); err != nil {
		t.Skip("no dist/SHA256SUMS: run make dist first")
	}
	checkDist(t, dist, releaseTargets, root)
}

// checkDist checks that dist holds exactly targets' binaries and a
// SHA256SUMS listing each with its real checksum, and that each binary is
// what a release needs.
func checkDist(t *testing.T, dist string, targets []string, root string) {
	t.Helper()
	var want []string
	for _, target := range targets {
		want = append(want, binaryName(target))
	}
	sums := readSums(t, filepath.Join(dist, "SHA256SUMS"))
	if got := sortedKeys(sums); !slices.Equal(got, sorted(want)) {
		t.Errorf("SHA256SUMS lists %v, want %v", got, sorted(want))
	}
	entries, err := os.ReadDir(dist)
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, e := range entries {
		files = append(files, e.Name())
	}
	if wantFiles := sorted(append(slices.Clone(want), "SHA256SUMS")); !slices.Equal(sorted(files), wantFiles) {
		t.Errorf("dist holds %v, want %v", sorted(files), wantFiles)
	}
	if path, err := exec.LookPath("sha256sum"); err == nil {
		check := exec.Command(path, "-c", "--strict", "SHA256SUMS")
		check.Dir = dist
		if out, err := check.CombinedOutput(); err != nil {
			t.Errorf("sha256sum -c: %v\n%s", err, out)
		}
	}
	for _, target := range targets {
		t.Run(target, func(t *testing.T) {
			path := filepath.Join(dist, binaryName(target))
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(data)
			if got := hex.EncodeToString(sum[:]); sums[binaryName(target)] != got {
				t.Errorf("checksum %s, SHA256SUMS says %s", got, sums[binaryName(target)])
			}
			if bytes.Contains(data, []byte(root)) {
				t.Errorf("the binary names the build folder %s: built without -trimpath", root)
			}
			if err := checkBinary(path, target); err != nil {
				t.Error(err)
			}
		})
	}
}

// readSums parses sha256sum's "HASH  NAME" lines.
func readSums(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sums := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		hash, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok || len(hash) != 64 {
			t.Fatalf("%s: not a sha256sum line: %q", path, sc.Text())
		}
		sums[name] = hash
	}
	return sums
}

// checkBinary checks that path is an executable for target, and for Linux
// that it is static (no interpreter, no shared libraries) and stripped.
// Go's macOS and Windows binaries always call the system's own libraries;
// what matters there is that nothing else (cgo) is linked, which
// CGO_ENABLED=0 ensures, and that the machine type is right.
func checkBinary(path, target string) error {
	goos, goarch, _ := strings.Cut(target, "/")
	switch goos {
	case "linux":
		return checkELF(path, goarch)
	case "darwin":
		f, err := macho.Open(path)
		if err != nil {
			return fmt.Errorf("%s: not Mach-O: %w", path, err)
		}
		defer f.Close()
		want := map[string]macho.Cpu{"amd64": macho.CpuAmd64, "arm64": macho.CpuArm64}[goarch]
		if f.Cpu != want {
			return fmt.Errorf("%s: cpu %v, want %v", path, f.Cpu, want)
		}
	case "windows":
		f, err := pe.Open(path)
		if err != nil {
			return fmt.Errorf("%s: not PE: %w", path, err)
		}
		defer f.Close()
		want := map[string]uint16{"amd64": pe.IMAGE_FILE_MACHINE_AMD64, "arm64": pe.IMAGE_FILE_MACHINE_ARM64}[goarch]
		if f.Machine != want {
			return fmt.Errorf("%s: machine %#x, want %#x", path, f.Machine, want)
		}
	default:
		return fmt.Errorf("unknown system %s", goos)
	}
	return nil
}

func checkELF(path, goarch string) error {
	f, err := elf.Open(path)
	if err != nil {
		return fmt.Errorf("%s: not ELF: %w", path, err)
	}
	defer f.Close()
	want := map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64}[goarch]
	if f.Machine != want {
		return fmt.Errorf("%s: machine %v, want %v", path, f.Machine, want)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			return fmt.Errorf("%s: dynamically linked (%v): built with cgo?", path, p.Type)
		}
	}
	if f.Section(".symtab") != nil {
		return fmt.Errorf("%s: has a symbol table: built without -ldflags=-s", path)
	}
	return nil
}

func sortedKeys(m map[string]string) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	return sorted(keys)
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// The checks catch what they are for: this test binary is not for another
// architecture, and the system's shell is dynamically linked.
func TestCheckBinaryRefuses(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("checks ELF files")
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if err := checkBinary(self, "linux/"+otherArch()); err == nil || !strings.Contains(err.Error(), "machine") {
		t.Errorf("wrong architecture: err = %v", err)
	}
	if _, err := os.Stat("/bin/sh"); err == nil {
		if err := checkBinary("/bin/sh", "linux/"+runtime.GOARCH); err == nil || !strings.Contains(err.Error(), "dynamically linked") {
			t.Errorf("/bin/sh: err = %v", err)
		}
	}
}

func otherArch() string {
	if runtime.GOARCH == "arm64" {
		return "amd64"
	}
	return "arm64"
}
