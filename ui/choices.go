package ui

import (
	"strings"

	"flick/engine"
	"flick/export"
	"flick/render"
	"flick/settings"
)

// Choices returns the names the settings' choice fields may take, read
// from the packages that own each list (engine's loop modes, render's
// display transforms, export's codecs); main loads and the viewer saves
// the settings with them.
func Choices() settings.Choices {
	return settings.Choices{Loop: engine.RepeatNames(), Transform: render.ScreenTransformNames(), Codec: export.CodecNames()}
}

// comboItems is names as imgui.ComboStr wants them: each ended by a NUL.
func comboItems(names []string) string { return strings.Join(names, "\x00") + "\x00" }
