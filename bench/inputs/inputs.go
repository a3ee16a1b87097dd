// Package inputs makes the user files credgen's whole-process benchmarks
// start from: a netrc, a pip.conf and a uv.toml of a given size, as a user
// who already has many machines and indexes would have them. Managed index
// URLs are written bare; credgen's first write embeds the credentials.
package inputs

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
)

// DefaultIndex is the managed default index of every benchmark home.
const DefaultIndex = "https://libraries.cgr.dev/python/simple/"

// managedEvery makes every tenth index a managed Chainguard repository; the
// others are mirrors on hosts no provider recognises.
const managedEvery = 10

// Size is how much the user has in their files before credgen adds its own.
type Size struct {
	Machines int // netrc machines of the user's (credgen adds one more)
	Indexes  int // index URLs in pip.conf, [[index]] tables in uv.toml, the default index included
}

// Small is the demo's home: one machine of the user's, one index.
var Small = Size{Machines: 1, Indexes: 1}

// Large is the largest home credgen is measured on: a 10,000-machine netrc once credgen has
// added its machine, pip.conf and uv.toml with 200 indexes (20 managed).
var Large = Size{Machines: 9999, Indexes: 200}

// Paths are the three outputs in a home, where credgen looks by default with
// XDG_CONFIG_HOME=HOME/.config.
type Paths struct{ Netrc, PipConf, UVToml string }

// PathsIn returns the output paths of home.
func PathsIn(home string) Paths {
	return Paths{
		Netrc:   filepath.Join(home, ".netrc"),
		PipConf: filepath.Join(home, ".config", "pip", "pip.conf"),
		UVToml:  filepath.Join(home, ".config", "uv", "uv.toml"),
	}
}

// Write creates home's three files for size (folders 0700, files 0600).
func Write(home string, size Size) (Paths, error) {
	p := PathsIn(home)
	files := map[string][]byte{p.Netrc: Netrc(size.Machines), p.PipConf: PipConf(size.Indexes), p.UVToml: UVToml(size.Indexes)}
	for path, data := range files {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return Paths{}, fmt.Errorf("create folder of %s: %w", path, err)
		}
		if err := os.WriteFile(path, data, 0o600); err != nil {
			return Paths{}, fmt.Errorf("write %s: %w", path, err)
		}
	}
	return p, nil
}

// Netrc is a netrc of n machines: one entry per line, a comment every 50.
func Netrc(n int) []byte {
	var b bytes.Buffer
	b.Grow(n * 90)
	for i := range n {
		if i%50 == 0 {
			fmt.Fprintf(&b, "# build hosts %d-%d\n", i, i+49)
		}
		fmt.Fprintf(&b, "machine host%05d.internal.example.com login ci-user-%05d password s3cr3t-%08x\n", i, i, uint32(i*2654435761))
	}
	return b.Bytes()
}

// IndexURL is the i-th index of a home; index 0 is DefaultIndex.
func IndexURL(i int) string {
	switch {
	case i == 0:
		return DefaultIndex
	case Managed(i):
		return fmt.Sprintf("https://libraries.cgr.dev/python-team%04d/simple/", i)
	}
	return fmt.Sprintf("https://mirror%04d.pypi.example.com/simple/", i)
}

// Managed says whether index i is on a host credgen manages.
func Managed(i int) bool { return i%managedEvery == 0 }

// PipConf names n indexes: index-url is the default, the rest are
// extra-index-url continuation lines; with comments and another section.
func PipConf(n int) []byte {
	var b bytes.Buffer
	b.Grow(n * 60)
	fmt.Fprintf(&b, "# pip configuration\n[global]\ntimeout = 60\nindex-url = %s\n", IndexURL(0))
	if n > 1 {
		b.WriteString("extra-index-url =\n")
	}
	for i := 1; i < n; i++ {
		if i%50 == 0 {
			fmt.Fprintf(&b, "    # mirrors %d-%d\n", i, i+49)
		}
		fmt.Fprintf(&b, "    %s\n", IndexURL(i))
	}
	b.WriteString("\n[install]\nno-compile = true\n")
	return b.Bytes()
}

// UVToml has n [[index]] tables, the default first, named as credgen names
// managed ones, with other settings and comments around them.
func UVToml(n int) []byte {
	var b bytes.Buffer
	b.Grow(n * 90)
	b.WriteString("# uv configuration\nnative-tls = false\n\n[pip]\ncompile-bytecode = false\n")
	for i := range n {
		if i%50 == 0 && i > 0 {
			fmt.Fprintf(&b, "\n# mirrors %d-%d", i, i+49)
		}
		fmt.Fprintf(&b, "\n[[index]]\nname = %q\nurl = %q\n", indexName(i), IndexURL(i))
		if i == 0 {
			b.WriteString("default = true\n")
		}
	}
	return b.Bytes()
}

func indexName(i int) string {
	switch {
	case i == 0:
		return "chainguard-python"
	case Managed(i):
		return fmt.Sprintf("chainguard-python-team%04d", i)
	}
	return fmt.Sprintf("mirror%04d", i)
}
