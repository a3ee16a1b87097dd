package watch

import (
	"context"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"time"
)

const (
	// defaultMinWake: deadlines are re-checked at least this often, so a machine waking from sleep (which
	// stops monotonic timers) renews within a minute.
	defaultMinWake = time.Minute
	// debounceQuiet lets a burst of events (temp file, write, rename) settle; changes are still acted on
	// well within a second.
	debounceQuiet = 150 * time.Millisecond
)

// Options configures Run. Every field is optional.
type Options struct {
	Clock  Clock        // default: the system clock
	Rand   Rand         // jitter source; default: seeded from the system
	Logger *slog.Logger // default: slog.Default()
	// Signals delivers the signals the caller subscribed to (signal.Notify); SIGHUP reloads and writes.
	Signals <-chan os.Signal
	// MinWake is the longest the loop sleeps without re-checking deadlines against Clock.Now
	// (default 1 minute). Each wake-up also re-checks every watched file, in case an event was lost.
	MinWake time.Duration
}

func (o Options) withDefaults() Options {
	if o.Clock == nil {
		o.Clock = systemClock{}
	}
	if o.Rand == nil {
		o.Rand = newSystemRand()
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.MinWake <= 0 {
		o.MinWake = defaultMinWake
	}
	return o
}

// Run writes once, then keeps every credential fresh until ctx is cancelled, when it returns nil
// promptly (the engine's Pass must honour ctx). A failing pass or mint never ends it; it returns an error
// only when file watching cannot start.
//
// Signals: SIGHUP reloads the config and runs a pass; others are ignored (the caller turns SIGINT and
// SIGTERM into ctx cancellation).
func Run(ctx context.Context, e Engine, opts Options) error {
	opts = opts.withDefaults()
	files, err := newFileWatcher(opts.Logger, debounceQuiet)
	if err != nil {
		return err
	}
	defer func() {
		if err := files.close(); err != nil {
			opts.Logger.Warn("stop watching files", "err", err)
		}
	}()
	l := &loop{
		engine:  e,
		opts:    opts,
		log:     opts.Logger,
		sched:   newSchedule(opts.Rand, opts.Logger),
		files:   files,
		watched: map[string][]Watched{},
		seen:    map[string]digest{},
	}
	l.run(ctx)
	return nil
}

// loop is the state of one Run. Everything but the file watcher's event goroutine runs on Run's
// goroutine, so passes never overlap and digests are always compared after the last pass finished.
type loop struct {
	engine  Engine
	opts    Options
	log     *slog.Logger
	sched   *schedule
	files   *fileWatcher
	watched map[string][]Watched // absolute path → what a change to it means
	seen    map[string]digest    // each watched path's digest right after the last pass
}

func (l *loop) run(ctx context.Context) {
	l.log.Info("watch started")
	defer l.log.Info("watch stopped")
	signals := l.opts.Signals
	// Watch and take digests before the first pass, so that a change made while it runs (the config
	// edited, a login) is compared with what was there before rather than absorbed into the pass's own
	// snapshot. The reload picks up a config edit made between the caller loading it and the watch
	// starting.
	l.rewatch()
	l.reload()
	l.pass(ctx, PassRequest{})
	for ctx.Err() == nil {
		timer := l.opts.Clock.NewTimer(l.sched.wait(l.opts.Clock.Now(), l.opts.MinWake))
		// Each case stops the timer before acting, so an idle loop has exactly one timer armed.
		select {
		case <-ctx.Done():
			timer.Stop()
		case <-timer.C():
			l.onWake(ctx)
		case sig, ok := <-signals:
			timer.Stop()
			if !ok {
				signals = nil // closed: stop selecting on it
				break
			}
			l.onSignal(ctx, sig)
		case <-l.files.changed():
			timer.Stop()
			l.react(ctx, l.changed(l.files.takeDirty()))
		}
	}
}

// onWake renews what is due; when nothing is, it re-checks the watched files (a safety net for lost
// events; cheap, the files are small).
func (l *loop) onWake(ctx context.Context) {
	if _, due := l.sched.due(l.opts.Clock.Now()); due {
		l.pass(ctx, PassRequest{})
		return
	}
	l.files.refresh()
	l.react(ctx, l.changed(slices.Collect(maps.Keys(l.watched))))
}

func (l *loop) onSignal(ctx context.Context, sig os.Signal) {
	if sig != syscall.SIGHUP {
		l.log.Debug("signal ignored", "signal", sig.String())
		return
	}
	l.log.Info("SIGHUP: reloading the config and writing")
	l.reload()
	l.pass(ctx, PassRequest{})
}

// react runs one pass for a set of changed paths: provider inputs re-mint their provider, a config
// change reloads first, an output change only repairs.
func (l *loop) react(ctx context.Context, changed []Watched) {
	if len(changed) == 0 {
		return
	}
	var req PassRequest
	reload := false
	for _, w := range changed {
		l.log.Info("file changed", "path", w.Path, "kind", w.Kind.String(), "provider", w.Provider)
		switch w.Kind {
		case ProviderInput:
			if !slices.Contains(req.MintProviders, w.Provider) {
				req.MintProviders = append(req.MintProviders, w.Provider)
			}
		case Config:
			reload = true
		}
	}
	if reload {
		l.reload()
	}
	l.pass(ctx, req)
}

func (l *loop) reload() {
	if err := l.engine.Reload(); err != nil {
		l.log.Error("config reload failed; keeping the last good config", "err", err)
	}
}

// pass runs one engine pass (adding every host that is due), then reschedules, publishes the schedule,
// and re-takes the digests so the pass's own writes are not seen as changes.
func (l *loop) pass(ctx context.Context, req PassRequest) {
	due, _ := l.sched.due(l.opts.Clock.Now())
	for _, host := range due.Mint {
		if !slices.Contains(req.Mint, host) {
			req.Mint = append(req.Mint, host)
		}
	}
	before := maps.Clone(l.seen)
	afterMint := map[string]map[string]digest{} // provider → its files' digests right after its mint
	req.AfterMint = func(provider string) { afterMint[provider] = l.providerDigests(provider) }
	res := l.engine.Pass(ctx, req)
	if ctx.Err() != nil {
		return // shutting down: the pass was cut short, nothing to schedule
	}
	l.sched.record(req, res, l.opts.Clock.Now())
	l.engine.Scheduled(l.sched.deadlines())
	l.rewatch()
	foreign := l.keepForeignChanges(before, afterMint)
	foreign = append(foreign, l.keepOutputChanges(res.Outputs)...)
	if len(foreign) > 0 {
		l.react(ctx, l.changed(foreign))
	}
}

// keepOutputChanges finds the outputs someone changed after the engine wrote
// them in the pass (the re-snapshot would otherwise take the change for the
// engine's own): their digest is set back to what the engine left, so the
// change is acted on. It returns those paths.
func (l *loop) keepOutputChanges(left map[string][]byte) []string {
	var foreign []string
	for path, content := range left {
		path = absolute(path)
		if _, ok := l.watched[path]; !ok {
			continue
		}
		want := digestOfContent(content)
		if l.seen[path] != want {
			l.seen[path] = want
			foreign = append(foreign, path)
		}
	}
	return foreign
}

// providerDigests takes the digests of provider's watched files now.
func (l *loop) providerDigests(provider string) map[string]digest {
	out := map[string]digest{}
	for path, entries := range l.watched {
		if slices.ContainsFunc(entries, func(w Watched) bool { return w.Kind == ProviderInput && w.Provider == provider }) {
			out[path] = digestOf(path)
		}
	}
	return out
}

// keepForeignChanges undoes the post-pass re-snapshot for what changed during
// the pass without credgen's doing, and returns those paths, to be acted on:
//   - the config (credgen never writes it), against its digest before the pass;
//   - a provider's files, against their digests right after the provider's
//     last mint in the pass (its own chainctl or menda calls write them; a
//     login after that is the user's), or before the pass when it did not
//     mint.
func (l *loop) keepForeignChanges(before map[string]digest, afterMint map[string]map[string]digest) []string {
	var foreign []string
	for path, entries := range l.watched {
		for _, w := range entries {
			base, ok := before[path]
			if snap, minted := afterMint[w.Provider]; minted && w.Kind == ProviderInput {
				base, ok = snap[path]
			}
			if w.Kind != Output && ok && base != l.seen[path] {
				l.seen[path] = base
				foreign = append(foreign, path)
				break
			}
		}
	}
	return foreign
}

// rewatch takes the engine's current watch list, watches it, then takes digests (in that order, so
// nothing changing in between goes unseen).
func (l *loop) rewatch() {
	clear(l.watched)
	for _, w := range l.engine.Watched() {
		path := absolute(w.Path)
		l.watched[path] = append(l.watched[path], w)
	}
	paths := slices.Sorted(maps.Keys(l.watched))
	l.files.setTargets(paths)
	clear(l.seen)
	for _, p := range paths {
		l.seen[p] = digestOf(p)
	}
}

// changed returns the watched entries among paths whose digest differs from the last one seen, and
// records the new digests so each change is acted on once.
func (l *loop) changed(paths []string) []Watched {
	slices.Sort(paths)
	var changed []Watched
	for _, p := range paths {
		entries, ok := l.watched[p]
		if !ok {
			continue
		}
		d := digestOf(p)
		if d == l.seen[p] {
			continue
		}
		l.seen[p] = d
		changed = append(changed, entries...)
	}
	return changed
}

func absolute(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		return abs
	}
	return filepath.Clean(path)
}
