package deploy

import (
	"debug/elf"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// instruction is one Dockerfile instruction, continuation lines joined.
type instruction struct {
	op, args string
}

func readDockerfile(t *testing.T) []instruction {
	t.Helper()
	data, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	var ins []instruction
	var cur strings.Builder
	for _, line := range strings.Split(string(data), "\n") {
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		if body, cont := strings.CutSuffix(trimmed, "\\"); cont {
			cur.WriteString(body + " ")
			continue
		}
		cur.WriteString(trimmed)
		op, args, _ := strings.Cut(cur.String(), " ")
		ins = append(ins, instruction{strings.ToUpper(op), strings.TrimSpace(args)})
		cur.Reset()
	}
	return ins
}

// finalStage is the instructions from the last FROM on, and that FROM's image.
func finalStage(ins []instruction) (string, []instruction) {
	for i := len(ins) - 1; i >= 0; i-- {
		if ins[i].op == "FROM" {
			return strings.Fields(ins[i].args)[0], ins[i+1:]
		}
	}
	return "", nil
}

var goBuild = regexp.MustCompile(`CGO_ENABLED=0 go build .*-o (\S+) \./cmd/credgen`)

// TestDockerfile: a static credgen in a scratch image with CA certificates,
// run as a non-root user, the binary as ENTRYPOINT (the manifests rely on
// it: they give credgen's containers args only), built with the Go release
// go.mod asks for.
func TestDockerfile(t *testing.T) {
	ins := readDockerfile(t)
	base, final := finalStage(ins)
	if base != "scratch" {
		t.Errorf("final stage is FROM %s, want scratch", base)
	}
	var built string
	for _, in := range ins {
		if m := goBuild.FindStringSubmatch(in.args); in.op == "RUN" && m != nil {
			built = m[1]
		}
	}
	if built == "" {
		t.Fatal("no RUN CGO_ENABLED=0 go build ... -o FILE ./cmd/credgen")
	}
	var binary string
	var certs, user, passwd bool
	for _, in := range final {
		switch in.op {
		case "COPY":
			f := strings.Fields(in.args)
			src, dst := f[len(f)-2], f[len(f)-1]
			switch {
			case src == built:
				binary = dst
			case strings.HasSuffix(src, "ca-certificates.crt") && strings.HasPrefix(dst, "/etc/ssl/certs/"):
				certs = true
			case strings.Contains(in.args, "/etc/passwd") || strings.HasSuffix(src, "/passwd"):
				passwd = true
			}
		case "USER":
			uid, _, _ := strings.Cut(in.args, ":")
			n, err := strconv.Atoi(uid)
			user = err == nil && n > 0 // numeric, so runAsNonRoot can verify it
		case "ENTRYPOINT":
			var argv []string
			if err := json.Unmarshal([]byte(in.args), &argv); err != nil || len(argv) != 1 || argv[0] != binary {
				t.Errorf("ENTRYPOINT %s: want [%q] (exec form, the binary alone)", in.args, binary)
			}
		}
	}
	if binary == "" {
		t.Errorf("the final stage does not copy %s", built)
	}
	if !certs {
		t.Error("no CA certificates in /etc/ssl/certs: credgen could not reach menda over HTTPS")
	}
	if !user || !passwd {
		t.Errorf("want a numeric non-root USER and an /etc/passwd naming it (user %v, passwd %v)", user, passwd)
	}
	checkGoVersion(t, ins)
}

// checkGoVersion: the build image is the Go release go.mod names.
func checkGoVersion(t *testing.T, ins []instruction) {
	t.Helper()
	mod, err := os.ReadFile(filepath.Join("..", "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindSubmatch(mod)
	if m == nil {
		t.Fatal("go.mod has no go line")
	}
	want := "golang:" + string(m[1])
	for _, in := range ins {
		if in.op == "FROM" && strings.HasPrefix(in.args, want) {
			return
		}
	}
	t.Errorf("no FROM %s stage: the image would build with another Go than go.mod asks for", want)
}

// TestDockerfileBuildIsStatic runs the Dockerfile's go build here and
// checks that the result needs no dynamic loader, as scratch has none.
func TestDockerfileBuildIsStatic(t *testing.T) {
	if testing.Short() || runtime.GOOS != "linux" {
		t.Skip("builds credgen; Linux only")
	}
	var cmd string
	for _, in := range readDockerfile(t) {
		if in.op == "RUN" && goBuild.MatchString(in.args) {
			cmd = in.args
		}
	}
	out := filepath.Join(t.TempDir(), "credgen")
	m := goBuild.FindStringSubmatch(cmd)
	cmd = strings.Replace(cmd, "-o "+m[1], "-o "+out, 1)
	build := exec.Command("sh", "-c", cmd)
	build.Dir = ".."
	if msg, err := build.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", cmd, err, msg)
	}
	f, err := elf.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("the binary asks for a dynamic loader; scratch has none")
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Errorf("the binary links %v", libs)
	}
}
