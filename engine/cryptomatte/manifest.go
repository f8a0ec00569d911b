package cryptomatte

import (
	"encoding/json"
	"fmt"
	"iter"
	"strconv"
)

// Manifest maps a cryptomatte's object names to their IDs, and back. The
// zero Manifest is empty.
type Manifest struct {
	ids   map[string]uint32
	names map[uint32]string
}

// ParseManifest reads a manifest: a JSON object of name -> ID as 8 hex
// digits ({"cube":"d9682f08"}), as the manifest attribute and sidecar
// files hold it.
func ParseManifest(data []byte) (*Manifest, error) {
	var raw map[string]string
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	m := &Manifest{ids: make(map[string]uint32, len(raw)), names: make(map[uint32]string, len(raw))}
	for name, h := range raw {
		id, err := strconv.ParseUint(h, 16, 32)
		if err != nil {
			return nil, fmt.Errorf("manifest: %q: the ID %q is not 8 hex digits", name, h)
		}
		m.ids[name] = uint32(id)
		if prev, ok := m.names[uint32(id)]; !ok || name < prev { // a collision: one name, whatever map order
			m.names[uint32(id)] = name
		}
	}
	return m, nil
}

// Len is the number of names.
func (m *Manifest) Len() int {
	if m == nil {
		return 0
	}
	return len(m.ids)
}

// ID returns name's ID as the manifest gives it.
func (m *Manifest) ID(name string) (uint32, bool) {
	if m == nil {
		return 0, false
	}
	id, ok := m.ids[name]
	return id, ok
}

// Name returns the name whose ID is id (the first in byte order if two
// names collide).
func (m *Manifest) Name(id uint32) (string, bool) {
	if m == nil {
		return "", false
	}
	name, ok := m.names[id]
	return name, ok
}

// All yields every name and its ID, in no set order.
func (m *Manifest) All() iter.Seq2[string, uint32] {
	return func(yield func(string, uint32) bool) {
		if m == nil {
			return
		}
		for name, id := range m.ids {
			if !yield(name, id) {
				return
			}
		}
	}
}
