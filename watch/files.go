package watch

import (
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/credgen/credgen/generator/atomicfile"
)

// maxFoldersPerTarget bounds the folders watched below one watched folder (chainctl's cache holds a
// handful; a mistaken path like $HOME must not exhaust the inotify watches).
const maxFoldersPerTarget = 256

// maxReconcileRounds bounds how often reconcileLocked looks again for folders that appeared meanwhile.
const maxReconcileRounds = 32

// fileWatcher reports which watched paths may have changed; the caller decides whether they did, by
// digest. It watches folders, never files: an atomic rename replaces a file's inode, so a watch on the
// file itself would go stale. For each watched path it watches
//   - the nearest existing folder on its parent chain (so `~/.menda/tokens/cache/.token` is found before
//     `~/.menda` exists, moving down as folders appear),
//   - every folder below it when the path is a folder (fsnotify is not recursive),
//   - the same for the real target when the path is a symlink.
//
// Folder paths are resolved through symlinks, so event names are real paths.
type fileWatcher struct {
	fs       *fsnotify.Watcher
	log      *slog.Logger
	quiet    time.Duration // debounce: notify once events stop for this long...
	maxDelay time.Duration // ...or this long after the first, whichever is sooner
	ready    chan struct{} // one pending notification at most
	done     chan struct{}

	mu        sync.Mutex
	targets   map[string][]string    // watched path → the real paths it stands for (link, target)
	watching  map[string]os.FileInfo // folders given to fsnotify, with the folder watched
	addFailed map[string]bool        // folders fsnotify refused, logged once each
	dirty     map[string]bool        // watched paths touched since the last takeDirty
}

func newFileWatcher(log *slog.Logger, quiet time.Duration) (*fileWatcher, error) {
	fsw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, fmt.Errorf("start file watcher: %w", err)
	}
	w := &fileWatcher{
		fs:        fsw,
		log:       log,
		quiet:     quiet,
		maxDelay:  3 * quiet,
		ready:     make(chan struct{}, 1),
		done:      make(chan struct{}),
		targets:   map[string][]string{},
		watching:  map[string]os.FileInfo{},
		addFailed: map[string]bool{},
		dirty:     map[string]bool{},
	}
	go w.run()
	return w, nil
}

// close stops watching and waits for the event goroutine to end.
func (w *fileWatcher) close() error {
	err := w.fs.Close()
	<-w.done
	if err != nil {
		return fmt.Errorf("close file watcher: %w", err)
	}
	return nil
}

// changed receives a value once some watched path may have changed (debounced); takeDirty says which.
func (w *fileWatcher) changed() <-chan struct{} { return w.ready }

// takeDirty returns the watched paths touched since the last call.
func (w *fileWatcher) takeDirty() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	paths := make([]string, 0, len(w.dirty))
	for p := range w.dirty {
		paths = append(paths, p)
	}
	clear(w.dirty)
	return paths
}

// setTargets replaces the watched paths (absolute, cleaned) and adjusts the folder watches.
func (w *fileWatcher) setTargets(paths []string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.targets = make(map[string][]string, len(paths))
	for _, p := range paths {
		w.targets[p] = nil
	}
	w.reconcileLocked()
}

// refresh re-resolves every watched path; the loop calls it periodically as a safety net for folder
// changes no event told us about (an ancestor renamed away keeps its inotify watch on the old inode).
func (w *fileWatcher) refresh() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.reconcileLocked()
}

func (w *fileWatcher) run() {
	defer close(w.done)
	debounce := time.NewTimer(time.Hour)
	debounce.Stop()
	var pendingSince time.Time
	for {
		select {
		case ev, ok := <-w.fs.Events:
			if !ok {
				return
			}
			if w.handle(ev) {
				pendingSince = w.arm(debounce, pendingSince)
			}
		case err, ok := <-w.fs.Errors:
			if !ok {
				return
			}
			// Typically a queue overflow: events were lost, so every path may have changed.
			w.log.Warn("file watcher error; rechecking every watched file", "err", err)
			w.markAll()
			pendingSince = w.arm(debounce, pendingSince)
		case <-debounce.C:
			pendingSince = time.Time{}
			select {
			case w.ready <- struct{}{}:
			default: // a notification is already pending; takeDirty will see the new paths too
			}
		}
	}
}

// arm (re)starts the debounce timer and returns when the pending burst began.
func (w *fileWatcher) arm(t *time.Timer, since time.Time) time.Time {
	now := time.Now()
	if since.IsZero() {
		since = now
	}
	t.Reset(max(min(w.quiet, since.Add(w.maxDelay).Sub(now)), 0))
	return since
}

// handle marks the watched paths an event may concern; it reports whether it marked any.
func (w *fileWatcher) handle(ev fsnotify.Event) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	marked := false
	if ev.Has(fsnotify.Create) || ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename) {
		// Folders may have appeared or gone: move the watches. Whatever was created inside a newly
		// watched folder before its watch existed produced no event, so mark what lies below it.
		for _, added := range w.reconcileLocked() {
			marked = w.markRelatedLocked(added) || marked
		}
	}
	return w.markRelatedLocked(ev.Name) || marked
}

func (w *fileWatcher) markAll() {
	w.mu.Lock()
	defer w.mu.Unlock()
	for p := range w.targets {
		w.dirty[p] = true
	}
}

// markRelatedLocked marks every watched path that name is, lies inside, or contains.
func (w *fileWatcher) markRelatedLocked(name string) bool {
	marked := false
	for p, reals := range w.targets {
		for _, realPath := range reals {
			if related(name, realPath) {
				w.dirty[p] = true
				marked = true
				break
			}
		}
	}
	return marked
}

// reconcileLocked makes the fsnotify watches match the folders the targets need now; it returns the
// folders it started watching. Folders created before their parent's watch existed made no event, so
// after adding watches it looks again, until nothing new turns up (bounded by the path depth).
func (w *fileWatcher) reconcileLocked() (added []string) {
	for range maxReconcileRounds {
		more := w.reconcileOnceLocked()
		if len(more) == 0 {
			break
		}
		added = append(added, more...)
	}
	return added
}

func (w *fileWatcher) reconcileOnceLocked() (added []string) {
	want := map[string]bool{}
	for p := range w.targets {
		reals, folders := locate(p)
		w.targets[p] = reals
		for _, f := range folders {
			want[f] = true
		}
	}
	for folder, watched := range w.watching {
		if current, err := os.Stat(folder); !want[folder] || err != nil || !os.SameFile(watched, current) {
			// Gone, no longer needed, or replaced by another folder of the same name (the watch
			// follows the old inode): drop it; a replacement is added below.
			_ = w.fs.Remove(folder) // fails when the kernel already dropped it with the folder
			delete(w.watching, folder)
		}
	}
	for folder := range want {
		if _, ok := w.watching[folder]; !ok && w.watch(folder) {
			added = append(added, folder)
		}
	}
	return added
}

// watch adds one folder; a refusal (inotify limit, folder vanished) is logged once, and the periodic
// re-check still covers the path.
func (w *fileWatcher) watch(folder string) bool {
	info, err := os.Stat(folder)
	if err == nil {
		err = w.fs.Add(folder)
	}
	if err != nil {
		if !w.addFailed[folder] {
			w.addFailed[folder] = true
			w.log.Warn("cannot watch folder; changes in it are noticed within a minute", "folder", folder, "err", err)
		}
		return false
	}
	delete(w.addFailed, folder)
	w.watching[folder] = info
	return true
}

// locate returns the real paths a watched path stands for (itself with its folder resolved, and its
// target when it is a symlink) and the folders to watch for them.
func locate(path string) (reals, folders []string) {
	link := filepath.Join(canonical(filepath.Dir(path)), filepath.Base(path))
	reals = []string{link}
	if target, err := filepath.EvalSymlinks(link); err == nil && target != link {
		reals = append(reals, target)
	}
	for _, realPath := range reals {
		folders = append(folders, atomicfile.NearestFolder(filepath.Dir(realPath)))
		folders = append(folders, foldersBelow(realPath)...)
	}
	return reals, folders
}

// canonical resolves the symlinks of the longest existing prefix of path and keeps the rest as is.
func canonical(path string) string {
	rest := ""
	for {
		if realPath, err := filepath.EvalSymlinks(path); err == nil {
			return filepath.Join(realPath, rest)
		}
		parent := filepath.Dir(path)
		if parent == path {
			return filepath.Join(path, rest)
		}
		rest = filepath.Join(filepath.Base(path), rest)
		path = parent
	}
}

// foldersBelow lists path and the folders inside it when path is a folder (not a symlink to one: the
// caller passes the real target separately).
func foldersBelow(path string) []string {
	info, err := os.Lstat(path)
	if err != nil || !info.IsDir() {
		return nil
	}
	var folders []string
	_ = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // unreadable or vanished: skip it, keep the rest
		}
		if !d.IsDir() {
			return nil
		}
		if len(folders) == maxFoldersPerTarget {
			return filepath.SkipAll
		}
		folders = append(folders, p)
		return nil
	})
	return folders
}

// related reports whether a and b are the same path or one lies inside the other.
func related(a, b string) bool {
	return a == b || inside(a, b) || inside(b, a)
}

func inside(path, folder string) bool {
	prefix := folder
	if !strings.HasSuffix(prefix, string(filepath.Separator)) {
		prefix += string(filepath.Separator)
	}
	return strings.HasPrefix(path, prefix)
}
