// Package settings holds the user's preferences: one struct with defaults,
// read from os.UserConfigDir()/flick/settings.json, validated, and passed
// down to the other packages as a value.
package settings

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Settings are the user's preferences. The zero value is not valid: start
// from Defaults.
type Settings struct {
	WindowWidth  int     `json:"window_width"`
	WindowHeight int     `json:"window_height"`
	FPS          float64 `json:"fps"` // playback rate when a file does not say
	// CacheBytes is the frame cache's budget; 0 means half the memory
	// available when flick starts, at most 16 GiB.
	CacheBytes int64 `json:"cache_bytes"`
	// AheadShare is the part of the cache kept for frames ahead of the
	// playhead (the rest holds frames behind it), 0.5 to 1.
	AheadShare float64 `json:"ahead_share"`
	// Workers is the number of decode threads; 0 means one per CPU.
	Workers int `json:"workers"`
	// Realtime plays by the clock, dropping frames that are late; false
	// shows every frame, slowing down instead.
	Realtime bool `json:"realtime"`
	// Loop is what playback does at the out point: one of Choices.Loop
	// ("loop").
	Loop string `json:"loop"`
	// Transform is the display transform a new view starts with: one of
	// Choices.Transform ("srgb").
	Transform string `json:"transform"`
	// Panels lists the panels shown, by the names the UI gives them
	// ("channels", "info" ...); the UI ignores names it does not know.
	Panels []string `json:"panels"`
	// Recent lists recently opened paths, newest first.
	Recent []string `json:"recent"`
	Export Export   `json:"export"`
	// OCIOConfig is the OpenColorIO config the viewer uses when neither
	// --ocio nor $OCIO names one: a path or a built-in name
	// ("ocio://default"); "" for none (flick's own transforms).
	OCIOConfig string `json:"ocio_config"`
	// OCIORecent lists recently used configs, newest first.
	OCIORecent []string `json:"ocio_recent"`
	// InputPicks are the input colour spaces the user picked, by the
	// sequence's pattern (Sequence.Pattern); they come before every other
	// rule.
	InputPicks map[string]string `json:"ocio_input_picks"`
	// FollowDefaultRule gives half and float frames the config's Default
	// file rule rather than its scene_linear role (the ACES configs'
	// Default rule says ACES2065-1, which makes ACEScg renders look wrong).
	FollowDefaultRule bool `json:"ocio_follow_default_rule"`
}

// Bounds on the OpenColorIO settings' sizes.
const (
	MaxInputPicks = 1000 // sequences remembered
	MaxName       = 4096 // bytes in a config's path, a pattern or a colour space's name
)

// PickInput remembers cs as the input colour space of the sequence
// pattern; "" forgets it. The oldest picks are not tracked: past
// MaxInputPicks, an arbitrary other pick is forgotten.
func (s *Settings) PickInput(pattern, cs string) {
	if cs == "" {
		delete(s.InputPicks, pattern)
		return
	}
	picks := make(map[string]string, len(s.InputPicks)+1)
	for k, v := range s.InputPicks {
		if len(picks) < MaxInputPicks-1 && k != pattern {
			picks[k] = v
		}
	}
	picks[pattern] = cs
	s.InputPicks = picks
}

// Export holds the export dialog's defaults.
type Export struct {
	Codec  string  `json:"codec"`  // one of Choices.Codec ("h264")
	CRF    int     `json:"crf"`    // quality for h264/hevc, 0-51
	Preset string  `json:"preset"` // x264/x265 preset; "" the encoder's default
	Scale  float64 `json:"scale"`  // output size relative to the display window
}

// Choices are the names each choice setting may take. The packages that own
// the concepts list them (the engine's loop modes, render's display
// transforms, export's codecs) and the caller passes them in: settings
// imports none of those packages, and no list of names is written twice.
type Choices struct {
	Loop, Transform, Codec []string
}

// MaxRecent bounds the recent items kept.
const MaxRecent = 10

// Defaults returns the settings of a fresh install.
func Defaults() Settings {
	return Settings{WindowWidth: 1280, WindowHeight: 720, FPS: 24, AheadShare: 0.75, Realtime: true,
		Loop: "loop", Transform: "srgb", Panels: []string{"channels", "display"},
		Export: Export{Codec: "h264", CRF: 18, Preset: "medium", Scale: 1}}
}

// Validate says what is wrong with s, if anything; c gives the names the
// choice settings may take.
func (s Settings) Validate(c Choices) error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if s.WindowWidth < 320 || s.WindowWidth > 16384 || s.WindowHeight < 240 || s.WindowHeight > 16384 {
		bad("window size %dx%d is outside 320x240 to 16384x16384", s.WindowWidth, s.WindowHeight)
	}
	if !(s.FPS >= 1 && s.FPS <= 1000) { // also rejects NaN
		bad("fps %v is outside 1 to 1000", s.FPS)
	}
	if s.CacheBytes < 0 {
		bad("cache_bytes %d is negative (0 means automatic)", s.CacheBytes)
	}
	if !(s.AheadShare >= 0.5 && s.AheadShare <= 1) {
		bad("ahead_share %v is outside 0.5 to 1", s.AheadShare)
	}
	if s.Workers < 0 || s.Workers > 256 {
		bad("workers %d is outside 0 (one per CPU) to 256", s.Workers)
	}
	choice := func(what, name string, names []string) {
		if !slices.Contains(names, name) {
			bad("%s %q: want one of %s", what, name, strings.Join(names, ", "))
		}
	}
	choice("loop", s.Loop, c.Loop)
	choice("transform", s.Transform, c.Transform)
	if len(s.Recent) > MaxRecent {
		bad("%d recent items, at most %d", len(s.Recent), MaxRecent)
	}
	if len(s.OCIOConfig) > MaxName {
		bad("ocio_config is %d bytes long, at most %d", len(s.OCIOConfig), MaxName)
	}
	if len(s.OCIORecent) > MaxRecent {
		bad("%d recent OpenColorIO configs, at most %d", len(s.OCIORecent), MaxRecent)
	}
	if len(s.InputPicks) > MaxInputPicks {
		bad("%d ocio_input_picks, at most %d", len(s.InputPicks), MaxInputPicks)
	}
	for k, v := range s.InputPicks {
		if k == "" || v == "" || len(k) > MaxName || len(v) > MaxName {
			bad("ocio_input_picks: %.40q: %.40q: want a pattern and a colour space, each 1 to %d bytes", k, v, MaxName)
			break
		}
	}
	choice("export codec", s.Export.Codec, c.Codec)
	if s.Export.CRF < 0 || s.Export.CRF > 51 {
		bad("export crf %d is outside 0 to 51", s.Export.CRF)
	}
	if !(s.Export.Scale > 0 && s.Export.Scale <= 8) {
		bad("export scale %v is outside 0 to 8", s.Export.Scale)
	}
	return errors.Join(errs...)
}

// AddRecent puts path first in the recent items, once, keeping MaxRecent.
func (s *Settings) AddRecent(path string) {
	r := []string{path}
	for _, p := range s.Recent {
		if p != path && len(r) < MaxRecent {
			r = append(r, p)
		}
	}
	s.Recent = r
}

// Path returns where the settings file lives.
func Path() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "flick", "settings.json"), nil
}

// Load reads the settings at path; fields it does not name keep their
// defaults. A missing file gives the defaults and no error. A file that
// cannot be read, parsed or validated gives the defaults and an error that
// says so: the caller shows it and must not save over that file. c is
// what Validate checks the choices against.
func Load(path string, c Choices) (Settings, error) {
	s := Defaults()
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return Defaults(), fmt.Errorf("settings: %w (using defaults)", err)
	}
	if err := json.Unmarshal(data, &s); err != nil {
		return Defaults(), fmt.Errorf("settings %s: %w (using defaults)", path, err)
	}
	if err := s.Validate(c); err != nil {
		return Defaults(), fmt.Errorf("settings %s: %w (using defaults)", path, err)
	}
	return s, nil
}

// Save writes s to path (creating its folder) through a temporary file and
// a rename, so that a crash never leaves half a settings file. Invalid
// settings (Validate with c) are not saved.
func Save(path string, s Settings, c Choices) error {
	if err := s.Validate(c); err != nil {
		return fmt.Errorf("settings: not saved: %w", err)
	}
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("settings: %w", err)
	}
	if err := WriteFile(path, append(data, '\n')); err != nil {
		return fmt.Errorf("settings: %w", err)
	}
	return nil
}

// WriteFile writes data to path through a temporary file in its folder and
// a rename, so that a failed or interrupted write leaves the old file (or
// none), never half a file. The caller makes the folder. The file keeps
// the permissions of the one it replaces, else it is readable by all
// (0644, as an editor would make it: session files and presets are shared),
// not the temporary file's 0600.
func WriteFile(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	mode := os.FileMode(0o644)
	if fi, err := os.Stat(path); err == nil && fi.Mode().IsRegular() {
		mode = fi.Mode().Perm()
	}
	err = tmp.Chmod(mode)
	if err == nil {
		_, err = tmp.Write(data)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}
