package engine

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/aymanbagabas/go-udiff"

	"github.com/credgen/credgen/generator/atomicfile"
)

// maxCommitAttempts bounds how often one output is read again because
// another program keeps changing it while credgen writes.
const maxCommitAttempts = 5

// commit writes every changed output atomically, or under dryRun reports the
// masked diffs. Before writing anything it checks that each new content
// parses back and that no secret goes into a file git tracks. A file that
// another program changed since it was read is read again and edit applied
// to what it holds now: that program's edit is kept.
func (e *Engine) commit(snap *snapshot, outs []*output, edit func(*output) error, dryRun bool, secrets []string) ([]FileOutcome, error) {
	for _, o := range outs {
		if o.changed() {
			if err := e.checkWritable(snap, o, dryRun, secrets); err != nil {
				return nil, err
			}
		}
	}
	var files []FileOutcome
	for _, o := range outs {
		f, err := e.commitOne(snap, o, edit, dryRun, secrets)
		files = append(files, f)
		if err != nil {
			return files, err
		}
	}
	return files, nil
}

// checkWritable refuses content credgen could not read back, and secrets
// bound for a file git tracks.
func (e *Engine) checkWritable(snap *snapshot, o *output, dryRun bool, secrets []string) error {
	data := o.doc.Bytes()
	if _, err := o.kind.parse(data); err != nil {
		return usage("%s: credgen's edit would not parse back (%v); nothing written — please report this", o.path, err)
	}
	if dryRun || !containsSecret(data, secrets) {
		return nil
	}
	return e.trackedPolicy(snap, o)
}

func (e *Engine) commitOne(snap *snapshot, o *output, edit func(*output) error, dryRun bool, secrets []string) (FileOutcome, error) {
	f := FileOutcome{Kind: o.kind.name, Path: o.path, Content: o.content(false)}
	for attempt := 1; o.changed(); attempt++ {
		data := o.doc.Bytes()
		res, err := atomicfile.Write(o.path, data, atomicfile.Options{DryRun: dryRun, Expect: &o.read})
		if errors.Is(err, atomicfile.ErrChanged) && attempt < maxCommitAttempts {
			e.log().Info("file changed while credgen worked; applying credgen's change to what it holds now", "path", o.path)
			if err := e.redo(snap, o, edit, secrets); err != nil {
				return f, err
			}
			f.Content = o.content(false)
			continue
		}
		if errors.Is(err, atomicfile.ErrForeignOwner) {
			return f, &Error{Code: ExitUsage, Err: err}
		}
		if err != nil {
			return f, &Error{Code: ExitMint, Err: err}
		}
		f.Changed, f.Written, f.Created, f.Content = res.Changed, res.Written, res.Created, o.content(res.Written)
		switch {
		case res.Tightened != 0 && dryRun:
			e.log().Warn("would tighten a file that holds secrets to owner-only", "path", res.Path, "is", fmt.Sprintf("%04o", res.Tightened))
		case res.Tightened != 0:
			e.log().Warn("tightened a file that holds secrets to owner-only", "path", res.Path, "was", fmt.Sprintf("%04o", res.Tightened))
		}
		if dryRun {
			f.Diff = udiff.Unified(o.path, o.path+" (credgen)", string(o.masked(o.read.Data)), string(o.masked(data)))
		} else {
			e.log().Info("wrote", "kind", o.kind.name, "path", res.Path)
		}
		return f, nil
	}
	return f, nil
}

// redo reads o again and applies edit to what it holds now.
func (e *Engine) redo(snap *snapshot, o *output, edit func(*output) error, secrets []string) error {
	if err := o.reread(); err != nil {
		return err
	}
	if err := edit(o); err != nil {
		return &Error{Code: ExitMint, Err: fmt.Errorf("%s: %w", o.path, err)}
	}
	if !o.changed() {
		return nil
	}
	return e.checkWritable(snap, o, false, secrets)
}

// containsSecret says whether data holds any of secrets.
func containsSecret(data []byte, secrets []string) bool {
	for _, s := range secrets {
		if s != "" && s != "****" && bytes.Contains(data, []byte(s)) {
			return true
		}
	}
	return false
}
