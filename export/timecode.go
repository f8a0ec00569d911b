package export

// #cgo pkg-config: libavformat libavutil
// #include <libavformat/avformat.h>
// #include <stdlib.h>
// #include <libavutil/dict.h>
//
// // flick_set_timecode sets st's "timecode" metadata, from which the mov
// // muxer writes a timecode track (go-astiav v0.16.0 cannot set metadata
// // on a stream that has none).
// static int flick_set_timecode(AVStream *st, const char *tc) { return av_dict_set(&st->metadata, "timecode", tc, 0); }
import "C"

import (
	"fmt"
	"unsafe"

	"github.com/asticode/go-astiav"

	"flick/engine/timecode"
)

// setTimecode gives st the "timecode" metadata tc (HH:MM:SS:FF, ';' for drop
// frame): before WriteHeader, the mov muxer then adds a QuickTime timecode
// track (tmcd) starting at tc, referenced by the video track, counting at
// the stream's frame rate.
func setTimecode(st *astiav.Stream, tc string) error {
	s := C.CString(tc)
	defer C.free(unsafe.Pointer(s))
	if rv := C.flick_set_timecode(avStream(st), s); rv < 0 {
		return fmt.Errorf("timecode %s: %w", tc, astiav.Error(rv))
	}
	return nil
}

// ReadTimecode is the start timecode of path's video track (its tmcd
// track's, as FFmpeg's mov demuxer gives it), ok false when it has none.
func ReadTimecode(path string) (tc timecode.Timecode, ok bool, err error) {
	m, err := openMovie(path)
	if err != nil {
		return timecode.Timecode{}, false, err
	}
	defer m.close()
	s, ok := m.timecode()
	if !ok {
		return timecode.Timecode{}, false, nil
	}
	if tc, err = timecode.Parse(s); err != nil {
		return timecode.Timecode{}, false, fmt.Errorf("%s: %w", path, err)
	}
	return tc, true, nil
}

// timecode is the "timecode" metadata of m's video stream.
func (m *movie) timecode() (string, bool) {
	md := m.st.Metadata()
	if md == nil {
		return "", false
	}
	e := md.Get("timecode", nil, astiav.NewDictionaryFlags())
	if e == nil {
		return "", false
	}
	return e.Value(), true
}

// avStream is st's C struct. go-astiav v0.16.0 (pinned: see
// ARCHITECTURE.md) keeps it as its Stream's one field; init checks that
// the Go struct is that one pointer.
func avStream(st *astiav.Stream) *C.AVStream {
	return *(**C.AVStream)(unsafe.Pointer(st))
}

func init() {
	if unsafe.Sizeof(astiav.Stream{}) != unsafe.Sizeof(uintptr(0)) {
		panic("export: go-astiav's Stream is no longer one pointer; avStream needs an update")
	}
}
