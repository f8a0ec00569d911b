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
}

// Defaults returns the settings of a fresh install.
func Defaults() Settings {
	return Settings{WindowWidth: 1280, WindowHeight: 720, FPS: 24}
}

// Validate says what is wrong with s, if anything.
func (s Settings) Validate() error {
	var errs []error
	if s.WindowWidth < 320 || s.WindowWidth > 16384 || s.WindowHeight < 240 || s.WindowHeight > 16384 {
		errs = append(errs, fmt.Errorf("window size %dx%d is outside 320x240 to 16384x16384", s.WindowWidth, s.WindowHeight))
	}
	if !(s.FPS >= 1 && s.FPS <= 1000) { // also rejects NaN
		errs = append(errs, fmt.Errorf("fps %v is outside 1 to 1000", s.FPS))
	}
	if s.CacheBytes < 0 {
		errs = append(errs, fmt.Errorf("cache_bytes %d is negative (0 means automatic)", s.CacheBytes))
	}
	return errors.Join(errs...)
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
// says so: the caller shows it and must not save over that file.
func Load(path string) (Settings, error) {
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
	if err := s.Validate(); err != nil {
		return Defaults(), fmt.Errorf("settings %s: %w (using defaults)", path, err)
	}
	return s, nil
}
