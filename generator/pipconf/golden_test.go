package pipconf

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/credgen/credgen/generator/internal/initest"
	"github.com/credgen/credgen/generator/urlcred"
)

var update = flag.Bool("update", false, "rewrite testdata/golden and the FuzzEdit seeds from the current output")

// The managed indexes of the tests. The secret is fake but is treated as a
// real one: it must never show in an error or a masked file.
const (
	cgrHost    = "libraries.cgr.dev"
	cgrURL     = "https://libraries.cgr.dev/python/simple/"
	cgrUser    = "org/1234" // the "/" must reach the file as %2F
	cgrSecret  = "eyJ.fake-SECRET-token"
	mendaURL   = "https://acme-123456789012.d.codeartifact.us-east-1.amazonaws.com/pypi/internal/simple/"
	cgrWithKey = "https://org%2F1234:eyJ.fake-SECRET-token@libraries.cgr.dev/python/simple/"
)

// edit is one editor call, named for failure messages.
type edit struct {
	name  string
	apply func(*File)
}

func creds(host string) edit {
	return edit{"creds " + host, func(f *File) {
		f.MapURLs(func(raw string) string {
			if urlcred.Host(raw) != host {
				return raw
			}
			return urlcred.With(raw, cgrUser, cgrSecret)
		})
	}}
}

func setIndex(raw string) edit {
	return edit{"set " + raw, func(f *File) { f.SetIndexURL(raw) }}
}

func addExtra(raw string) edit {
	return edit{"add " + raw, func(f *File) { f.AddExtraIndexURL(raw) }}
}

func purge(host string) edit {
	return edit{"purge " + host, func(f *File) {
		f.RemoveURLs(func(raw string) bool { return urlcred.Host(raw) == host })
	}}
}

// goldenCase is a nasty file, the edits made to it, and every index URL the
// result is meant to hold ("section.key url", file order). The output is in
// testdata/golden/NAME.conf.
type goldenCase struct {
	name  string
	in    string
	edits []edit
	want  []string
	pip   bool // also have real pip read the result (0.4 s each)
}

var goldenCases = []goldenCase{
	{
		name:  "empty_file",
		in:    "",
		edits: []edit{setIndex(cgrWithKey), addExtra(mendaURL)},
		want:  []string{"global.index-url " + cgrWithKey, "global.extra-index-url " + mendaURL},
	},
	{
		name: "crlf_refresh",
		in: "# pip config \u2014 by hand\r\n[global]\r\nindex-url = https://old:stale@libraries.cgr.dev/python/simple/\r\n" +
			"extra-index-url =\r\n    https://pypi.org/simple\r\n    https://libraries.cgr.dev/python/simple/\r\ntimeout = 60\r\n\r\n" +
			"[install]\r\ntrusted-host = pypi.org\r\n",
		edits: []edit{creds(cgrHost), addExtra(mendaURL)},
		want: []string{"global.index-url " + cgrWithKey, "global.extra-index-url https://pypi.org/simple",
			"global.extra-index-url " + cgrWithKey, "global.extra-index-url " + mendaURL},
		pip: true,
	},
	{
		name: "tabs_colon_indented_keys",
		in: "[global]\n\tindex-url:\thttps://pypi.org/simple\n\ttimeout:\t30\n\textra-index-url:\n" +
			"\t\thttps://a.example/simple\n\t  \thttps://libraries.cgr.dev/python/simple\n[install]\n\tno-cache-dir: true\n",
		edits: []edit{creds(cgrHost), setIndex(cgrWithKey), addExtra(mendaURL)},
		want: []string{"global.index-url " + cgrWithKey, "global.extra-index-url https://a.example/simple",
			"global.extra-index-url https://org%2F1234:eyJ.fake-SECRET-token@libraries.cgr.dev/python/simple",
			"global.extra-index-url " + mendaURL},
		pip: true,
	},
	{
		name:  "no_spaces_around_equals",
		in:    "[global]\nindex-url=https://pypi.tuna.tsinghua.edu.cn/simple\ntrusted-host=pypi.tuna.tsinghua.edu.cn\n",
		edits: []edit{addExtra(cgrWithKey)},
		want:  []string{"global.index-url https://pypi.tuna.tsinghua.edu.cn/simple", "global.extra-index-url " + cgrWithKey},
	},
	{
		name:  "empty_values",
		in:    "[global]\nindex-url =\nextra-index-url=\ntrusted-host =\n",
		edits: []edit{setIndex(cgrWithKey), addExtra(mendaURL)},
		want:  []string{"global.index-url " + cgrWithKey, "global.extra-index-url " + mendaURL},
	},
	{
		name: "multiline_value_with_comments_and_blank_lines",
		in: "[global]\nextra-index-url =\n    https://pypi.org/simple\n\n    # the private one; credgen refreshes its token\n" +
			"    https://old:stale@libraries.cgr.dev/python/simple/\n; a comment inside the value\n\n" +
			"    https://mirror.example/simple#egg=frag\n\n# end of global\n\n[download]\nextra-index-url = https://libraries.cgr.dev/python/simple/\n",
		edits: []edit{creds(cgrHost), addExtra(mendaURL), setIndex(cgrWithKey)},
		want: []string{"global.extra-index-url https://pypi.org/simple", "global.extra-index-url " + cgrWithKey,
			"global.extra-index-url https://mirror.example/simple#egg=frag", "global.extra-index-url " + mendaURL,
			"global.index-url " + cgrWithKey, "download.extra-index-url " + cgrWithKey},
		pip: true,
	},
	{
		name: "same_key_in_many_sections",
		in: "[global]\nextra-index-url = https://libraries.cgr.dev/python/simple/\n\n" +
			"[install]\nextra-index-url = https://libraries.cgr.dev/python/simple/ https://pypi.org/simple\nindex-url = https://pypi.org/simple\n\n" +
			"[download]\nindex-url = https://libraries.cgr.dev/python/simple/\n[wheel]\nextra_index_url = https://libraries.cgr.dev/python/simple/\n",
		edits: []edit{creds(cgrHost), addExtra(cgrURL)},
		want: []string{"global.extra-index-url " + cgrWithKey, "install.extra-index-url " + cgrWithKey,
			"install.extra-index-url https://pypi.org/simple", "install.index-url https://pypi.org/simple",
			"download.index-url " + cgrWithKey, "wheel.extra-index-url " + cgrWithKey},
		pip: true,
	},
	{
		name: "hash_in_url_and_indented_comments",
		in: "[global]\nindex-url = https://libraries.cgr.dev/python/simple/#main\n  # an indented comment, not a continuation\n" +
			"  ; nor this\nfind-links = https://example.com/links#not-a-comment\n",
		edits: []edit{creds(cgrHost), addExtra(mendaURL)},
		want: []string{"global.index-url https://org%2F1234:eyJ.fake-SECRET-token@libraries.cgr.dev/python/simple/#main",
			"global.extra-index-url " + mendaURL},
		pip: true,
	},
	{
		name:  "no_final_newline",
		in:    "[global]\nindex-url = https://pypi.org/simple\nextra-index-url = https://libraries.cgr.dev/python/simple/",
		edits: []edit{creds(cgrHost), addExtra(mendaURL)},
		want: []string{"global.index-url https://pypi.org/simple", "global.extra-index-url " + cgrWithKey,
			"global.extra-index-url " + mendaURL},
	},
	{
		name:  "no_global_section_no_final_newline",
		in:    "[install]\ntrusted-host = pypi.org",
		edits: []edit{setIndex(cgrWithKey), addExtra(mendaURL)},
		want:  []string{"global.index-url " + cgrWithKey, "global.extra-index-url " + mendaURL},
		pip:   true,
	},
	{
		name:  "crlf_no_global_section",
		in:    "# only install options\r\n[install]\r\ntrusted-host = pypi.org\r\n",
		edits: []edit{addExtra(cgrWithKey)},
		want:  []string{"global.extra-index-url " + cgrWithKey},
	},
	{
		name: "unicode_comments_trailing_spaces",
		in: "; 设置默认镜像源，加速下载\n[global]\n; 清华源 \u2014 fast\nindex-url = https://pypi.tuna.tsinghua.edu.cn/simple   \n" +
			"# \u00dcn\u00efc\u00f6d\u00e9 comment \u2713\ntimeout = 120\n",
		edits: []edit{setIndex(cgrWithKey), addExtra(mendaURL)},
		want:  []string{"global.index-url " + cgrWithKey, "global.extra-index-url " + mendaURL},
	},
	{
		name: "purge",
		in: "[global]\nindex-url = https://_token:old@libraries.cgr.dev/python/simple/\nextra-index-url =\n    https://pypi.org/simple\n" +
			"    # keep this comment\n    https://libraries.cgr.dev/python/simple/ https://mirror.example/simple\n" +
			"[install]\nextra-index-url = https://libraries.cgr.dev/python/simple/\n    https://u:p@libraries.cgr.dev/python/simple/\n" +
			"trusted-host = libraries.cgr.dev\n",
		edits: []edit{purge(cgrHost)},
		want:  []string{"global.extra-index-url https://pypi.org/simple", "global.extra-index-url https://mirror.example/simple"},
		pip:   true,
	},
	{
		name:  "purge_middle_of_one_line",
		in:    "[global]\nextra-index-url = https://a.example/  https://libraries.cgr.dev/python/simple/\thttps://c.example/\n",
		edits: []edit{purge(cgrHost)},
		want:  []string{"global.extra-index-url https://a.example/", "global.extra-index-url https://c.example/"},
	},
	{
		name:  "multiline_index_url_replaced",
		in:    "[global]\nindex-url =\n    https://pypi.org/simple\n    # old mirror\ntrusted-host = pypi.org\n",
		edits: []edit{setIndex(cgrWithKey)},
		want:  []string{"global.index-url " + cgrWithKey},
	},
	{
		name:  "key_spellings",
		in:    "[global]\nIndex_URL = https://pypi.org/simple\n--extra-index-url = https://libraries.cgr.dev/python/simple/\n",
		edits: []edit{creds(cgrHost), setIndex(cgrWithKey), addExtra(mendaURL)},
		want: []string{"global.index-url " + cgrWithKey, "global.extra-index-url " + cgrWithKey,
			"global.extra-index-url " + mendaURL},
		pip: true,
	},
	{
		name: "indented_keys_aligned_continuations",
		in: "[global]\n  index-url = https://pypi.doubanio.com/simple\n  trusted-host = pypi.doubanio.com\n                 libraries.cgr.dev\n\n" +
			"[install]\ntrusted-host = pypi.org\n               pypi.python.org\n",
		edits: []edit{addExtra(cgrWithKey)},
		want:  []string{"global.index-url https://pypi.doubanio.com/simple", "global.extra-index-url " + cgrWithKey},
	},
	{
		name:  "aligned_extra_index_url",
		in:    "[global]\nextra-index-url = https://pypi.org/simple\n                  https://a.example/simple\n",
		edits: []edit{addExtra(mendaURL)},
		want: []string{"global.extra-index-url https://pypi.org/simple", "global.extra-index-url https://a.example/simple",
			"global.extra-index-url " + mendaURL},
	},
	{
		name:  "whitespace_line_and_indented_header",
		in:    "; 放到 %APPDATA%\\pip\\\n\n [global]\nindex-url = https://mirrors.aliyun.com/pypi/simple/\n \n[install]\ntrusted-host = mirrors.aliyun.com",
		edits: []edit{setIndex(cgrWithKey), addExtra(mendaURL)},
		want:  []string{"global.index-url " + cgrWithKey, "global.extra-index-url " + mendaURL},
		pip:   true,
	},
	{
		name:  "classic_mac_cr",
		in:    "[global]\rindex-url = https://pypi.org/simple\r",
		edits: []edit{addExtra(cgrWithKey)},
		want:  []string{"global.index-url https://pypi.org/simple", "global.extra-index-url " + cgrWithKey},
		pip:   true,
	},
	{
		name:  "default_section",
		in:    "[DEFAULT]\nextra-index-url = https://libraries.cgr.dev/python/simple/\n[global]\ntimeout = 5\n",
		edits: []edit{creds(cgrHost), addExtra(cgrURL)},
		want:  []string{"DEFAULT.extra-index-url " + cgrWithKey},
	},
	{
		name: "already_current",
		in: "[global]\nindex-url = " + cgrWithKey + "\nextra-index-url =\n    " + mendaURL + "\n\n" +
			"[install]\ntrusted-host = libraries.cgr.dev\n",
		edits: []edit{creds(cgrHost), setIndex(cgrWithKey), addExtra(mendaURL), addExtra(cgrURL)},
		want:  []string{"global.index-url " + cgrWithKey, "global.extra-index-url " + mendaURL},
	},
}

// goldenRun is one case's input and output, kept for the readers.
type goldenRun struct {
	c         goldenCase
	in, out   []byte
	inF, outF *File
}

func TestGolden(t *testing.T) {
	var runs []goldenRun
	for _, c := range goldenCases {
		t.Run(c.name, func(t *testing.T) {
			runs = append(runs, runGolden(t, c))
		})
	}
	if *update {
		writeFuzzSeeds(t)
	}
	t.Run("configparser", func(t *testing.T) { checkWithConfigparser(t, runs) })
	t.Run("pip", func(t *testing.T) { checkWithPip(t, runs) })
}

// runGolden edits c's input, compares with the golden file and checks what
// the editor itself can: round trip, meant URLs, idempotence, untouched keys.
func runGolden(t *testing.T, c goldenCase) goldenRun {
	in := []byte(c.in)
	f, err := Parse(in)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if !bytes.Equal(f.Bytes(), in) {
		t.Fatalf("Parse(x).Bytes() != x:\n%q", f.Bytes())
	}
	before := viewOf(f)
	for _, e := range c.edits {
		e.apply(f)
	}
	out := f.Bytes()
	initest.CompareGolden(t, filepath.Join("testdata", "golden", c.name+".conf"), out, *update)

	g, err := Parse(out)
	if err != nil {
		t.Fatalf("output does not parse: %v\n%s", err, out)
	}
	if got := describeURLs(g); !slices.Equal(got, c.want) {
		t.Errorf("index URLs:\n got %q\nwant %q", got, c.want)
	}
	if !unmanagedEqual(before, viewOf(g)) {
		t.Errorf("keys credgen does not manage changed:\nbefore %v\nafter %v", before.unmanaged(), viewOf(g).unmanaged())
	}
	for _, e := range c.edits {
		e.apply(g)
	}
	if again := g.Bytes(); !bytes.Equal(again, out) {
		t.Errorf("edits are not idempotent; second pass gave:\n%s", again)
	}
	return goldenRun{c: c, in: in, out: out, inF: mustParse(t, in), outF: mustParse(t, out)}
}

func mustParse(t *testing.T, data []byte) *File {
	t.Helper()
	return initest.MustParse(t, data, Parse)
}

// describeURLs renders IndexURLs as "section.key url".
func describeURLs(f *File) []string {
	var out []string
	for _, u := range f.IndexURLs() {
		out = append(out, u.Section+"."+u.Key+" "+u.URL)
	}
	return out
}

// checkWithConfigparser has Python read every input and output: it must
// read them exactly as the editor does, and the keys credgen does not manage
// must read the same before and after.
func checkWithConfigparser(t *testing.T, runs []goldenRun) {
	files := map[string][]byte{}
	for _, r := range runs {
		files[r.c.name+".in"] = r.in
		files[r.c.name+".out"] = r.out
	}
	py := configparserRead(t, files)
	for _, r := range runs {
		in, out := py[r.c.name+".in"], py[r.c.name+".out"]
		if in.Error != "" || out.Error != "" {
			t.Errorf("%s: configparser failed: in %s line %d; out %s line %d", r.c.name, in.Error, in.Line, out.Error, out.Line)
			continue
		}
		if !in.View.equal(viewOf(r.inF)) {
			t.Errorf("%s: configparser reads the input as\n%v\nthe editor as\n%v", r.c.name, in.View, viewOf(r.inF))
		}
		if !out.View.equal(viewOf(r.outF)) {
			t.Errorf("%s: configparser reads the output as\n%v\nthe editor as\n%v", r.c.name, out.View, viewOf(r.outF))
		}
		if !unmanagedEqual(in.View, out.View) {
			t.Errorf("%s: configparser sees unmanaged keys change:\n%v\n%v", r.c.name, in.View.unmanaged(), out.View.unmanaged())
		}
	}
}

// checkWithPip has real pip read the outputs of the cases marked pip, in
// parallel: it must list every key as the editor reads it, and each section's
// index URLs must be the ones the case meant.
func checkWithPip(t *testing.T, runs []goldenRun) {
	r := newPipRunner(t)
	for _, run := range runs {
		if !run.c.pip {
			continue
		}
		t.Run(run.c.name, func(t *testing.T) {
			t.Parallel()
			listed := r.list(t, run.out)
			want := r.pipExpect(run.outF)
			for k := range union(listed, want) {
				if listed[k] != want[k] {
					t.Errorf("pip lists %s=%q, the editor reads %q", k, listed[k], want[k])
				}
			}
			for key, urls := range meantURLs(run.c.want) {
				if got := strings.Fields(listed[key]); !slices.Equal(got, urls) {
					t.Errorf("pip sees %s %q, meant %q", key, got, urls)
				}
			}
		})
	}
}

// meantURLs groups a case's "section.key url" list by section.key.
func meantURLs(want []string) map[string][]string {
	m := map[string][]string{}
	for _, w := range want {
		key, url, _ := strings.Cut(w, " ")
		m[key] = append(m[key], url)
	}
	return m
}

func union(a, b map[string]string) map[string]bool {
	u := map[string]bool{}
	for k := range a {
		u[k] = true
	}
	for k := range b {
		u[k] = true
	}
	return u
}

// writeFuzzSeeds stores each golden input as a FuzzEdit seed.
func writeFuzzSeeds(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzEdit")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, c := range goldenCases {
		seed := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\nstring(%q)\n", c.in, cgrWithKey)
		if err := os.WriteFile(filepath.Join(dir, c.name), []byte(seed), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
