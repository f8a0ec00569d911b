// Package timecode is SMPTE 12M time-of-day timecode: parsing and printing
// HH:MM:SS:FF, counting frames at a rate (drop-frame at 29.97 and 59.94), and
// decoding the packed BCD of an OpenEXR timeCode attribute. Pure Go.
package timecode

import (
	"fmt"
	"strconv"
)

// Timecode is a SMPTE time address. Drop marks drop-frame counting, where
// frame numbers 0 and 1 (0 to 3 at 59.94) are skipped at the start of every
// minute except each tenth, so that the label keeps to the wall clock at
// 30000/1001 and 60000/1001 frames per second.
type Timecode struct {
	Hours, Minutes, Seconds, Frames int
	Drop                            bool
}

// Rate is a frame rate, Num/Den frames per second (export.Rational's shape;
// engine cannot import export).
type Rate struct{ Num, Den int }

// Base is the rate's nominal frames per second, the frame count a timecode
// second holds: Num/Den rounded to the nearest integer (24 at 24000/1001, 30
// at 30000/1001, 25 at 25/1). It is 0 for a rate under half a frame per
// second or a malformed one.
func (r Rate) Base() int {
	if r.Num <= 0 || r.Den <= 0 {
		return 0
	}
	return (r.Num + r.Den/2) / r.Den
}

// Dropped is how many frame numbers drop-frame counting skips each minute
// at r: 2 at 30000/1001, 4 at 60000/1001, 0 where SMPTE defines no drop frame
// (integer rates and every other base).
func (r Rate) Dropped() int {
	b := r.Base()
	if b*r.Den == r.Num || (b != 30 && b != 60) {
		return 0
	}
	return b / 15
}

func (r Rate) String() string {
	if r.Den == 1 {
		return strconv.Itoa(r.Num)
	}
	return fmt.Sprintf("%d/%d", r.Num, r.Den)
}

// day is the number of seconds timecode counts before it wraps to 00:00:00:00.
const day = 24 * 60 * 60

// Parse reads "HH:MM:SS:FF" (non-drop) or "HH:MM:SS;FF" / "HH:MM:SS.FF"
// (drop frame: the separator before the frames is ';' or '.', as editors
// write it). Every field is two digits; hours under 24, minutes and seconds
// under 60. Frames are checked against a rate where the timecode is used
// (Frame, Add). The error quotes s and says what is wrong.
func Parse(s string) (Timecode, error) {
	bad := func(why string) (Timecode, error) {
		return Timecode{}, fmt.Errorf("timecode %q: %s; want HH:MM:SS:FF, or HH:MM:SS;FF for drop frame", s, why)
	}
	if len(s) != 11 {
		return bad("not 11 characters")
	}
	var f [4]int
	for i := range f {
		d0, d1 := s[3*i], s[3*i+1]
		if d0 < '0' || d0 > '9' || d1 < '0' || d1 > '9' {
			return bad(fmt.Sprintf("%q is not two digits", s[3*i:3*i+2]))
		}
		f[i] = int(d0-'0')*10 + int(d1-'0')
		if i < 2 && s[3*i+2] != ':' {
			return bad(fmt.Sprintf("%q where ':' belongs", s[3*i+2]))
		}
	}
	t := Timecode{Hours: f[0], Minutes: f[1], Seconds: f[2], Frames: f[3]}
	switch s[8] {
	case ':':
	case ';', '.':
		t.Drop = true
	default:
		return bad(fmt.Sprintf("%q before the frames, not ':', ';' or '.'", s[8]))
	}
	switch {
	case t.Hours > 23:
		return bad("hours over 23")
	case t.Minutes > 59:
		return bad("minutes over 59")
	case t.Seconds > 59:
		return bad("seconds over 59")
	}
	return t, nil
}

// String writes HH:MM:SS:FF, with ';' before the frames for drop frame.
func (t Timecode) String() string {
	sep := ':'
	if t.Drop {
		sep = ';'
	}
	return fmt.Sprintf("%02d:%02d:%02d%c%02d", t.Hours, t.Minutes, t.Seconds, sep, t.Frames)
}

// Check reports whether t is a label counting at r uses: fields in range,
// frames under r's base, drop frame only at 29.97 and 59.94, and none of the
// frame numbers drop frame skips.
func (t Timecode) Check(r Rate) error {
	base, drop := r.Base(), r.Dropped()
	switch {
	case base == 0:
		return fmt.Errorf("timecode %s: no timecode at %s frames per second", t, r)
	case t.Hours < 0 || t.Hours > 23 || t.Minutes < 0 || t.Minutes > 59 || t.Seconds < 0 || t.Seconds > 59:
		return fmt.Errorf("timecode %s: a field is out of range", t)
	case t.Frames < 0 || t.Frames >= base:
		return fmt.Errorf("timecode %s: frame %d is out of range at %s frames per second (0 to %d)", t, t.Frames, r, base-1)
	case t.Drop && drop == 0:
		return fmt.Errorf("timecode %s: drop frame exists only at 30000/1001 and 60000/1001 frames per second, not %s", t, r)
	case t.Drop && t.Seconds == 0 && t.Frames < drop && t.Minutes%10 != 0:
		return fmt.Errorf("timecode %s: drop frame skips frames 00 to %02d at the start of this minute", t, drop-1)
	}
	return nil
}

// Frame is the number of frames from 00:00:00:00 to t counting at r (drop
// frame if t.Drop), or Check's error.
func (t Timecode) Frame(r Rate) (int, error) {
	if err := t.Check(r); err != nil {
		return 0, err
	}
	base := r.Base()
	minutes := 60*t.Hours + t.Minutes
	n := (60*minutes+t.Seconds)*base + t.Frames
	if t.Drop {
		n -= r.Dropped() * (minutes - minutes/10)
	}
	return n, nil
}

// FromFrame is the label of frame n counting at r from 00:00:00:00, drop
// frame if drop (which r must allow). Timecode wraps at 24 hours both ways,
// so a negative n counts back from midnight (a slate leader before a shot at
// 00:00:00:00).
func FromFrame(n int, r Rate, drop bool) (Timecode, error) {
	base, dropped := r.Base(), r.Dropped()
	if base == 0 {
		return Timecode{}, fmt.Errorf("no timecode at %s frames per second", r)
	}
	if drop && dropped == 0 {
		return Timecode{}, fmt.Errorf("drop frame exists only at 30000/1001 and 60000/1001 frames per second, not %s", r)
	}
	if !drop {
		dropped = 0
	}
	perMinute := 60*base - dropped
	perTen := 10*perMinute + dropped // the tenth minute keeps all its frames
	perDay := day / 600 * perTen
	n %= perDay
	if n < 0 {
		n += perDay
	}
	// Give back the numbers skipped before n so it counts at the base rate.
	tens, rest := n/perTen, n%perTen
	n += 9 * dropped * tens
	if rest > dropped {
		n += dropped * ((rest - dropped) / perMinute)
	}
	return Timecode{
		Hours:   n / (3600 * base),
		Minutes: n / (60 * base) % 60,
		Seconds: n / base % 60,
		Frames:  n % base,
		Drop:    drop,
	}, nil
}

// Add is t moved by n frames (n may be negative) counting at r, wrapping at
// 24 hours, or Check's error.
func (t Timecode) Add(n int, r Rate) (Timecode, error) {
	f, err := t.Frame(r)
	if err != nil {
		return Timecode{}, err
	}
	return FromFrame(f+n, r, t.Drop)
}

// Pack is t as the time address and drop-frame flag of an OpenEXR
// timeCode attribute's timeAndFlags (Unpack's layout), every other flag
// clear. Fields out of range are packed as they are: Check t first.
func (t Timecode) Pack() uint32 {
	bcd := func(v int, shift uint) uint32 { return uint32(v/10<<4|v%10) << shift }
	w := bcd(t.Frames, 0) | bcd(t.Seconds, 8) | bcd(t.Minutes, 16) | bcd(t.Hours, 24)
	if t.Drop {
		w |= 1 << 6
	}
	return w
}

// Unpack decodes the time address of an OpenEXR timeCode attribute's
// timeAndFlags, packed as SMPTE 12M's 60-field television word (the packing
// OpenEXR stores; ImfTimeCode.h): BCD frame units in bits 0-3 and tens 4-5,
// the drop-frame flag in bit 6, seconds in 8-11 and 12-14, minutes in 16-19
// and 20-22, hours in 24-27 and 28-29. The colour frame (7), field/phase (15)
// and binary group flags (23, 30, 31) say nothing about the address and are
// ignored. A digit over 9 or a field out of range is an error.
func Unpack(timeAndFlags uint32) (Timecode, error) {
	var err error
	bcd := func(shift, bits uint) int {
		v := timeAndFlags >> shift & (1<<bits - 1)
		units, tens := v&0xf, v>>4
		if units > 9 && err == nil {
			err = fmt.Errorf("timecode 0x%08x: BCD digit %d in bits %d-%d", timeAndFlags, units, shift, shift+3)
		}
		return int(tens*10 + units)
	}
	t := Timecode{
		Frames:  bcd(0, 6),
		Drop:    timeAndFlags&(1<<6) != 0,
		Seconds: bcd(8, 7),
		Minutes: bcd(16, 7),
		Hours:   bcd(24, 6),
	}
	if err != nil {
		return Timecode{}, err
	}
	if t.Hours > 23 || t.Minutes > 59 || t.Seconds > 59 {
		return Timecode{}, fmt.Errorf("timecode 0x%08x: %s is out of range", timeAndFlags, t)
	}
	return t, nil
}
