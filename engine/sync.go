package engine

import (
	"fmt"
	"slices"
	"strings"
)

// SyncMode is how the frames of two or more sources line up on the
// timeline of a comparison: by source frame number, or start-aligned.
type SyncMode int

// The sync modes.
const (
	// SyncFrame shows each source's frame f at timeline frame f (plus the
	// source's offset): shot.1010 against shot.1010 even when the ranges
	// differ, as RV does by default.
	SyncFrame SyncMode = iota
	// SyncStart lines the sources' first frames up with the reference
	// source's (A's) first frame.
	SyncStart
)

// syncNames name the SyncModes on the command line, in session files and
// in the UI, in SyncMode order: the one list of them.
var syncNames = [...]string{"frame", "start"}

// String returns m's name ("frame").
func (m SyncMode) String() string {
	if m >= 0 && int(m) < len(syncNames) {
		return syncNames[m]
	}
	return fmt.Sprintf("SyncMode(%d)", int(m))
}

// SyncModeNames returns every SyncMode's name, in SyncMode order.
func SyncModeNames() []string { return slices.Clone(syncNames[:]) }

// ParseSyncMode returns the SyncMode named s.
func ParseSyncMode(s string) (SyncMode, error) {
	if i := slices.Index(syncNames[:], s); i >= 0 {
		return SyncMode(i), nil
	}
	return 0, fmt.Errorf("unknown sync mode %q: want one of %s", s, strings.Join(syncNames[:], ", "))
}

// TimelineFrame returns the timeline frame at which frame f of a source
// of range src, offset by offset frames, shows: f + offset under
// SyncFrame, ref.Start + (f - src.Start) + offset under SyncStart, where
// ref is the reference source's (A's) range.
func TimelineFrame(mode SyncMode, f int, ref, src Range, offset int) int {
	if mode == SyncStart {
		return ref.Start + f - src.Start + offset
	}
	return f + offset
}

// SourceFrame is TimelineFrame's inverse: the frame of the source that
// shows at timeline frame g. The source may lack it (Sequence.SyncedFrame
// says).
func SourceFrame(mode SyncMode, g int, ref, src Range, offset int) int {
	if mode == SyncStart {
		return g - ref.Start + src.Start - offset
	}
	return g - offset
}

// SyncedFrame returns the frame of s that shows at timeline frame g (see
// SourceFrame), and whether s has it: false when the frame is outside s's
// range or its file is missing, so that it shows as missing on this side
// only.
func (s *Sequence) SyncedFrame(mode SyncMode, g int, ref Range, offset int) (int, bool) {
	f := SourceFrame(mode, g, ref, s.Range, offset)
	return f, s.Range.Contains(f) && s.has(f)
}

// Synced is one source on a synced timeline: its frame range and offset.
type Synced struct {
	Range  Range
	Offset int
}

// TimelineSpan returns the first and last timeline frames of the union of
// the sources' mapped ranges (ref is the reference source's range; it is
// one of them only if listed). Frames between them that a source lacks
// show as missing on that side. With no source it returns ref's span.
func TimelineSpan(mode SyncMode, ref Range, sources ...Synced) (first, last int) {
	if len(sources) == 0 {
		return ref.Start, ref.End
	}
	for i, s := range sources {
		a := TimelineFrame(mode, s.Range.Start, ref, s.Range, s.Offset)
		b := TimelineFrame(mode, s.Range.End, ref, s.Range, s.Offset)
		if i == 0 || a < first {
			first = a
		}
		if i == 0 || b > last {
			last = b
		}
	}
	return first, last
}
