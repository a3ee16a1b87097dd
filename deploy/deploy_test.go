package deploy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// The parts of Kubernetes objects the checks read.
type object struct {
	Kind       string                `yaml:"kind"`
	Metadata   struct{ Name string } `yaml:"metadata"`
	Data       map[string]string     `yaml:"data"`
	StringData map[string]string     `yaml:"stringData"`
	Spec       struct {
		Template struct {
			Spec podSpec `yaml:"spec"`
		} `yaml:"template"`
	} `yaml:"spec"`
}

type podSpec struct {
	SecurityContext securityContext `yaml:"securityContext"`
	Volumes         []volume        `yaml:"volumes"`
	InitContainers  []container     `yaml:"initContainers"`
	Containers      []container     `yaml:"containers"`
}

type volume struct {
	Name     string `yaml:"name"`
	EmptyDir *struct {
		Medium string `yaml:"medium"`
	} `yaml:"emptyDir"`
}

type container struct {
	Name            string          `yaml:"name"`
	Image           string          `yaml:"image"`
	Command         []string        `yaml:"command"`
	Args            []string        `yaml:"args"`
	Env             []envVar        `yaml:"env"`
	VolumeMounts    []volumeMount   `yaml:"volumeMounts"`
	SecurityContext securityContext `yaml:"securityContext"`
}

type envVar struct {
	Name      string `yaml:"name"`
	Value     string `yaml:"value"`
	ValueFrom *struct {
		SecretKeyRef *struct {
			Name string `yaml:"name"`
			Key  string `yaml:"key"`
		} `yaml:"secretKeyRef"`
	} `yaml:"valueFrom"`
}

type volumeMount struct {
	Name        string `yaml:"name"`
	MountPath   string `yaml:"mountPath"`
	SubPath     string `yaml:"subPath"`
	SubPathExpr string `yaml:"subPathExpr"`
	ReadOnly    bool   `yaml:"readOnly"`
}

type securityContext struct {
	RunAsNonRoot             *bool  `yaml:"runAsNonRoot"`
	RunAsUser                *int64 `yaml:"runAsUser"`
	ReadOnlyRootFilesystem   *bool  `yaml:"readOnlyRootFilesystem"`
	AllowPrivilegeEscalation *bool  `yaml:"allowPrivilegeEscalation"`
}

// manifest is one YAML document: its typed view and the raw tree.
type manifest struct {
	file string
	obj  object
	raw  any
}

// readManifests reads every kubernetes/*.yaml file.
func readManifests(t *testing.T) map[string][]byte {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("kubernetes", "*.yaml"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no manifests in kubernetes/: %v", err)
	}
	files := map[string][]byte{}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		files[p] = data
	}
	return files
}

// decodeManifests splits files into YAML documents (anchors and aliases
// resolved, as kubectl does).
func decodeManifests(files map[string][]byte) ([]manifest, error) {
	var ms []manifest
	names := slices.Sorted(maps.Keys(files))
	for _, p := range names {
		dec := yaml.NewDecoder(bytes.NewReader(files[p]))
		for {
			var n yaml.Node
			err := dec.Decode(&n)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return nil, fmt.Errorf("%s: %w", p, err)
			}
			m := manifest{file: p}
			if err := n.Decode(&m.obj); err != nil {
				return nil, fmt.Errorf("%s: %w", p, err)
			}
			if err := n.Decode(&m.raw); err != nil {
				return nil, fmt.Errorf("%s: %w", p, err)
			}
			ms = append(ms, m)
		}
	}
	return ms, nil
}

// The variables credgen's containers need, and where they must point.
var (
	mendaVars = []string{"MENDA_CLIENT_ID", "MENDA_CLIENT_SECRET", "MENDA_HOST"}
	// With a read-only root filesystem these must sit on a writable volume.
	writableDirVars = []string{"HOME", "XDG_STATE_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"}
)

// secretLooking names variables whose value must come from a Secret.
var secretLooking = regexp.MustCompile(`(?i)secret|password|token|client_id|^MENDA_`)

// pod is one pod template with the names the checks report.
type pod struct {
	where  string
	spec   podSpec
	byName map[string]volume
}

func (p pod) all() []container {
	return append(slices.Clone(p.spec.InitContainers), p.spec.Containers...)
}

// mountOf is the mount of c that holds file (an absolute path), with the
// path inside the volume.
func mountOf(c container, file string) (volumeMount, string, bool) {
	file = path.Clean(file)
	for _, m := range c.VolumeMounts {
		mp := path.Clean(m.MountPath)
		if rel, ok := strings.CutPrefix(file, mp+"/"); ok {
			return m, rel, true
		}
	}
	return volumeMount{}, "", false
}

func envValue(c container, name string) (envVar, bool) {
	for _, e := range c.Env {
		if e.Name == name {
			return e, true
		}
	}
	return envVar{}, false
}

func isCredgen(c container) bool { return strings.Contains(c.Image, "credgen") }

// checkManifests lists every way the manifests disagree with each other or
// with credgen.
func checkManifests(ms []manifest, flags cliFlags) []error {
	var errs []error
	fail := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	secrets := map[string]map[string]bool{}
	var pods []pod
	for _, m := range ms {
		walkKeys(m.raw, func(key string) {
			if key == "subPath" || key == "subPathExpr" {
				fail("%s: a %s mount never sees the file credgen renames into place; mount the folder", m.file, key)
			}
		})
		switch m.obj.Kind {
		case "Secret":
			keys := map[string]bool{}
			for k := range m.obj.Data {
				keys[k] = true
			}
			for k := range m.obj.StringData {
				keys[k] = true
			}
			secrets[m.obj.Metadata.Name] = keys
		case "Deployment", "StatefulSet", "DaemonSet", "Job":
			p := pod{where: m.file + ": " + m.obj.Kind + " " + m.obj.Metadata.Name, spec: m.obj.Spec.Template.Spec, byName: map[string]volume{}}
			for _, v := range p.spec.Volumes {
				p.byName[v.Name] = v
			}
			pods = append(pods, p)
		}
	}
	if len(pods) == 0 {
		fail("no pod template in the manifests")
	}
	for _, p := range pods {
		errs = append(errs, checkPod(p, secrets, flags)...)
	}
	return errs
}

func checkPod(p pod, secrets map[string]map[string]bool, flags cliFlags) []error {
	var errs []error
	fail := func(format string, a ...any) { errs = append(errs, fmt.Errorf(p.where+": "+format, a...)) }
	mounted := map[string]bool{}
	netrcAt := map[string]string{} // container -> volume/path of its NETRC
	commands := map[string][]string{}
	var appReads bool
	for _, c := range p.all() {
		for _, m := range c.VolumeMounts {
			mounted[m.Name] = true
			if _, ok := p.byName[m.Name]; !ok {
				fail("container %s mounts %s, which is no volume of the pod", c.Name, m.Name)
			}
		}
		errs = append(errs, checkSecurity(p, c)...)
		errs = append(errs, checkSecretEnv(p, c, secrets)...)
		if e, ok := envValue(c, "NETRC"); ok {
			m, rel, ok := mountOf(c, e.Value)
			v := p.byName[m.Name]
			switch {
			case !ok:
				fail("container %s: NETRC %s is on no mounted volume", c.Name, e.Value)
			case v.EmptyDir == nil || v.EmptyDir.Medium != "Memory":
				fail("container %s: NETRC is on volume %s, which is not an in-memory emptyDir", c.Name, m.Name)
			default:
				netrcAt[c.Name] = m.Name + "/" + rel
				appReads = appReads || !isCredgen(c)
			}
		}
		if isCredgen(c) {
			cmd, err := checkCredgen(p, c, flags)
			if err != nil {
				errs = append(errs, err...)
			}
			commands[cmd] = append(commands[cmd], c.Name)
		}
	}
	for name := range p.byName {
		if !mounted[name] {
			fail("volume %s is mounted by no container", name)
		}
	}
	if places := slices.Compact(slices.Sorted(maps.Values(netrcAt))); len(places) > 1 {
		fail("the containers' NETRC point at different files: %v", netrcAt)
	}
	if !appReads {
		fail("no application container reads the netrc through NETRC")
	}
	for _, c := range p.spec.InitContainers {
		if isCredgen(c) && !slices.Contains(commands["write"], c.Name) {
			fail("init container %s must run credgen write (it has to finish)", c.Name)
		}
	}
	for _, c := range p.spec.Containers {
		if isCredgen(c) && !slices.Contains(commands["watch"], c.Name) {
			fail("sidecar %s must run credgen watch", c.Name)
		}
	}
	if len(commands["write"]) == 0 || len(commands["watch"]) == 0 {
		fail("want an init container running credgen write and a sidecar running credgen watch, have %v", commands)
	}
	return errs
}

// checkCredgen checks a credgen container's command line, and that its
// files land where the pod shares and keeps them.
func checkCredgen(p pod, c container, flags cliFlags) (string, []error) {
	var errs []error
	fail := func(format string, a ...any) {
		errs = append(errs, fmt.Errorf(p.where+": container "+c.Name+": "+format, a...))
	}
	if len(c.Command) > 0 {
		fail("sets command %q; leave it to the image's ENTRYPOINT", c.Command)
	}
	inv, err := flags.parse(c.Args)
	if err != nil {
		fail("%v", err)
		return "", errs
	}
	targets := inv.flags["targets"]
	if len(targets) != 1 || !slices.Contains(strings.Split(targets[0], ","), "netrc") {
		fail("--targets must be given once and include netrc, have %q", targets)
	}
	if len(inv.flags["index"])+len(inv.flags["default-index"]) == 0 {
		fail("names no --index")
	}
	netrc := inv.flags["netrc"]
	if e, ok := envValue(c, "NETRC"); ok {
		netrc = append(netrc, e.Value)
	}
	if len(netrc) == 0 {
		fail("neither --netrc nor NETRC: credgen would write ~/.netrc, which no other container sees")
	}
	for _, n := range netrc {
		if m, _, ok := mountOf(c, n); !ok || m.ReadOnly {
			fail("the netrc %s is not on a writable mount", n)
		}
	}
	for _, name := range writableDirVars {
		e, ok := envValue(c, name)
		if !ok {
			fail("%s is unset: credgen would write under the read-only root filesystem", name)
			continue
		}
		if m, _, ok := mountOf(c, e.Value+"/x"); !ok || m.ReadOnly {
			fail("%s=%s is not on a writable mount", name, e.Value)
		}
	}
	for _, name := range mendaVars {
		if _, ok := envValue(c, name); !ok {
			fail("%s is unset", name)
		}
	}
	return inv.command, errs
}

// checkSecretEnv: a variable that looks secret comes from a Secret key the
// manifests define, never from a literal value.
func checkSecretEnv(p pod, c container, secrets map[string]map[string]bool) []error {
	var errs []error
	for _, e := range c.Env {
		if !secretLooking.MatchString(e.Name) {
			continue
		}
		if e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil {
			errs = append(errs, fmt.Errorf("%s: container %s: %s must come from a secretKeyRef", p.where, c.Name, e.Name))
			continue
		}
		ref := e.ValueFrom.SecretKeyRef
		if keys, ok := secrets[ref.Name]; !ok || !keys[ref.Key] {
			errs = append(errs, fmt.Errorf("%s: container %s: %s refers to %s/%s, which the manifests do not define", p.where, c.Name, e.Name, ref.Name, ref.Key))
		}
	}
	return errs
}

// checkSecurity: unprivileged, on a read-only root filesystem.
func checkSecurity(p pod, c container) []error {
	var errs []error
	fail := func(what string) {
		errs = append(errs, fmt.Errorf("%s: container %s: %s", p.where, c.Name, what))
	}
	isTrue := func(b *bool) bool { return b != nil && *b }
	if !isTrue(c.SecurityContext.RunAsNonRoot) && !isTrue(p.spec.SecurityContext.RunAsNonRoot) {
		fail("runAsNonRoot is not set")
	}
	for _, uid := range []*int64{c.SecurityContext.RunAsUser, p.spec.SecurityContext.RunAsUser} {
		if uid != nil && *uid == 0 {
			fail("runs as root")
		}
	}
	if !isTrue(c.SecurityContext.ReadOnlyRootFilesystem) {
		fail("readOnlyRootFilesystem is not true")
	}
	if c.SecurityContext.AllowPrivilegeEscalation == nil || *c.SecurityContext.AllowPrivilegeEscalation {
		fail("allowPrivilegeEscalation is not false")
	}
	return errs
}

// walkKeys calls fn for every mapping key in a decoded YAML tree.
func walkKeys(v any, fn func(string)) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			fn(k)
			walkKeys(x, fn)
		}
	case []any:
		for _, x := range v {
			walkKeys(x, fn)
		}
	}
}

func TestManifests(t *testing.T) {
	ms, err := decodeManifests(readManifests(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range checkManifests(ms, readCLIFlags(t)) {
		t.Error(err)
	}
}

// TestManifestChecksCatch breaks the deployment in the ways the checks are
// for and expects each to be caught.
func TestManifestChecksCatch(t *testing.T) {
	files := readManifests(t)
	flags := readCLIFlags(t)
	const deployment = "kubernetes/deployment.yaml"
	cases := []struct {
		name, old, new, want string
	}{
		{"subPath mount", "              mountPath: /credentials\n              readOnly: true", "              mountPath: /credentials/netrc\n              subPath: netrc\n              readOnly: true", "subPath"},
		{"unknown flag", "            - --targets\n            - netrc\n            - --index", "            - --target\n            - netrc\n            - --index", "no flag --target"},
		{"unknown command", "            - write\n", "            - login\n", "not a credgen command"},
		{"netrc outside the shared folder", "            - name: NETRC\n              value: /credentials/netrc\n            - name: PIP_INDEX_URL", "            - name: NETRC\n              value: /tmp/netrc\n            - name: PIP_INDEX_URL", "not an in-memory emptyDir"},
		{"NETRC paths differ", "            - name: NETRC\n              value: /credentials/netrc\n            - name: PIP_INDEX_URL", "            - name: NETRC\n              value: /credentials/.netrc\n            - name: PIP_INDEX_URL", "different files"},
		{"disk emptyDir", "            medium: Memory\n            sizeLimit: 1Mi", "            sizeLimit: 1Mi", "not an in-memory emptyDir"},
		{"literal secret", "            - name: MENDA_CLIENT_SECRET\n              valueFrom:\n                secretKeyRef:\n                  name: credgen-menda\n                  key: client-secret", "            - name: MENDA_CLIENT_SECRET\n              value: hunter2", "must come from a secretKeyRef"},
		{"missing secret key", "key: client-secret", "key: client-secrets", "do not define"},
		{"state on the root filesystem", "              value: /var/lib/credgen/state", "              value: /state", "XDG_STATE_HOME=/state is not on a writable mount"},
		{"writable root filesystem", "            readOnlyRootFilesystem: true", "            readOnlyRootFilesystem: false", "readOnlyRootFilesystem"},
		{"root", "        runAsNonRoot: true", "        runAsNonRoot: false", "runAsNonRoot"},
		{"undeclared volume", "        - name: app-tmp\n          emptyDir: {}\n", "", "no volume of the pod"},
		{"watch as init", "            - watch\n", "            - write\n", "must run credgen watch"},
		{"no targets", "            - --targets\n            - netrc\n            - --index\n            - https://acme-123456789012.d.codeartifact.us-east-1.amazonaws.com/pypi/internal/simple/\n          env: &", "            - --index\n            - https://acme-123456789012.d.codeartifact.us-east-1.amazonaws.com/pypi/internal/simple/\n          env: &", "--targets must be given"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			broken := maps.Clone(files)
			text := string(broken[deployment])
			if !strings.Contains(text, c.old) {
				t.Fatalf("the deployment no longer holds %q; update the case", c.old)
			}
			broken[deployment] = []byte(strings.Replace(text, c.old, c.new, 1))
			ms, err := decodeManifests(broken)
			if err != nil {
				t.Fatal(err)
			}
			var all []string
			for _, err := range checkManifests(ms, flags) {
				all = append(all, err.Error())
			}
			if !slices.ContainsFunc(all, func(s string) bool { return strings.Contains(s, c.want) }) {
				t.Errorf("want an error with %q, got %q", c.want, all)
			}
		})
	}
}
