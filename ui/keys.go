package ui

import (
	"math"

	"github.com/AllenDang/cimgui-go/imgui"

	"flick/render"
)

// keyHelp is the overlay's list (? or F1), in the order keys are handled.
var keyHelp = [][2]string{
	{"Space", "play / pause"},
	{"Up / Down", "play forwards / backwards"},
	{"Left / Right", "step one frame"},
	{"Home / End", "first / last frame (of the in-out range)"},
	{"[ or i, ] or o", "set the in / out point at the frame on screen"},
	{"Shift+[ or Shift+I", "clear the in and out points"},
	{"r g b a", "show one channel (again: back to colour)"},
	{"c / l", "colour / luminance"},
	{"v", "next view (stereo left / right), same layer"},
	{". and ,", "exposure up / down half a stop"},
	{"( and )", "gamma down / up"},
	{"0", "exposure 0, gamma 1"},
	{"n", "show NaN and infinite values"},
	{"f / 1", "fit / one image pixel per screen pixel"},
	{"+ / -, mouse wheel", "zoom (the wheel about the cursor)"},
	{"drag", "pan"},
	{"F11 or `", "full screen"},
	{"Ctrl+O", "open a file, pattern or folder"},
	{"Ctrl+E", "export a review movie"},
	{"? or F1", "this list"},
	{"Ctrl+Q", "quit"},
}

// channelKeys are RV's channel keys.
var channelKeys = [...]struct {
	key imgui.Key
	ch  render.Channels
}{
	{imgui.KeyR, render.ChannelR}, {imgui.KeyG, render.ChannelG}, {imgui.KeyB, render.ChannelB},
	{imgui.KeyA, render.ChannelA}, {imgui.KeyC, render.ChannelsRGB}, {imgui.KeyL, render.ChannelLuminance},
}

func pressed(k imgui.Key) bool { return imgui.IsKeyPressedBoolV(k, false) }

// keys follows RV's and mrv2's keys. Text fields keep their keys.
func (a *app) keys() {
	io := imgui.CurrentIO()
	ctrl, shift := io.KeyCtrl(), io.KeyShift()
	switch {
	case ctrl && pressed(imgui.KeyO):
		a.dlg.openOpen(a)
	case ctrl && pressed(imgui.KeyE):
		a.dlg.export.open = true
	case ctrl && pressed(imgui.KeyQ):
		a.quit = true
	case pressed(imgui.KeyF1), shift && pressed(imgui.KeySlash):
		a.showKeys = !a.showKeys
	case pressed(imgui.KeyF11), pressed(imgui.KeyGraveAccent):
		a.fullscreen = !a.fullscreen
		if err := a.win.SetFullscreen(a.fullscreen); err != nil {
			a.log.add(levelWarning, err.Error())
			a.fullscreen = false
		}
	}
	if io.WantTextInput() || ctrl {
		return
	}
	for _, k := range channelKeys {
		if ch := k.ch; pressed(k.key) {
			if a.view.Channels == ch {
				ch = render.ChannelsRGB
			}
			a.view.Channels, a.dirty = ch, true
		}
	}
	a.viewKeys()
	switch {
	case pressed(imgui.KeyV):
		a.nextView()
	case pressed(imgui.KeySpace):
		a.play(a.clock.Dir())
	case pressed(imgui.KeyUpArrow):
		a.play(1)
	case pressed(imgui.KeyDownArrow):
		a.play(-1)
	case imgui.IsKeyPressedBool(imgui.KeyRightArrow):
		a.step(1)
	case imgui.IsKeyPressedBool(imgui.KeyLeftArrow):
		a.step(-1)
	case pressed(imgui.KeyHome):
		a.seek(a.in)
	case pressed(imgui.KeyEnd):
		a.seek(a.out)
	case shift && (pressed(imgui.KeyLeftBracket) || pressed(imgui.KeyI)):
		a.setInOut(a.seq.Range.Start, a.seq.Range.End)
	case pressed(imgui.KeyLeftBracket), pressed(imgui.KeyI):
		a.setInOut(a.clock.Frame(), max(a.out, a.clock.Frame()))
	case pressed(imgui.KeyRightBracket), pressed(imgui.KeyO):
		a.setInOut(min(a.in, a.clock.Frame()), a.clock.Frame())
	case imgui.IsKeyPressedBool(imgui.KeyPeriod):
		a.view.Exposure, a.dirty = a.view.Exposure+0.5, true
	case imgui.IsKeyPressedBool(imgui.KeyComma):
		a.view.Exposure, a.dirty = a.view.Exposure-0.5, true
	case shift && imgui.IsKeyPressedBool(imgui.Key9): // (
		a.setGamma(-0.1)
	case shift && imgui.IsKeyPressedBool(imgui.Key0): // )
		a.setGamma(0.1)
	case pressed(imgui.Key0), pressed(imgui.KeyKeypad0):
		a.view.Exposure, a.view.Gamma, a.dirty = 0, 0, true
	}
}

// setGamma changes the display gamma by d (1 when unset), within 0.1..10.
func (a *app) setGamma(d float32) {
	g := a.view.Gamma
	if g == 0 {
		g = 1
	}
	g = float32(math.Round(float64(g+d)*10) / 10)
	a.view.Gamma, a.dirty = min(max(g, 0.1), 10), true
}

// keysOverlay lists every key over the viewer.
func (a *app) keysOverlay() {
	if !a.showKeys {
		return
	}
	vp := imgui.MainViewport()
	imgui.SetNextWindowPosV(vp.Center(), imgui.CondAlways, imgui.NewVec2(0.5, 0.5))
	imgui.SetNextWindowBgAlpha(0.9)
	flags := imgui.WindowFlagsNoDecoration | imgui.WindowFlagsAlwaysAutoResize | imgui.WindowFlagsNoSavedSettings |
		imgui.WindowFlagsNoDocking | imgui.WindowFlagsNoFocusOnAppearing
	if imgui.BeginV("Keys", &a.showKeys, flags) {
		imgui.TextUnformatted("Keys (? or F1 to close)")
		imgui.Separator()
		if imgui.BeginTableV("keys", 2, imgui.TableFlagsSizingFixedFit, imgui.NewVec2(0, 0), 0) {
			for _, k := range keyHelp {
				imgui.TableNextRow()
				imgui.TableNextColumn()
				imgui.TextUnformatted(k[0])
				imgui.TableNextColumn()
				imgui.TextUnformatted(k[1])
			}
			imgui.EndTable()
		}
	}
	imgui.End()
}
