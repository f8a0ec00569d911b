package export

import (
	"strings"
	"sync"

	"github.com/asticode/go-astiav"
)

// FFmpeg logs through one process-wide callback. This package installs it
// once: lines from an encoder's own codec or format context at error level
// or worse are kept on that encoder's logLines, to be added to the error it
// returns; everything else (progress chatter, stats, other users' lines) is
// dropped instead of going to the terminal.
var (
	logOnce  sync.Once
	logMu    sync.Mutex
	logSinks = map[astiav.Classer]*logLines{} // guarded by logMu
)

// logLines holds the last few error lines FFmpeg logged for one encoder.
// Guarded by logMu.
type logLines struct {
	lines []string
}

// maxLogLines bounds what one encoder keeps between two reads.
const maxLogLines = 8

func installLog() {
	logOnce.Do(func() {
		astiav.SetLogLevel(astiav.LogLevelError)
		astiav.SetLogCallback(func(c astiav.Classer, l astiav.LogLevel, _, msg string) {
			if l > astiav.LogLevelError || c == nil {
				return
			}
			logMu.Lock()
			defer logMu.Unlock()
			if s := logSinks[c]; s != nil {
				if len(s.lines) == maxLogLines {
					s.lines = s.lines[1:]
				}
				s.lines = append(s.lines, strings.TrimSpace(msg))
			}
		})
	})
}

// listen routes c's error lines to s (until forget).
func (s *logLines) listen(c astiav.Classer) {
	logMu.Lock()
	defer logMu.Unlock()
	logSinks[c] = s
}

// forget stops routing c's lines; call it before freeing c.
func forget(c astiav.Classer) {
	logMu.Lock()
	defer logMu.Unlock()
	delete(logSinks, c)
}

// take returns the lines logged since the last take, joined with "; ".
func (s *logLines) take() string {
	logMu.Lock()
	defer logMu.Unlock()
	msg := strings.Join(s.lines, "; ")
	s.lines = s.lines[:0]
	return msg
}
