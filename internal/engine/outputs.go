package engine

import (
	"bytes"
	"cmp"
	"errors"

	"github.com/credgen/credgen/generator/atomicfile"
	"github.com/credgen/credgen/generator/urlcred"
	"github.com/credgen/credgen/internal/config"
)

// output is one file a run edits: its kind, its path, what it held when read
// and the parsed document credgen edits.
type output struct {
	kind *outputKind
	path string
	read atomicfile.Content
	doc  document
}

// readOutputs reads and parses every targeted output. Any that cannot be read
// or does not parse stops the run before anything is written.
func readOutputs(s *config.Settings) ([]*output, error) {
	var outs []*output
	for _, name := range s.Targets {
		o, err := readOutput(kindNamed(name), s.Paths[name])
		if err != nil {
			return nil, err
		}
		outs = append(outs, o)
	}
	return outs, nil
}

// readOutput reads and parses the file of kind at path.
func readOutput(kind *outputKind, path string) (*output, error) {
	o := &output{kind: kind, path: path}
	if err := o.reread(); err != nil {
		return nil, err
	}
	return o, nil
}

// reread reads the file again and parses what it holds now.
func (o *output) reread() error {
	data, exists, err := atomicfile.Read(o.path)
	if err != nil {
		return usage("read %s: %v", o.path, cmp.Or(errors.Unwrap(err), err))
	}
	if exists && data == nil {
		data = []byte{} // an empty file, not a missing one
	}
	doc, err := o.kind.parse(data)
	if err != nil {
		return usage("%s: %v (credgen changed nothing; fix the file and run again)", o.path, err)
	}
	o.read, o.doc = atomicfile.Content{Data: data, Exists: exists}, doc
	return nil
}

// changed says whether the document differs from what the file held.
func (o *output) changed() bool { return !bytes.Equal(o.doc.Bytes(), o.read.Data) }

// content is what the file holds after the run: nil when there is no file.
func (o *output) content(written bool) []byte {
	if written || o.read.Exists {
		return o.doc.Bytes()
	}
	return nil
}

// masked shows data of the output's kind with every secret as ****.
func (o *output) masked(data []byte) []byte {
	if doc, err := o.kind.parse(data); err == nil {
		return doc.Masked()
	}
	return []byte("(content hidden: it may hold secrets)\n")
}

// expects says whether o should carry m's credential: m gets an entry of its
// own in this kind, or the file already names it. write, remove and status
// share this one rule.
func (o *output) expects(m *managed) bool {
	return o.kind.receives(m) || o.names(m.URL)
}

// names says whether the file names the index url.
func (o *output) names(url string) bool {
	key := urlcred.Key(url)
	for _, u := range o.doc.IndexURLs() {
		if urlcred.Key(u) == key {
			return true
		}
	}
	return false
}

// checkOwners refuses, before anything is minted, outputs credgen must not
// write: one owned by another user who does not own its folder would hand
// the new credential to that user (or, taken over, break their file).
func checkOwners(outs []*output) error {
	for _, o := range outs {
		if err := atomicfile.CheckOwner(o.path); err != nil {
			return usage("%v", err)
		}
	}
	return nil
}
