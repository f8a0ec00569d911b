package export

import (
	"testing"

	"flick/engine/timecode"
	"flick/export/burnin"
)

// TestSlateShotFields: the slate lists the shot's first frame's timecode
// (the one its burn-ins and track give it), the codec settings and no
// per-frame number.
func TestSlateShotFields(t *testing.T) {
	start, err := timecode.Parse("01:00:00:00")
	if err != nil {
		t.Fatal(err)
	}
	shot := burnin.Shot{Prefix: "sh010_v003.", Num: 24, Den: 1, Width: 960, Height: 540, Start: &start}
	f := ShotFields(shot, Options{Codec: H264, CRF: 20, Preset: "medium", FPS: Rational{24, 1}})
	if f["tc"] != "01:00:00:00" || f["version"] != "003" || f["codec"] != "h264 crf 20 medium" || f["frame"] != "" {
		t.Errorf("slate fields %v", f)
	}
}
