// Package state is credgen's memory between runs: which indexes it manages and
// what it knows of each credential (never the secret itself, only a short
// fingerprint), plus what a running watch is doing.
package state

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/credgen/credgen/generator/atomicfile"
	"github.com/credgen/credgen/generator/urlcred"
	"github.com/credgen/credgen/internal/config"
)

// Version of the state file format.
const Version = 1

// State is the content of state.json.
type State struct {
	Version int      `json:"version"`
	Indexes []*Index `json:"indexes"`
	// Removed are the index URLs `credgen remove` took out: found again in an
	// output (a bare URL remove left behind), they are not managed again
	// until the user names them in a flag or the config.
	Removed []string `json:"removed,omitempty"`
	Watch   *Watch   `json:"watch,omitempty"`
}

// Index is one managed index and what credgen last did for its credential.
type Index struct {
	config.IndexSpec
	Username    string            `json:"username,omitempty"`
	MintedAt    time.Time         `json:"minted_at,omitzero"`
	ExpiresAt   time.Time         `json:"expires_at,omitzero"`
	Fingerprint string            `json:"fingerprint,omitempty"`
	Outputs     map[string]string `json:"outputs,omitempty"` // kind -> path written
	LastError   string            `json:"last_error,omitempty"`
	LastErrorAt time.Time         `json:"last_error_at,omitzero"`
	NextRefresh time.Time         `json:"next_refresh,omitzero"` // set by a running watch
}

// Watch describes the running `credgen watch`, if any.
type Watch struct {
	PID       int       `json:"pid"`
	StartedAt time.Time `json:"started_at"`
	// Indexes are the index URLs the watch's own config and flags name: it
	// puts those back after a remove (it manages nothing else then).
	Indexes []string `json:"indexes,omitempty"`
}

// Load reads the state at path; a missing file is an empty state.
func Load(path string) (*State, error) {
	data, exists, err := atomicfile.Read(path)
	if err != nil {
		return nil, fmt.Errorf("read state %s: %w", path, errors.Unwrap(err))
	}
	if !exists {
		return &State{Version: Version}, nil
	}
	var s State
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("state %s does not parse (delete it to start afresh; credgen rediscovers indexes from the outputs): %w", path, err)
	}
	if s.Version != Version {
		return nil, fmt.Errorf("state %s: version %d, this credgen reads version %d", path, s.Version, Version)
	}
	return &s, nil
}

// Save writes the state atomically, 0600.
func (s *State) Save(path string) error {
	s.Version = Version
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	if _, err := atomicfile.Write(path, append(data, '\n'), atomicfile.Options{}); err != nil {
		return fmt.Errorf("save state: %w", err)
	}
	return nil
}

// Find returns the record for url (compared by urlcred.Key), or nil.
func (s *State) Find(url string) *Index {
	key := urlcred.Key(url)
	for _, ix := range s.Indexes {
		if urlcred.Key(ix.URL) == key {
			return ix
		}
	}
	return nil
}

// Upsert returns the record for url, adding one when absent.
func (s *State) Upsert(url string) *Index {
	if ix := s.Find(url); ix != nil {
		return ix
	}
	ix := &Index{}
	ix.URL, ix.Host = url, urlcred.Host(url)
	s.Indexes = append(s.Indexes, ix)
	return ix
}

// IsRemoved says whether url was taken out by `credgen remove`.
func (s *State) IsRemoved(url string) bool {
	key := urlcred.Key(url)
	return slices.ContainsFunc(s.Removed, func(r string) bool { return urlcred.Key(r) == key })
}

// Unremove forgets that url was removed (the user named it again).
func (s *State) Unremove(url string) {
	key := urlcred.Key(url)
	s.Removed = slices.DeleteFunc(s.Removed, func(r string) bool { return urlcred.Key(r) == key })
}

// Forget drops every index record and remembers their URLs as removed.
func (s *State) Forget(urls []string) {
	s.Indexes = nil
	for _, u := range urls {
		if !s.IsRemoved(u) {
			s.Removed = append(s.Removed, u)
		}
	}
}
