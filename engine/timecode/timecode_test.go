package timecode

import (
	"strings"
	"testing"
)

var (
	fps24 = Rate{24, 1}
	fps25 = Rate{25, 1}
	df30  = Rate{30000, 1001}
	df60  = Rate{60000, 1001}
	nd24  = Rate{24000, 1001}
)

func TestParseFormat(t *testing.T) {
	for _, c := range []struct {
		in, out string
		want    Timecode
	}{
		{"00:00:00:00", "00:00:00:00", Timecode{}},
		{"01:02:03:04", "01:02:03:04", Timecode{1, 2, 3, 4, false}},
		{"23:59:59:29", "23:59:59:29", Timecode{23, 59, 59, 29, false}},
		{"10:00:00;02", "10:00:00;02", Timecode{10, 0, 0, 2, true}},
		{"00:01:00.02", "00:01:00;02", Timecode{0, 1, 0, 2, true}},
	} {
		got, err := Parse(c.in)
		if err != nil || got != c.want {
			t.Errorf("Parse(%q) = %+v, %v; want %+v", c.in, got, err, c.want)
			continue
		}
		if s := got.String(); s != c.out {
			t.Errorf("Parse(%q).String() = %q, want %q", c.in, s, c.out)
		}
	}
}

func TestParseMalformed(t *testing.T) {
	for _, c := range []struct{ in, why string }{
		{"", "not 11 characters"},
		{"1:02:03:04", "not 11 characters"},
		{"01:02:03:04:", "not 11 characters"},
		{"0a:02:03:04", `"0a" is not two digits`},
		{"01:02:03:-4", `"-4" is not two digits`},
		{"01-02:03:04", `'-' where ':' belongs`},
		{"01:02;03:04", `';' where ':' belongs`},
		{"01:02:03,04", `',' before the frames`},
		{"24:00:00:00", "hours over 23"},
		{"00:60:00:00", "minutes over 59"},
		{"00:00:60:00", "seconds over 59"},
	} {
		_, err := Parse(c.in)
		if err == nil || !strings.Contains(err.Error(), c.why) || !strings.Contains(err.Error(), "HH:MM:SS:FF") {
			t.Errorf("Parse(%q) error %v, want one saying %q", c.in, err, c.why)
		}
	}
}

func TestCheck(t *testing.T) {
	for _, c := range []struct {
		tc   string
		r    Rate
		want string // "" when valid
	}{
		{"00:00:00:23", fps24, ""},
		{"00:00:00:24", fps24, "frame 24 is out of range at 24 frames per second"},
		{"00:00:00:24", fps25, ""},
		{"00:00:00:23", nd24, ""},
		{"00:00:00;00", fps24, "drop frame exists only at 30000/1001"},
		{"00:00:00;00", nd24, "drop frame exists only"},
		{"00:00:00;00", Rate{30, 1}, "drop frame exists only"},
		{"00:01:00;00", df30, "drop frame skips frames 00 to 01"},
		{"00:01:00;01", df30, "skips"},
		{"00:01:00;02", df30, ""},
		{"00:10:00;00", df30, ""},
		{"00:01:00;03", df60, "drop frame skips frames 00 to 03"},
		{"00:01:00;04", df60, ""},
		{"00:01:00:00", df30, ""}, // non-drop labels at 29.97 are all valid
		{"00:00:00:00", Rate{1, 3}, "no timecode at 1/3"},
	} {
		tc, err := Parse(c.tc)
		if err != nil {
			t.Fatal(err)
		}
		err = tc.Check(c.r)
		if (err == nil) != (c.want == "") || err != nil && !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s at %s: Check = %v, want %q", c.tc, c.r, err, c.want)
		}
	}
}

// TestFrameCount holds frame counts worked out by hand: drop frame at 29.97
// has 17982 frames per ten minutes (10*1800 - 9*2), at 59.94 35964.
func TestFrameCount(t *testing.T) {
	for _, c := range []struct {
		tc string
		r  Rate
		n  int
	}{
		{"00:00:00:00", fps24, 0},
		{"00:00:01:00", fps24, 24},
		{"01:00:00:00", fps24, 86400},
		{"00:00:41:16", fps24, 1000},
		{"01:00:00:00", fps25, 90000},
		{"01:00:00:00", nd24, 86400},
		{"00:00:59;29", df30, 1799},
		{"00:01:00;02", df30, 1800},
		{"00:02:00;02", df30, 3598},
		{"00:09:59;29", df30, 17981},
		{"00:10:00;00", df30, 17982},
		{"00:11:00;02", df30, 17982 + 1800},
		{"01:00:00;00", df30, 6 * 17982},
		{"00:01:00;04", df60, 3600},
		{"00:10:00;00", df60, 35964},
		{"23:59:59;29", df30, 144*17982 - 1},
		{"00:01:00:00", df30, 1800}, // non-drop at 29.97 counts like 30
	} {
		tc, err := Parse(c.tc)
		if err != nil {
			t.Fatal(err)
		}
		n, err := tc.Frame(c.r)
		if err != nil || n != c.n {
			t.Errorf("%s at %s: Frame = %d, %v; want %d", c.tc, c.r, n, err, c.n)
		}
		back, err := FromFrame(c.n, c.r, tc.Drop)
		if err != nil || back != tc {
			t.Errorf("FromFrame(%d, %s, %v) = %s, %v; want %s", c.n, c.r, tc.Drop, back, err, tc)
		}
	}
}

// TestFromFrameRoundTrip counts every frame of the first and last ten
// minutes of a day (and one across midnight) and holds Frame(FromFrame(n)) = n
// and each label one frame after the last.
func TestFromFrameRoundTrip(t *testing.T) {
	for _, c := range []struct {
		r    Rate
		drop bool
	}{{fps24, false}, {fps25, false}, {df30, true}, {df30, false}, {df60, true}} {
		tc0, err := FromFrame(0, c.r, c.drop)
		if err != nil {
			t.Fatal(err)
		}
		perTen, err := Timecode{Minutes: 10, Drop: c.drop}.Frame(c.r)
		if err != nil {
			t.Fatal(err)
		}
		last, _ := tc0.Add(-1, c.r)
		if want := (Timecode{23, 59, 59, c.r.Base() - 1, c.drop}); last != want {
			t.Errorf("%s drop %v: 00:00:00:00 - 1 = %s, want %s", c.r, c.drop, last, want)
		}
		for _, start := range []int{0, 143 * perTen} {
			prev, err := FromFrame(start-1, c.r, c.drop)
			if err != nil {
				t.Fatal(err)
			}
			for n := start; n < start+perTen; n++ {
				tc, err := FromFrame(n, c.r, c.drop)
				if err != nil {
					t.Fatal(err)
				}
				if m, err := tc.Frame(c.r); err != nil || m != n {
					t.Fatalf("%s drop %v: FromFrame(%d) = %s, back %d, %v", c.r, c.drop, n, tc, m, err)
				}
				if next, _ := prev.Add(1, c.r); next != tc {
					t.Fatalf("%s drop %v: %s + 1 = %s, want %s", c.r, c.drop, prev, next, tc)
				}
				prev = tc
			}
		}
	}
}

func TestAdd(t *testing.T) {
	for _, c := range []struct {
		from string
		n    int
		r    Rate
		want string
	}{
		{"00:00:59;29", 1, df30, "00:01:00;02"},
		{"00:09:59;29", 1, df30, "00:10:00;00"},
		{"00:01:00;02", -1, df30, "00:00:59;29"},
		{"00:00:59;59", 1, df60, "00:01:00;04"},
		{"00:00:59:29", 1, df30, "00:01:00:00"},
		{"01:00:00:00", -24, fps24, "00:59:59:00"},
		{"00:00:00:00", -24, fps24, "23:59:59:00"},
		{"23:59:59:24", 1, fps25, "00:00:00:00"},
		{"00:00:00:00", 24*86400 + 5, fps24, "00:00:00:05"},
	} {
		tc, err := Parse(c.from)
		if err != nil {
			t.Fatal(err)
		}
		got, err := tc.Add(c.n, c.r)
		if err != nil || got.String() != c.want {
			t.Errorf("%s + %d at %s = %s, %v; want %s", c.from, c.n, c.r, got, err, c.want)
		}
	}
	if _, err := (Timecode{Frames: 30}).Add(1, fps24); err == nil {
		t.Error("Add from a frame beyond the rate's base: no error")
	}
	if _, err := FromFrame(0, fps24, true); err == nil {
		t.Error("FromFrame drop frame at 24: no error")
	}
}

func TestRate(t *testing.T) {
	for _, c := range []struct {
		r             Rate
		base, dropped int
	}{
		{fps24, 24, 0}, {nd24, 24, 0}, {fps25, 25, 0}, {Rate{30, 1}, 30, 0}, {df30, 30, 2},
		{Rate{50, 1}, 50, 0}, {df60, 60, 4}, {Rate{60, 1}, 60, 0}, {Rate{2997, 100}, 30, 2},
		{Rate{120000, 1001}, 120, 0}, {Rate{0, 1}, 0, 0}, {Rate{1, 0}, 0, 0}, {Rate{-24, 1}, 0, 0},
	} {
		if b, d := c.r.Base(), c.r.Dropped(); b != c.base || d != c.dropped {
			t.Errorf("%s: Base %d Dropped %d, want %d %d", c.r, b, d, c.base, c.dropped)
		}
	}
}

// TestUnpack decodes timeAndFlags words packed by hand from ImfTimeCode.h's
// 60-field television layout.
func TestUnpack(t *testing.T) {
	for _, c := range []struct {
		word uint32
		want string
	}{
		{0x00000000, "00:00:00:00"},
		// 01:02:03:04: hours 0x01<<24, minutes 0x02<<16, seconds 0x03<<8, frames 0x04.
		{0x01020304, "01:02:03:04"},
		// 23:59:59:29: BCD 0x23, 0x59, 0x59, 0x29.
		{0x23595929, "23:59:59:29"},
		// 10:00:00;02: drop flag bit 6 (0x40) with frames 0x02.
		{0x10000042, "10:00:00;02"},
		// Colour frame (bit 7), field/phase (15), bgf0 (23), bgf1 (30), bgf2 (31)
		// set around 12:34:56:17 change nothing.
		{0x12345617 | 1<<7 | 1<<15 | 1<<23 | 1<<30 | 1<<31, "12:34:56:17"},
	} {
		tc, err := Unpack(c.word)
		if err != nil || tc.String() != c.want {
			t.Errorf("Unpack(0x%08x) = %s, %v; want %s", c.word, tc, err, c.want)
		}
		if flags := uint32(1<<7 | 1<<15 | 1<<23 | 1<<30 | 1<<31); tc.Pack() != c.word&^flags {
			t.Errorf("%s: Pack = 0x%08x, want 0x%08x", tc, tc.Pack(), c.word&^flags)
		}
	}
	for _, c := range []struct {
		word uint32
		why  string
	}{
		{0x0000000a, "BCD digit 10 in bits 0-3"},
		{0x00000f00, "BCD digit 15 in bits 8-11"},
		{0x000b0000, "BCD digit 11 in bits 16-19"},
		{0x0c000000, "BCD digit 12 in bits 24-27"},
		{0x24000000, "24:00:00:00 is out of range"},
		{0x00600000, "out of range"},
		{0x00006000, "out of range"},
	} {
		if _, err := Unpack(c.word); err == nil || !strings.Contains(err.Error(), c.why) {
			t.Errorf("Unpack(0x%08x) error %v, want one saying %q", c.word, err, c.why)
		}
	}
}
