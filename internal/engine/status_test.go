package engine

import (
	"context"
	"os"
	"slices"
	"testing"

	"github.com/credgen/credgen/internal/config"
)

func TestStatusAgreesWithWrite(t *testing.T) {
	w := newWorld(t)
	w.mustWrite(w.engine(config.Flags{DefaultIndex: cgrIndex}), WriteOptions{})
	rep, err := w.engine(config.Flags{}).Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Healthy || len(rep.Indexes) != 1 || len(rep.Indexes[0].WrittenTo) != 3 {
		t.Fatalf("status after write: %+v", rep)
	}
	if err := os.Remove(w.netrc()); err != nil {
		t.Fatal(err)
	}
	rep, err = w.engine(config.Flags{}).Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Healthy || !slices.Equal(rep.Indexes[0].Missing, []string{config.Netrc}) {
		t.Errorf("status without netrc: %+v", rep.Indexes[0])
	}
}
