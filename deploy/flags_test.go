package deploy

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// flagSet is the flags one level of credgen's command line accepts: name
// -> whether it takes a value.
type flagSet map[string]bool

// cliFlags are the flags credgen accepts, read from the source that defines
// them so that a renamed or dropped flag fails this test.
type cliFlags struct {
	global   flagSet
	commands map[string]flagSet // write, watch
}

var flagDef = regexp.MustCompile(`&cli\.(\w+)Flag\{Name:\s*"([^"]+)"`)

// funcBody is the text of func name in src, up to its closing brace at the
// start of a line.
func funcBody(src, name string) (string, error) {
	start := strings.Index(src, "func "+name+"(")
	if start < 0 {
		return "", fmt.Errorf("no func %s", name)
	}
	end := strings.Index(src[start:], "\n}\n")
	if end < 0 {
		return "", fmt.Errorf("func %s has no end", name)
	}
	return src[start : start+end], nil
}

func flagsIn(body string) flagSet {
	fs := flagSet{}
	for _, m := range flagDef.FindAllStringSubmatch(body, -1) {
		fs[m[2]] = m[1] != "Bool"
	}
	return fs
}

func readCLIFlags(t *testing.T) cliFlags {
	t.Helper()
	src := func(file string) string {
		data, err := os.ReadFile(filepath.Join("..", "cmd", "credgen", file))
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	body := func(file, fn string) string {
		b, err := funcBody(src(file), fn)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		return b
	}
	output := flagsIn(body("flags.go", "outputFlags"))
	withOutput := func(file, fn string) flagSet {
		b := body(file, fn)
		if !strings.Contains(b, "outputFlags()") {
			t.Fatalf("%s: %s no longer takes outputFlags(); update this test", file, fn)
		}
		fs := flagsIn(b)
		for k, v := range output {
			fs[k] = v
		}
		return fs
	}
	f := cliFlags{
		global: flagsIn(body("flags.go", "globalFlags")),
		commands: map[string]flagSet{
			"write": withOutput("write.go", "writeCommand"),
			"watch": withOutput("watch.go", "watchCommand"),
		},
	}
	for _, need := range []string{"targets", "index", "netrc"} {
		if _, ok := f.commands["write"][need]; !ok {
			t.Fatalf("flag reader found no --%s in cmd/credgen: it no longer matches the source", need)
		}
	}
	return f
}

// invocation is a parsed credgen command line.
type invocation struct {
	command string
	flags   map[string][]string // name -> values ("" for a bool flag)
}

// parse reads args as credgen's command-line library does: global flags,
// the command, its flags; "--name value" and "--name=value" both work.
func (f cliFlags) parse(args []string) (invocation, error) {
	inv := invocation{flags: map[string][]string{}}
	level := f.global
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") {
			if inv.command != "" {
				return inv, fmt.Errorf("unexpected argument %q after %s", a, inv.command)
			}
			fs, ok := f.commands[a]
			if !ok {
				return inv, fmt.Errorf("%q is not a credgen command this deployment may run", a)
			}
			inv.command, level = a, fs
			continue
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		takesValue, ok := level[name]
		if !ok {
			return inv, fmt.Errorf("credgen %s has no flag --%s", inv.command, name)
		}
		if takesValue && !hasValue {
			if i+1 >= len(args) {
				return inv, fmt.Errorf("--%s needs a value", name)
			}
			i++
			value = args[i]
		}
		inv.flags[name] = append(inv.flags[name], value)
	}
	if inv.command == "" {
		return inv, fmt.Errorf("no credgen command in %q", args)
	}
	return inv, nil
}
