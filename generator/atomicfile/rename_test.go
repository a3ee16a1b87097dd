package atomicfile

import (
	"errors"
	"testing"
	"time"
)

func TestRenameRetrying(t *testing.T) {
	busy, gone := errors.New("sharing violation"), errors.New("no such file")
	for _, tc := range []struct {
		name      string
		failures  []error // returned by the first calls; later calls succeed
		wantErr   error
		wantCalls int
	}{
		{"first try", nil, nil, 1},
		{"busy twice then free", []error{busy, busy}, nil, 3},
		{"other error not retried", []error{gone}, gone, 1},
		{"busy for good gives up", repeat(busy, 1000), busy, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			calls := 0
			var slept time.Duration
			rename := func(string, string) error {
				calls++
				if calls <= len(tc.failures) {
					return tc.failures[calls-1]
				}
				return nil
			}
			err := renameRetrying(rename, func(err error) bool { return err == busy },
				func(d time.Duration) { slept += d }, "a", "b")
			if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil && err != nil) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if tc.wantCalls > 0 && calls != tc.wantCalls {
				t.Errorf("%d calls, want %d", calls, tc.wantCalls)
			}
			if slept > renameBudget+time.Second {
				t.Errorf("slept %v, beyond the budget %v", slept, renameBudget)
			}
			if tc.wantCalls == 0 && slept < renameBudget {
				t.Errorf("gave up after %v, before the budget %v", slept, renameBudget)
			}
		})
	}
}

func repeat(err error, n int) []error {
	out := make([]error, n)
	for i := range out {
		out[i] = err
	}
	return out
}
