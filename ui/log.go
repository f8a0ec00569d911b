package ui

import (
	"fmt"
	"strings"
	"time"
)

type level int

const (
	levelInfo level = iota
	levelWarning
	levelError
)

func (l level) String() string {
	return [...]string{"info", "warning", "error"}[l]
}

// logBook keeps the viewer's last messages for the status line and the Log
// panel; a frame's error is logged once however often it is shown.
type logBook struct {
	entries []logEntry
	frames  map[int]bool // frames whose error is logged
}

type logEntry struct {
	at    time.Time
	level level
	text  string
}

// maxLog bounds the messages kept.
const maxLog = 500

func (l *logBook) add(lv level, text string) {
	if len(l.entries) == maxLog {
		l.entries = append(l.entries[:0], l.entries[1:]...)
	}
	l.entries = append(l.entries, logEntry{time.Now(), lv, text})
}

// frameError logs why a frame failed, the first time only (the meter asks
// at every UI frame: nothing is formatted once it is logged).
func (l *logBook) frameError(frame int, err error) {
	if l.frames == nil {
		l.frames = map[int]bool{}
	}
	if !l.frames[frame] {
		l.frames[frame] = true
		l.add(levelError, fmt.Sprintf("frame %d: %v", frame, err))
	}
}

// last returns the newest message, for the status line ("" none).
func (l *logBook) last() (logEntry, bool) {
	if len(l.entries) == 0 {
		return logEntry{}, false
	}
	return l.entries[len(l.entries)-1], true
}

func (l *logBook) text() string {
	var b strings.Builder
	for _, e := range l.entries {
		fmt.Fprintf(&b, "%s %-7s %s\n", e.at.Format("15:04:05"), e.level, e.text)
	}
	return b.String()
}

// esc makes text safe for Dear ImGui calls that take a printf format.
func esc(s string) string { return strings.ReplaceAll(s, "%", "%%") }
